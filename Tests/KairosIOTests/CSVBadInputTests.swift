import KairosFrame
@testable import KairosIO
import KairosTestSupport
import Testing

/// One test per bad-input class: each asserts the error names the file, line and column.
@Suite struct CSVBadInputTests {
  func readError(_ text: String, options: CSVReadOptions = .ohlcv) -> CSVError? {
    let path = TestPaths.writeTemporary(text)
    do { _ = try CSVReader.readFrame(path: path, options: options); return nil } catch { return error }
  }

  let header = "timestamp,open,high,low,close,volume\n"

  @Test func malformedNumber() throws {
    let error = try #require(readError(header + "2020-01-01,1,2,0.5,1.5,100\n2020-01-02,1,2,abc,1.5,100\n"))
    #expect(error.location?.line == 3 && error.location?.column == 4 && error.location?.columnName == "low")
    #expect(error.description.contains(":3:4: malformed number 'abc' in column 4 ('low')"))
  }

  @Test func tooFewAndTooManyFields() throws {
    let few = try #require(readError(header + "2020-01-01,1,2,0.5,1.5\n"))
    #expect(few == .wrongFieldCount(CSVLocation(file: few.location!.file, line: 2), expected: 6, found: 5))
    #expect(few.description.contains(":2: expected 6 fields as in the header, was 5"))
    let many = try #require(readError(header + "2020-01-01,1,2,0.5,1.5,100\n2020-01-02,1,2,0.5,1.5,100,7,8\n"))
    #expect(many == .wrongFieldCount(CSVLocation(file: many.location!.file, line: 3), expected: 6, found: 8))
  }

  @Test func missingRequiredColumns() throws {
    let error = try #require(readError("timestamp,open,close\n2020-01-01,1,2\n"))
    guard case let .missingColumns(names, _, available) = error else { Issue.record("\(error)"); return }
    #expect(names == ["high", "low", "volume"] && available == ["timestamp", "open", "close"])
    #expect(error.description.contains(":1: missing required columns high, low, volume"))
    let noTime = try #require(readError("when,open\n1,2\n", options: CSVReadOptions()))
    #expect(noTime.description.contains("missing required column timestamp"))
  }

  @Test func unknownTimestampFormat() throws {
    let error = try #require(readError(header + "2020-01-01,1,2,0.5,1.5,100\n01/02/2020,1,2,0.5,1.5,100\n"))
    #expect(error.location?.line == 3 && error.location?.column == 1)
    #expect(error.description.contains("unknown timestamp format '01/02/2020'"))
  }

  @Test func unsortedTimestampsUnlessSorted() throws {
    let text = header + "2020-01-02,1,2,0.5,1.5,100\n2020-01-01,1,2,0.5,1.5,200\n"
    let error = try #require(readError(text))
    #expect(error.location?.line == 3 && error.location?.column == 1)
    #expect(error.description.contains("earlier than the previous row's 2020-01-02"))
    var options = CSVReadOptions.ohlcv
    options.sort = true
    let frame = try CSVReader.readFrame(path: TestPaths.writeTemporary(text), options: options)
    #expect(Array(try frame.column("volume")) == [200, 100])
  }

  @Test func duplicateTimestampsUnlessDeduplicated() throws {
    let text = header + "2020-01-01,1,2,0.5,1.5,100\n2020-01-02,1,2,0.5,1.5,200\n2020-01-02,1,2,0.5,1.5,300\n"
    let error = try #require(readError(text))
    #expect(error.location?.line == 4 && error.location?.column == 1)
    #expect(error.description.contains("duplicate timestamp 2020-01-02T00:00:00Z (first on line 3)"))
    let path = TestPaths.writeTemporary(text)
    #expect(Array(try CSVReader.readOHLCV(path: path, duplicates: .keepLast).column("volume")) == [100, 300])
    #expect(Array(try CSVReader.readOHLCV(path: path, duplicates: .keepFirst).column("volume")) == [100, 200])
    // Sort and dedupe together: stable, so "keep-last" is the last in file order.
    let shuffled = header + "2020-01-02,1,2,0.5,1.5,200\n2020-01-01,1,2,0.5,1.5,100\n2020-01-02,1,2,0.5,1.5,300\n"
    #expect(Array(try CSVReader.readOHLCV(path: TestPaths.writeTemporary(shuffled), sort: true, duplicates: .keepLast).column("volume")) == [100, 300])
  }

  @Test func emptyFileAndHeaderOnly() throws {
    #expect(readError("").map { if case .emptyFile = $0 { true } else { false } } == true)
    #expect(readError("\n\n").map { if case .emptyFile = $0 { true } else { false } } == true)
    let headerOnly = try #require(readError(header))
    #expect(headerOnly.description.contains("has a header (timestamp,open,high,low,close,volume) but no data rows"))
  }

