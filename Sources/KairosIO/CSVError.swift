import KairosCore

/// Where in a CSV file something went wrong: file, 1-based line, and the 1-based column
/// (field number) with its header name when there is one.
public struct CSVLocation: Sendable, Equatable, CustomStringConvertible {
  public let file: String
  public let line: Int
  public let column: Int?
  public let columnName: String?

  public init(file: String, line: Int, column: Int? = nil, columnName: String? = nil) {
    self.file = file
    self.line = line
    self.column = column
    self.columnName = columnName
  }

  /// `file:line:column` (the form compilers and editors understand).
  public var description: String {
    column.map { "\(file):\(line):\($0)" } ?? "\(file):\(line)"
  }

  var columnPhrase: String {
    guard let column else { return "" }
    return columnName.map { " in column \(column) ('\($0)')" } ?? " in column \(column)"
  }
}

/// Errors reading or writing CSV files. Every case names the file and, where it applies, the
/// line and column and what was expected there.
public enum CSVError: Error, Equatable, Sendable, CustomStringConvertible {
  case cannotRead(file: String, reason: String)
  case cannotWrite(file: String, reason: String)
  /// The file has no bytes (or only a byte-order mark and blank lines).
  case emptyFile(file: String)
  /// The file has a header row and no data rows.
  case headerOnly(file: String, columns: [String])
  /// A byte sequence that is not UTF-8; `column` is the byte position in the line.
  case invalidUTF8(CSVLocation)
  /// Required columns absent from the header.
  case missingColumns([String], file: String, available: [String])
  /// A header name used twice (case-insensitively).
  case duplicateColumn(name: String, location: CSVLocation)
  /// A row with a different number of fields than the header.
  case wrongFieldCount(CSVLocation, expected: Int, found: Int)
  /// A field that should be a number and is not.
  case malformedNumber(CSVLocation, text: String)
  /// A timestamp in none of the accepted formats.
  case unknownTimestampFormat(CSVLocation, text: String)
  /// A row whose timestamp is earlier than the row before it.
  case unsortedTimestamps(CSVLocation, previous: Int64, found: Int64)
  /// A row that repeats an earlier row's timestamp.
  case duplicateTimestamp(CSVLocation, timestamp: Int64, firstLine: Int)
  /// A quoted field whose closing quote is missing on its line.
  case unterminatedQuote(CSVLocation)
  /// A field with a value outside what the column allows (e.g. a corporate-action type).
  case invalidValue(CSVLocation, text: String, expected: String)

  /// The location of the error, when it has one.
  public var location: CSVLocation? {
    switch self {
    case .cannotRead, .cannotWrite, .emptyFile, .headerOnly, .missingColumns: return nil
    case let .invalidUTF8(l), let .duplicateColumn(_, l), let .wrongFieldCount(l, _, _),
      let .malformedNumber(l, _), let .unknownTimestampFormat(l, _), let .unsortedTimestamps(l, _, _),
      let .duplicateTimestamp(l, _, _), let .unterminatedQuote(l), let .invalidValue(l, _, _):
      return l
    }
  }

  public var description: String {
    switch self {
    case let .cannotRead(file, reason):
      return "\(file): cannot read: \(reason)"
    case let .cannotWrite(file, reason):
      return "\(file): cannot write: \(reason)"
    case let .emptyFile(file):
      return "\(file): the file is empty; expected a header row and data rows"
    case let .headerOnly(file, columns):
      return "\(file): the file has a header (\(columns.joined(separator: ","))) but no data rows"
    case let .invalidUTF8(l):
      return "\(l): invalid UTF-8 byte sequence at byte \(l.column ?? 0) of the line; expected UTF-8 text"
    case let .missingColumns(names, file, available):
      return "\(file):1: missing required column\(names.count == 1 ? "" : "s") \(names.joined(separator: ", ")); the header has \(available.joined(separator: ","))"
    case let .duplicateColumn(name, l):
      return "\(l): column '\(name)' appears twice in the header"
    case let .wrongFieldCount(l, expected, found):
      return "\(l): expected \(expected) fields as in the header, was \(found)"
    case let .malformedNumber(l, text):
      return "\(l): malformed number '\(text)'\(l.columnPhrase); expected a decimal number such as 12.5, 1e-3, NaN or an empty field"
    case let .unknownTimestampFormat(l, text):
      return "\(l): unknown timestamp format '\(text)'\(l.columnPhrase); expected YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS[.fff]][Z|±HH:MM], YYYY-MM-DD HH:MM:SS, or epoch seconds/milliseconds, from 1678-01-01 to 2261-12-31"
    case let .unsortedTimestamps(l, previous, found):
      return "\(l): timestamp \(UTCCalendar.iso8601(found)) is earlier than the previous row's \(UTCCalendar.iso8601(previous)); rows must be in ascending time (use --sort to sort them)"
    case let .duplicateTimestamp(l, timestamp, firstLine):
      return "\(l): duplicate timestamp \(UTCCalendar.iso8601(timestamp)) (first on line \(firstLine)); use --dedupe keep-first or keep-last to choose a row"
    case let .unterminatedQuote(l):
      return "\(l): a quoted field has no closing quote on this line"
    case let .invalidValue(l, text, expected):
      return "\(l): invalid value '\(text)'\(l.columnPhrase); expected \(expected)"
    }
  }
}
