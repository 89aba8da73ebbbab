import Foundation
import KairosCore
import KairosFrame
@testable import KairosIO
import KairosTestSupport
import Testing

@Suite struct CSVRoundTripTests {
  @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8])
  func randomFramesRoundTripBitForBit(seed: UInt64) throws {
    var random = RandomData(seed: seed)
    let rows = 1 + Int(random.random.next() % 300)
    let dateOnly = seed % 2 == 0
    var t = Int64(random.random.next() % 1_000_000) * (UTCCalendar.nanosecondsPerDay / 1000) - 500 * UTCCalendar.nanosecondsPerDay
    if dateOnly { t = UTCCalendar.day(of: t) * UTCCalendar.nanosecondsPerDay }
    var times: [Int64] = []
    for _ in 0..<rows {
      times.append(t)
      t += dateOnly ? UTCCalendar.nanosecondsPerDay * Int64(1 + random.random.next() % 3) : Int64(1 + random.random.next() % 10_000_000_000_000)
    }
    let columnCount = 1 + Int(random.random.next() % 5)
    let columns = (0..<columnCount).map { k in ("c\(k)", (0..<rows).map { _ in random.awkwardDouble() }) }
    let frame = try Frame(index: TimeIndex(times), columns: columns)
    let path = TestPaths.temporaryDirectory().appendingPathComponent("round.csv").path
    try CSVWriter.write(frame, to: path)
    let back = try CSVReader.readFrame(path: path)
    #expect(back == frame)  // bit patterns, NaN == NaN, 0.0 != -0.0
    let text = try String(contentsOfFile: path, encoding: .utf8)
    #expect(text.hasPrefix("timestamp,c0"))
    #expect(!text.contains("\r"))
  }

  @Test func shortestRepresentation() {
    #expect(CSVWriter.format(0.1) == "0.1")
    #expect(CSVWriter.format(100) == "100")
    #expect(CSVWriter.format(-0.0) == "-0")
    #expect(CSVWriter.format(.nan) == "NaN")
    #expect(CSVWriter.format(-.infinity) == "-inf")
    #expect(CSVWriter.format(1e300) == "1e+300")
    #expect(CSVWriter.format(0.30000000000000004) == "0.30000000000000004")
    #expect(CSVWriter.format(9_007_199_254_740_993) == "9007199254740992")  // the Double nearest
  }

  @Test func decimalParserAgreesWithStrtod() {
    var random = SplitMix64(seed: 11)
    for _ in 0..<20_000 {
      let digits = 1 + Int(random.next() % 25)
      var text = random.next() % 2 == 0 ? "-" : ""
      let point = Int(random.next() % UInt64(digits + 1))
      for k in 0..<digits {
        if k == point && k > 0 { text += "." }
        text += String(random.next() % 10)
      }
      if random.next() % 3 == 0 { text += "e\(Int(random.next() % 80) - 40)" }
      let ours = text.utf8CString.withUnsafeBufferPointer { p in
        p.withMemoryRebound(to: UInt8.self) { DecimalParser.parse($0.baseAddress!, 0, $0.count - 1) }
      }
      let reference = strtod(text, nil)
      #expect(ours?.bitPattern == reference.bitPattern, "\(text)")
    }
    for good in ["1", "+1.5", ".5", "5.", "1e5", "1E-5", " 2.5 ", "NaN", "nan", "", "inf", "-Infinity", "NA"] {
      let parsed = Array(good.utf8).withUnsafeBufferPointer { DecimalParser.parse($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, 0, $0.count) }
      #expect(parsed != nil, "\(good)")
    }
    for bad in ["abc", "1.2.3", "1e", "--1", "1,5", "0x10", "-nan", "12a"] {
      let parsed = Array(bad.utf8).withUnsafeBufferPointer { DecimalParser.parse($0.baseAddress!, 0, $0.count) }
      #expect(parsed == nil, "\(bad)")
    }
  }

  /// The reader's one-pass path for plain numbers (`parsePlain`) answers only where its value
  /// has the bits of `parse` (and of `strtod`) for the same text, and says where the text ends;
  /// anything else it leaves to `parse`. Random plain numbers of 1–25 digits (with and without
  /// a point, signs), each followed by a delimiter, a line feed, a carriage return or nothing.
  @Test func plainNumbersReadInOnePassHaveTheParsersBits() {
    var random = SplitMix64(seed: 12)
    var answered = 0
    for _ in 0..<20_000 {
      let digits = Int(random.next() % 25)
      var text = random.next() % 2 == 0 ? "-" : ""
      let point = Int(random.next() % UInt64(digits + 2))
      for k in 0...digits {
        if k == point { text += "." }
        if k < digits { text += String(random.next() % 10) }
      }
      let tail = [",", "\n", "\r\n", "", "x"][Int(random.next() % 5)]
      let bytes = Array((text + tail).utf8)
      let plain = bytes.withUnsafeBufferPointer { DecimalParser.parsePlain($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, 0, $0.count) }
      guard let plain else { continue }
      answered += 1
      #expect(plain.end == text.utf8.count, "\(text)")
      let reference = text.utf8CString.withUnsafeBufferPointer { p in
        p.withMemoryRebound(to: UInt8.self) { DecimalParser.parse($0.baseAddress!, 0, $0.count - 1) }
      }
      #expect(reference != nil && plain.value.bitPattern == reference!.bitPattern && plain.value.bitPattern == strtod(text, nil).bitPattern, "\(text)")
    }
    #expect(answered > 10_000)
    for refused in ["", "-", ".", "-.", "+1", " 1", "1234567890123456789", "9007199254740993"] {
      let bytes = Array(refused.utf8)
      #expect(bytes.withUnsafeBufferPointer { DecimalParser.parsePlain($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, 0, $0.count) } == nil, "\(refused)")
    }
  }

  /// A file whose numbers take every path of the reader (plain, signed, spaced, exponent,
  /// quoted, empty, special, CR line ends) reads as `strtod` reads each field.
  @Test func everyNumberShapeReadsAsStrtod() throws {
    let fields = ["100.1768", "-0", "+1.5", " 2.5 ", "1e5", "\"3.25\"", "", "NaN", "5.", ".5", "123456789012345678901", "0.30000000000000004", "-7"]
    var text = "timestamp,v\n"
    for (k, f) in fields.enumerated() { text += "2011-01-\(String(format: "%02d", k + 1)),\(f)\(k % 2 == 0 ? "\r\n" : "\n")" }
    let values = try CSVReader.readFrame(text: text, name: "shapes.csv").column("v").values
    for (k, f) in fields.enumerated() {
      let plain = f.trimmingCharacters(in: CharacterSet(charactersIn: " \""))
      let expected = plain.isEmpty || plain == "NaN" ? Double.nan : strtod(plain, nil)
      #expect(values[k].bitPattern == expected.bitPattern || (values[k].isNaN && expected.isNaN), "\(f)")
    }
  }

  @Test func timestampFormats() {
    let d = UTCCalendar.days(year: 2011, month: 1, day: 3) * UTCCalendar.nanosecondsPerDay
    let h = UTCCalendar.nanosecondsPerHour, m = UTCCalendar.nanosecondsPerMinute, s = UTCCalendar.nanosecondsPerSecond
    let cases: [(String, Int64)] = [
      ("2011-01-03", d), ("2011-01-03T09:30", d + 9 * h + 30 * m), ("2011-01-03T09:30:15", d + 9 * h + 30 * m + 15 * s),
      ("2011-01-03T09:30:15Z", d + 9 * h + 30 * m + 15 * s), ("2011-01-03 09:30:15", d + 9 * h + 30 * m + 15 * s),
      ("2011-01-03T09:30:15.250Z", d + 9 * h + 30 * m + 15 * s + 250_000_000),
      ("2011-01-03T09:30:00-05:00", d + 14 * h + 30 * m), ("2011-01-03T09:30:00+0100", d + 8 * h + 30 * m),
      ("1294045200", 1_294_045_200 * s), ("1294045200000", 1_294_045_200 * s),
    ]
    for (text, expected) in cases { #expect(UTCCalendar.parseTimestamp(text) == expected, "\(text)") }
    for bad in ["2011-13-01", "2011-02-30", "2011-01-03T24:00", "03/01/2011", "2011-01-03T09:30:15+5", "2011-01-03X", "123456789012345", "yesterday"] {
      #expect(UTCCalendar.parseTimestamp(bad) == nil, "\(bad)")
    }
  }

  @Test func writesAreAtomicAndLeaveNoTemporaryFiles() throws {
    let directory = TestPaths.temporaryDirectory()
    let path = directory.appendingPathComponent("out.csv").path
    try AtomicFile.write("old\n", to: path)
    try AtomicFile.write("new\n", to: path)
    #expect(try String(contentsOfFile: path, encoding: .utf8) == "new\n")
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["out.csv"])
    #expect(throws: AtomicFile.WriteError.self) { try AtomicFile.write("x", to: "/proc/kairos-cannot-write/out.csv") }
  }
}
