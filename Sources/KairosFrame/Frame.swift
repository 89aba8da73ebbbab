import KairosCore

/// A time-indexed set of equally long, named `Double` columns.
///
/// The columnar frame every stage of the pipeline passes along (docs/DESIGN.md §1): a `TimeIndex`
/// plus named columns, each one contiguous buffer with value semantics. Column access by name
/// is O(1); row slices by position or by time are zero-copy.
///
/// ```
/// let frame = try Frame(index: TimeIndex([0, 60_000_000_000]), columns: [("close", [10, 11])])
/// let close = try frame.column("close")      // Column<Double>, shares the frame's buffer
/// ```
///
/// - Invariant: every column's `count` equals `index.count`; names are unique.
public struct Frame: Sendable {
  /// The timestamps of the rows.
  public internal(set) var index: TimeIndex
  /// Column names in insertion order.
  public internal(set) var columnNames: [String]
  @usableFromInline internal var _columns: [String: Column<Double>]

  /// Creates a frame, checking that every column has `index.count` rows and names are unique.
  public init(index: TimeIndex, columns: [(String, Column<Double>)]) throws(FrameError) {
    self.index = index
    self.columnNames = []
    self._columns = [:]
    for (name, column) in columns { try insert(name, column) }
  }

  /// Creates a frame from arrays (see `init(index:columns:)`).
  public init(index: TimeIndex, columns: [(String, [Double])]) throws(FrameError) {
    try self.init(index: index, columns: columns.map { ($0.0, Column($0.1)) })
  }

  /// An empty frame on `index`.
  public init(index: TimeIndex) {
    self.index = index
    self.columnNames = []
    self._columns = [:]
  }

  /// The number of rows.
  @inlinable public var rowCount: Int { index.count }

  /// The column named `name`, or `nil`. O(1).
  @inlinable public subscript(name: String) -> Column<Double>? { _columns[name] }

  /// `true` when the frame has a column named `name`.
  public func hasColumn(_ name: String) -> Bool { _columns[name] != nil }

  /// The column named `name`.
  /// - Throws: `FrameError.columnNotFound` listing the columns the frame has.
  public func column(_ name: String) throws(FrameError) -> Column<Double> {
    guard let column = _columns[name] else {
      throw FrameError.columnNotFound(name: name, available: columnNames)
    }
    return column
  }

  /// Adds a column, or replaces the column of the same name (keeping its position).
  public mutating func setColumn(_ name: String, _ column: Column<Double>) throws(FrameError) {
    guard column.count == rowCount else {
      throw FrameError.shapeMismatch(what: "column '\(name)'", expected: rowCount, found: column.count)
    }
    if _columns[name] == nil { columnNames.append(name) }
    _columns[name] = column
  }

  /// Removes the column named `name`.
  public mutating func removeColumn(_ name: String) throws(FrameError) {
    guard _columns.removeValue(forKey: name) != nil else {
      throw FrameError.columnNotFound(name: name, available: columnNames)
    }
    columnNames.removeAll { $0 == name }
  }

  /// Renames a column, keeping its position.
  public mutating func renameColumn(_ name: String, to newName: String) throws(FrameError) {
    guard let column = _columns[name] else { throw FrameError.columnNotFound(name: name, available: columnNames) }
    if name == newName { return }
    guard _columns[newName] == nil else { throw FrameError.duplicateColumn(name: newName) }
    _columns[name] = nil
    _columns[newName] = column
    columnNames = columnNames.map { $0 == name ? newName : $0 }
  }

  /// The columns in order, as (name, column) pairs.
  public var columns: [(name: String, column: Column<Double>)] {
    columnNames.map { ($0, _columns[$0]!) }
  }

  private mutating func insert(_ name: String, _ column: Column<Double>) throws(FrameError) {
    guard _columns[name] == nil else { throw FrameError.duplicateColumn(name: name) }
    try setColumn(name, column)
  }
}

extension Frame: Equatable {
  /// Frames are equal when their indexes, column names and column bit patterns are equal
  /// (`NaN` equals `NaN` here, so a frame equals its own copy).
  public static func == (lhs: Frame, rhs: Frame) -> Bool {
    guard lhs.index == rhs.index, lhs.columnNames == rhs.columnNames else { return false }
    for name in lhs.columnNames where !lhs._columns[name]!.isIdentical(to: rhs._columns[name]!) {
      return false
    }
    return true
  }
}

extension Frame: CustomStringConvertible {
  public var description: String {
    let range = index.isEmpty ? "empty"
      : "\(UTCCalendar.iso8601(index[0])) … \(UTCCalendar.iso8601(index[index.count - 1]))"
    return "Frame(\(rowCount) rows, \(range), columns: \(columnNames.joined(separator: ", ")))"
  }
}
