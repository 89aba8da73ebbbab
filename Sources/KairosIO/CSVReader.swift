import Foundation
import KairosCore
import KairosFrame

/// Reads time-indexed CSV files (docs/DESIGN.md §3) into `Frame`s.
///
/// A byte-level parser over the (memory-mapped) file: one pass, numbers parsed in place by
/// `DecimalParser`, no per-field `String`. Bad input stops with a `CSVError` naming the file,
/// line, column and what was expected; nothing is dropped silently (blank lines hold no data
/// and are skipped).
public enum CSVReader {
  /// Reads a CSV file with a time column (`timestamp`, `date`, `datetime` or `time`) and
  /// numeric columns.
  public static func readFrame(path: String, options: CSVReadOptions = CSVReadOptions()) throws(CSVError) -> Frame {
    let file = try FileBytes(path: path)
    let result = file.data.withUnsafeBytes { raw in
      Result { () throws(CSVError) -> Frame in try readFrame(bytes: raw, name: path, options: options) }
    }
    return try result.get()
  }

  /// Reads a feature table: time-indexed when it has a time column, else indexed by row number
  /// (`hasTime` false) — a table exported with pandas `to_csv(index=False)`.
  public static func readTable(path: String) throws(CSVError) -> (frame: Frame, hasTime: Bool) {
    var options = CSVReadOptions()
    options.rowNumbersWithoutTime = true
    let file = try FileBytes(path: path)
    let result = file.data.withUnsafeBytes { raw in
      Result { () throws(CSVError) -> (Frame, Bool) in
        var parser = try _FrameParser(raw, name: path, options: options)
        return (try parser.parse(), parser.timeField >= 0)
      }
    }
    return try result.get()
  }

  /// Reads an OHLCV file: `open`, `high`, `low`, `close`, `volume` required, `adj_close` optional.
  public static func readOHLCV(path: String, sort: Bool = false, duplicates: DuplicatePolicy = .error) throws(CSVError) -> Frame {
    var options = CSVReadOptions.ohlcv
    options.sort = sort
    options.duplicates = duplicates
    return try readFrame(path: path, options: options)
  }

  /// Reads a file like `readFrame(path:options:)` and also reports how far its rows were from
  /// ascending, unique order before `options.sort` / `options.duplicates` were applied (for
  /// `kairos data check`).
  public static func readFrameWithOrderReport(
    path: String, options: CSVReadOptions
  ) throws(CSVError) -> (frame: Frame, order: RowOrderReport) {
    let file = try FileBytes(path: path)
    let result = file.data.withUnsafeBytes { raw in
      Result { () throws(CSVError) -> (Frame, RowOrderReport) in
        var parser = try _FrameParser(raw, name: path, options: options)
        let frame = try parser.parse()
        return (frame, parser.orderReport)
      }
    }
    return try result.get()
  }

  /// Reads CSV text held in memory; `name` is used in error messages.
  public static func readFrame(text: String, name: String, options: CSVReadOptions = CSVReadOptions()) throws(CSVError) -> Frame {
    let bytes = Array(text.utf8)
    let result = bytes.withUnsafeBytes { raw in
      Result { () throws(CSVError) -> Frame in try readFrame(bytes: raw, name: name, options: options) }
    }
    return try result.get()
  }

  /// Reads CSV bytes; `name` is used in error messages.
  public static func readFrame(bytes raw: UnsafeRawBufferPointer, name: String, options: CSVReadOptions) throws(CSVError) -> Frame {
    var parser = try _FrameParser(raw, name: name, options: options)
    return try parser.parse()
  }
}

/// The one-pass parser behind `CSVReader.readFrame`.
struct _FrameParser {
  let b: UnsafePointer<UInt8>
  let end: Int
  let name: String
  let options: CSVReadOptions
  /// Offset of the first byte after the header line.
  var dataStart = 0
  var header: [String] = []
  var timeField = 0
  /// For each field, the output column it goes to, or -1 (the time field, or not selected).
  var target: [Int] = []
  var outputNames: [String] = []
  /// How the rows were ordered in the file (filled by `parse()`).
  var orderReport = RowOrderReport()

  init(_ raw: UnsafeRawBufferPointer, name: String, options: CSVReadOptions) throws(CSVError) {
    self.name = name
    self.options = options
    guard let base = raw.baseAddress, raw.count > 0 else { throw CSVError.emptyFile(file: name) }
    b = base.assumingMemoryBound(to: UInt8.self)
    end = raw.count
    if let bad = UTF8Check.firstInvalidByte(raw) {
      let (line, lineStart) = Self.lineAndStart(b, offset: bad)
      throw CSVError.invalidUTF8(CSVLocation(file: name, line: line, column: bad - lineStart + 1))
    }
  }