  @Test func invalidUTF8() throws {
    var bytes = Array((header + "2020-01-01,1,2,0.5,1.5,100\n2020-01-02,1,2,0.").utf8)
    bytes += [0xC3, 0x28]  // an invalid two-byte sequence
    bytes += Array(",1.5,100\n".utf8)
    let path = TestPaths.writeTemporary(bytes: bytes)
    #expect(throws: CSVError.self) { try CSVReader.readOHLCV(path: path) }
    do { _ = try CSVReader.readOHLCV(path: path) } catch {
      #expect(error.location?.line == 3 && error.location?.column == 18)
      #expect(error.description.contains(":3:18: invalid UTF-8"))
    }
  }

  @Test func unterminatedQuoteAndDuplicateHeader() throws {
    let quote = try #require(readError(header + "2020-01-01,\"1,2,0.5,1.5,100\n"))
    #expect(quote.description.contains(":2:2: a quoted field has no closing quote"))
    let duplicate = try #require(readError("timestamp,open,Open\n2020-01-01,1,2\n", options: CSVReadOptions()))
    #expect(duplicate.description.contains(":1:3: column 'open' appears twice"))
  }

  @Test func missingFile() {
    #expect(throws: CSVError.cannotRead(file: "/nonexistent/x.csv", reason: "no such file")) {
      try CSVReader.readOHLCV(path: "/nonexistent/x.csv")
    }
  }

  @Test func acceptedVariations() throws {
    // BOM, CRLF, quoted header, mixed case, blank lines, NaN and empty fields, adj close.
    let text = "\u{FEFF}\"Date\",Open,HIGH,Low,Close,Volume,Adj Close\r\n2020-01-01,1,2,0.5,1.5,100,1.4\r\n\r\n2020-01-02,NaN,2,0.5,,100,1.4\r\n"
    let frame = try CSVReader.readFrame(path: TestPaths.writeTemporary(text), options: .ohlcv)
    #expect(frame.columnNames == ["open", "high", "low", "close", "volume", "adj_close"])
    #expect(frame.rowCount == 2)
    #expect(try frame.column("close").isIdentical(to: [1.5, .nan]))
    #expect(try frame.column("open").isIdentical(to: [1, .nan]))
  }

  @Test func corporateActionsErrors() throws {
    let good = TestPaths.writeTemporary("ex_date,type,value\n2005-02-28,split,2\n2000-01-05,dividend,0.5\n")
    let actions = try CorporateActionsReader.read(path: good)
    #expect(actions.count == 2 && actions[0].kind == .dividend(amount: 0.5))  // sorted by date
    let badType = TestPaths.writeTemporary("ex_date,type,value\n2005-02-28,merger,2\n")
    #expect(throws: CSVError.self) { try CorporateActionsReader.read(path: badType) }
    do { _ = try CorporateActionsReader.read(path: badType) } catch {
      #expect(error.description.contains(":2:2: invalid value 'merger' in column 2 ('type'); expected split or dividend"))
    }
    let badRatio = TestPaths.writeTemporary("ex_date,type,value\n2005-02-28,split,-2\n")
    #expect(throws: CSVError.self) { try CorporateActionsReader.read(path: badRatio) }
    let badDate = TestPaths.writeTemporary("ex_date,type,value\n28/02/2005,split,2\n")
    #expect(throws: CSVError.self) { try CorporateActionsReader.read(path: badDate) }
  }
}

@Suite struct CSVChunkTests {
  @Test func chunkedParsingMatchesAndReportsTheRightLine() throws {
    var text = "timestamp,open,high,low,close,volume\n"
    for i in 0..<2000 { text += "\(1_600_000_000 + i * 60),\(i),\(i + 1),\(i),\(i),\(i * 10)\n" }
    var small = CSVReadOptions.ohlcv
    small.chunkBytes = 4096  // several chunks on a small file
    let whole = try CSVReader.readFrame(text: text, name: "t.csv", options: .ohlcv)
    let chunked = try CSVReader.readFrame(text: text, name: "t.csv", options: small)
    #expect(whole == chunked && whole.rowCount == 2000)
    // An error late in the file names its own line, not a chunk-relative one.
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    lines[1700] = "1600102000,1,2,oops,1,1"
    lines[1900] = "1600114000,1,2,3"
    do {
      _ = try CSVReader.readFrame(text: lines.joined(separator: "\n"), name: "t.csv", options: small)
      Issue.record("expected an error")
    } catch {
      #expect(error.location == CSVLocation(file: "t.csv", line: 1701, column: 4, columnName: "low"))
    }
  }
}
