import KairosFrame
import KairosCore

/// A small CSV file read as text cells: for side files such as corporate actions, where
/// columns hold words as well as numbers. Not for large data (use `CSVReader`).
public struct CSVTable: Sendable {
  public let file: String
  /// Normalized header names (see `ColumnNames.normalize`).
  public let header: [String]
  /// Data rows, each with `header.count` cells.
  public let rows: [[String]]
  /// The 1-based file line of each row.
  public let lines: [Int]

  /// Reads `path`, checking UTF-8 and field counts.
  public static func read(path: String) throws(CSVError) -> CSVTable {
    let file = try FileBytes(path: path)
    if let bad = file.data.withUnsafeBytes({ UTF8Check.firstInvalidByte($0) }) {
      let prefix = file.data.prefix(bad)
      let line = prefix.reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
      let lineStart = (prefix.lastIndex(of: 0x0A).map { $0 + 1 }) ?? 0
      throw CSVError.invalidUTF8(CSVLocation(file: path, line: line, column: bad - lineStart + 1))
    }
    return try parse(String(decoding: file.data, as: UTF8.self), name: path)
  }

  /// Parses CSV text; `name` is used in error messages.
  public static func parse(_ text: String, name: String) throws(CSVError) -> CSVTable {
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
      line.hasSuffix("\r") ? line.dropLast() : line
    }
    if let first = lines.first, first.hasPrefix("\u{FEFF}") { lines[0] = first.dropFirst() }
    guard let headerIndex = lines.firstIndex(where: { !$0.allSatisfy(\.isWhitespace) }) else {
      throw CSVError.emptyFile(file: name)
    }
    let header = try cells(lines[headerIndex], file: name, line: headerIndex + 1).map(ColumnNames.normalize)
    var rows: [[String]] = [], rowLines: [Int] = []
    for k in (headerIndex + 1)..<lines.count where !lines[k].allSatisfy(\.isWhitespace) {
      let row = try cells(lines[k], file: name, line: k + 1)
      guard row.count == header.count else {
        throw CSVError.wrongFieldCount(CSVLocation(file: name, line: k + 1), expected: header.count, found: row.count)
      }
      rows.append(row)
      rowLines.append(k + 1)
    }
    if rows.isEmpty { throw CSVError.headerOnly(file: name, columns: header) }
    return CSVTable(file: name, header: header, rows: rows, lines: rowLines)
  }

  /// The position of a required column.
  public func column(_ name: String) throws(CSVError) -> Int {
    guard let k = header.firstIndex(of: name) else {
      throw CSVError.missingColumns([name], file: file, available: header)
    }
    return k
  }

  /// The location of a cell, for error messages.
  public func location(row: Int, column: Int) -> CSVLocation {
    CSVLocation(file: file, line: lines[row], column: column + 1, columnName: header[column])
  }

  private static func cells(_ line: Substring, file: String, line number: Int) throws(CSVError) -> [String] {
    var out: [String] = []
    var current = ""
    var inQuotes = false
    var iterator = line.makeIterator()
    while let c = iterator.next() {
      if inQuotes {
        if c == "\"" { inQuotes = false } else { current.append(c) }
      } else if c == "\"" {
        inQuotes = true
      } else if c == "," {
        out.append(current.trimmingWhitespace())
        current = ""
      } else {
        current.append(c)
      }
    }
    if inQuotes { throw CSVError.unterminatedQuote(CSVLocation(file: file, line: number, column: out.count + 1)) }
    out.append(current.trimmingWhitespace())
    return out
  }
}