  /// The 1-based line of `offset` and the offset where that line starts.
  static func lineAndStart(_ b: UnsafePointer<UInt8>, offset: Int) -> (Int, Int) {
    var line = 1, start = 0
    for i in 0..<offset where b[i] == 0x0A { line += 1; start = i + 1 }
    return (line, start)
  }

  func location(line: Int, field: Int) -> CSVLocation {
    CSVLocation(file: name, line: line, column: field + 1, columnName: field < header.count ? header[field] : nil)
  }

  func text(_ start: Int, _ stop: Int) -> String {
    String(decoding: UnsafeBufferPointer(start: b + start, count: stop - start), as: UTF8.self)
  }

  // MARK: Header

  mutating func parseHeader() throws(CSVError) {
    var p = 0
    if end >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF { p = 3 }  // UTF-8 byte-order mark
    // Skip leading blank lines.
    while p < end && (b[p] == 0x0A || b[p] == 0x0D || b[p] == 0x20) { p += 1 }
    if p == end { throw CSVError.emptyFile(file: name) }
    let headerLine = Self.lineAndStart(b, offset: p).0
    var fieldStart = p
    var names: [String] = []
    while true {
      if p == end || b[p] == 0x0A || b[p] == UInt8(ascii: ",") {
        names.append(ColumnNames.normalize(text(fieldStart, p)))
        if p == end || b[p] == 0x0A { break }
        fieldStart = p + 1
      }
      p += 1
    }
    dataStart = min(p + 1, end)
    header = names
    var seen: [String: Int] = [:]
    for (k, column) in names.enumerated() {
      if column.isEmpty {
        throw CSVError.invalidValue(CSVLocation(file: name, line: headerLine, column: k + 1), text: "", expected: "a column name")
      }
      if seen[column] != nil {
        throw CSVError.duplicateColumn(name: column, location: CSVLocation(file: name, line: headerLine, column: k + 1))
      }
      seen[column] = k
    }
    let time: Int
    if let found = ColumnNames.timestampAliases.lazy.compactMap({ seen[$0] }).first {
      time = found
    } else if options.rowNumbersWithoutTime {
      time = -1  // no field is the time: rows are numbered instead
    } else {
      throw CSVError.missingColumns(["timestamp (or date, datetime, time)"], file: name, available: names)
    }
    timeField = time
    let wanted = options.columns ?? names.enumerated().filter { $0.offset != time }.map(\.element)
    let missing = (options.requiredColumns + (options.columns ?? [])).filter { seen[$0] == nil }
    if !missing.isEmpty {
      var unique: [String] = []
      for m in missing where !unique.contains(m) { unique.append(m) }
      throw CSVError.missingColumns(unique, file: name, available: names)
    }
    target = [Int](repeating: -1, count: names.count)
    outputNames = []
    for column in wanted where seen[column]! != time {
      target[seen[column]!] = outputNames.count
      outputNames.append(column)
    }
  }

  // MARK: Rows

  mutating func parse() throws(CSVError) -> Frame {
    try parseHeader()
    let chunks = splitIntoChunks()
    let columnCount = outputNames.count
    // Each chunk parses into its own buffers; on two or more cores the chunks run in parallel.
    let results = (0..<chunks.count).map { k in
      _ChunkBuffers(capacity: chunks[k].lineFeeds + 1, columns: columnCount)
    }
    defer { for r in results { r.deallocate() } }
    nonisolated(unsafe) let parser = self
    nonisolated(unsafe) let shared = results
    if chunks.count == 1 {
      shared[0].parse(parser, chunks[0])
    } else {
      // Each iteration touches only its own chunk's buffers.
      DispatchQueue.concurrentPerform(iterations: chunks.count) { k in shared[k].parse(parser, chunks[k]) }
    }
    // The earliest chunk's error is the first error in the file.
    for r in results { if let error = r.error { throw error } }
    let rows = results.reduce(0) { $0 + $1.rows }
    if rows == 0 { throw CSVError.headerOnly(file: name, columns: header) }
    var timestamps = [Int64](unsafeUninitializedCapacity: rows) { buffer, initialized in
      var offset = 0
      for r in results {
        (buffer.baseAddress! + offset).initialize(from: r.times, count: r.rows)
        offset += r.rows
      }
      initialized = rows
    }
    var values = (0..<columnCount).map { c in
      [Double](unsafeUninitializedCapacity: rows) { buffer, initialized in
        var offset = 0
        for r in results {
          (buffer.baseAddress! + offset).initialize(from: r.columns[c], count: r.rows)
          offset += r.rows
        }
        initialized = rows
      }
    }
    if timeField < 0 { for i in 0..<rows { timestamps[i] = Int64(i) } }
    orderReport = try order(&timestamps, &values)
    let index: TimeIndex
    do { index = try TimeIndex(timestamps) } catch { preconditionFailure("ordering was checked: \(error)") }
    do {
      return try Frame(index: index, columns: zip(outputNames, values).map { ($0, Column($1)) })
    } catch { preconditionFailure("columns were built with equal lengths: \(error)") }
  }

