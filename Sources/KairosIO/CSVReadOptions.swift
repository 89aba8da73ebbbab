/// What to do with rows that share a timestamp.
public enum DuplicatePolicy: String, Sendable, CaseIterable {
  /// Stop with an error naming both lines (the default: nothing is dropped silently).
  case error
  /// Keep the first row of each timestamp.
  case keepFirst = "keep-first"
  /// Keep the last row of each timestamp (a later correction wins).
  case keepLast = "keep-last"
}

/// Options for reading a time-indexed CSV file.
public struct CSVReadOptions: Sendable {
  /// Sort rows by time (stable) instead of failing on the first out-of-order row.
  public var sort: Bool
  /// What to do with repeated timestamps.
  public var duplicates: DuplicatePolicy
  /// Read only these columns (normalized names, besides the timestamp); `nil` reads all.
  public var columns: [String]?
  /// Columns that must be present (normalized names); a missing one is an error naming it.
  public var requiredColumns: [String]
  /// A file without a time column is read with the row numbers (0, 1, …) as its index instead
  /// of failing: a plain feature table (pandas `to_csv(index=False)`).
  public var rowNumbersWithoutTime = false
  /// Files are parsed in chunks of about this many bytes, in parallel on multi-core machines
  /// (internal: tests shrink it to exercise chunk boundaries on small files).
  var chunkBytes = 8 << 20

  public init(sort: Bool = false, duplicates: DuplicatePolicy = .error, columns: [String]? = nil, requiredColumns: [String] = []) {
    self.sort = sort
    self.duplicates = duplicates
    self.columns = columns
    self.requiredColumns = requiredColumns
  }

  /// The OHLCV convention of docs/DESIGN.md §3: `open`, `high`, `low`, `close`, `volume` required.
  public static let ohlcv = CSVReadOptions(requiredColumns: ["open", "high", "low", "close", "volume"])
}

/// How far a file's rows were from ascending, unique time order.
public struct RowOrderReport: Sendable, Equatable, Codable {
  /// Rows whose timestamp is earlier than the previous row's.
  public var outOfOrderRows = 0
  /// Rows that repeat an earlier timestamp (and were dropped by the duplicate policy).
  public var duplicateRows = 0
  /// The line of the first out-of-order row.
  public var firstOutOfOrderLine: Int?
  /// The line of the first repeated timestamp.
  public var firstDuplicateLine: Int?

  public init() {}
}