  /// A byte range of whole lines and the line number it starts on.
  struct Chunk: Sendable {
    let start: Int, end: Int, firstLine: Int, lineFeeds: Int
  }

  /// Splits the data rows into about 8 MiB chunks at line boundaries, at most one per core.
  func splitIntoChunks() -> [Chunk] {
    let cores = ProcessInfo.processInfo.activeProcessorCount
    let wanted = max(1, min(max(cores, options.chunkBytes < (8 << 20) ? 4 : 1), (end - dataStart) / max(1, options.chunkBytes)))
    var boundaries = [dataStart]
    for k in 1..<max(1, wanted) {
      var p = dataStart + (end - dataStart) * k / wanted
      guard p > boundaries.last!, let hit = memchr(b + p, 0x0A, end - p) else { continue }
      p = UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - b + 1
      if p < end { boundaries.append(p) }
    }
    boundaries.append(end)
    var chunks: [Chunk] = []
    var line = Self.lineAndStart(b, offset: dataStart).0
    for k in 0..<(boundaries.count - 1) {
      let feeds = countLineFeeds(boundaries[k], boundaries[k + 1])
      chunks.append(Chunk(start: boundaries[k], end: boundaries[k + 1], firstLine: line, lineFeeds: feeds))
      line += feeds
    }
    return chunks
  }

  func countLineFeeds(_ from: Int, _ to: Int) -> Int {
    var count = 0, q = from
    while q < to {
      guard let hit = memchr(b + q, 0x0A, to - q) else { break }
      count += 1
      q = UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - b + 1
    }
    return count
  }

  /// Parses the rows of `chunk` into `times` and `columns`; returns the row count.
  func parseRows(
    _ chunk: Chunk, times: UnsafeMutablePointer<Int64>, columns: [UnsafeMutablePointer<Double>]
  ) throws(CSVError) -> Int {
    let fieldCount = header.count
    let end = chunk.end
    var rows = 0
    var line = chunk.firstLine
    var p = chunk.start
    let comma = UInt8(ascii: ","), quote = UInt8(ascii: "\""), newline: UInt8 = 0x0A, carriageReturn: UInt8 = 0x0D
    while p < end {
      // Blank lines (including a final one) carry no data.
      if b[p] == newline { p += 1; line += 1; continue }
      if b[p] == carriageReturn && (p + 1 == end || b[p + 1] == newline) { p += 2; line += 1; continue }
      for field in 0..<fieldCount {
        var start = p, stop: Int
        // A plain number, read while its field's end is found (one pass over the bytes).
        var number: Double? = nil
        if field != timeField && target[field] >= 0, let (value, next) = DecimalParser.parsePlain(b, p, end),
          next == end || b[next] == comma || b[next] == newline {
          number = value
          p = next
          stop = p
        } else if p < end && b[p] == quote {
          p += 1
          while p < end && b[p] != quote && b[p] != newline { p += 1 }
          guard p < end && b[p] == quote else { throw CSVError.unterminatedQuote(location(line: line, field: field)) }
          start += 1
          stop = p
          p += 1
        } else {
          while p < end {
            let c = b[p]
            if c == comma || c == newline { break }
            p += 1
          }
          stop = p
          if stop > start && b[stop - 1] == carriageReturn { stop -= 1 }
        }
        let atEndOfLine = p == end || b[p] == newline
        if field < fieldCount - 1 {
          if atEndOfLine { throw CSVError.wrongFieldCount(CSVLocation(file: name, line: line), expected: fieldCount, found: field + 1) }
        } else if !atEndOfLine {
          if b[p] != comma {
            throw CSVError.invalidValue(location(line: line, field: field), text: text(start - 1, p + 1), expected: "a delimiter after the closing quote")
          }
          throw CSVError.wrongFieldCount(CSVLocation(file: name, line: line), expected: fieldCount, found: fieldCount + countDelimiters(from: p))
        }
        if field == timeField {
          guard let t = TimestampParser.parse(b, start, stop) else {
            throw CSVError.unknownTimestampFormat(location(line: line, field: field), text: text(start, stop))
          }
          times[rows] = t
        } else {
          let column = target[field]
          if column >= 0 {
            guard let value = number ?? DecimalParser.parse(b, start, stop) else {
              throw CSVError.malformedNumber(location(line: line, field: field), text: text(start, stop))
            }
            columns[column][rows] = value
          }
        }
        p += 1  // past the delimiter or the line feed
      }
      rows += 1
      line += 1
    }
    return rows
  }

  /// The number of commas from `p` to the end of its line.
  func countDelimiters(from start: Int) -> Int {
    var n = 0, p = start
    while p < end && b[p] != 0x0A { if b[p] == UInt8(ascii: ",") { n += 1 }; p += 1 }
    return n
  }

  // MARK: Ordering policies

  /// Enforces ascending, unique timestamps, or applies `--sort` / `--dedupe`.
  func order(_ timestamps: inout [Int64], _ values: inout [[Double]]) throws(CSVError) -> RowOrderReport {
    let n = timestamps.count
    var report = RowOrderReport()
    for i in 1..<max(1, n) where timestamps[i] < timestamps[i - 1] {
      if !options.sort {
        throw CSVError.unsortedTimestamps(
          CSVLocation(file: name, line: lineOfRow(i), column: timeField + 1, columnName: header[timeField]),
          previous: timestamps[i - 1], found: timestamps[i])
      }
      if report.outOfOrderRows == 0 { report.firstOutOfOrderLine = lineOfRow(i) }
      report.outOfOrderRows += 1
    }
    let sorted = report.outOfOrderRows == 0
    if sorted && !(1..<max(1, n)).contains(where: { timestamps[$0] == timestamps[$0 - 1] }) { return report }
    // Stable sort by time; `rowOrder[k]` is the original row of sorted position k.
    var rowOrder = Array(0..<n)
    if !sorted {
      rowOrder.sort { timestamps[$0] != timestamps[$1] ? timestamps[$0] < timestamps[$1] : $0 < $1 }
    }
    var keep: [Int] = []
    keep.reserveCapacity(n)
    var k = 0
    while k < n {
      var runEnd = k + 1
      while runEnd < n && timestamps[rowOrder[runEnd]] == timestamps[rowOrder[k]] { runEnd += 1 }
      if runEnd - k > 1 {
        switch options.duplicates {
        case .error:
          throw CSVError.duplicateTimestamp(
            CSVLocation(file: name, line: lineOfRow(rowOrder[k + 1]), column: timeField + 1, columnName: header[timeField]),
            timestamp: timestamps[rowOrder[k]], firstLine: lineOfRow(rowOrder[k]))
        case .keepFirst: keep.append(rowOrder[k])
        case .keepLast: keep.append(rowOrder[runEnd - 1])
        }
        if report.duplicateRows == 0 { report.firstDuplicateLine = lineOfRow(rowOrder[k + 1]) }
        report.duplicateRows += runEnd - k - 1
      } else {
        keep.append(rowOrder[k])
      }
      k = runEnd
    }
    timestamps = keep.map { timestamps[$0] }
    values = values.map { column in keep.map { column[$0] } }
    return report
  }

  /// The 1-based line of data row `row` (rescans the file; used only to report errors).
  func lineOfRow(_ row: Int) -> Int {
    var line = Self.lineAndStart(b, offset: dataStart).0
    var p = dataStart, r = 0
    while p < end {
      let blank = b[p] == 0x0A || (b[p] == 0x0D && (p + 1 == end || b[p + 1] == 0x0A))
      if !blank {
        if r == row { return line }
        r += 1
      }
      while p < end && b[p] != 0x0A { p += 1 }
      p += 1
      line += 1
    }
    return line
  }
}

/// The output buffers of one chunk (a class so parallel workers can fill them in place).
final class _ChunkBuffers {
  let times: UnsafeMutablePointer<Int64>
  let columns: [UnsafeMutablePointer<Double>]
  var rows = 0
  var error: CSVError?

  init(capacity: Int, columns count: Int) {
    times = .allocate(capacity: capacity)
    columns = (0..<count).map { _ in .allocate(capacity: capacity) }
  }

  func parse(_ parser: _FrameParser, _ chunk: _FrameParser.Chunk) {
    do { rows = try parser.parseRows(chunk, times: times, columns: columns) } catch { self.error = error }
  }

  func deallocate() {
    times.deallocate()
    for c in columns { c.deallocate() }
  }
}
