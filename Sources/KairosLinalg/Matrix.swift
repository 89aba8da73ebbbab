import KairosCore

/// A dense `rows × columns` matrix of `Double`s in column-major order.
///
/// Column-major means each column is contiguous (leading dimension = `rows`), so a time
/// series stored as a column goes to BLAS/LAPACK without a copy, and a range of columns is a
/// contiguous sub-buffer: `matrix.columns(2..<5)` is a zero-copy view. Storage is
/// copy-on-write: copies share the buffer until one is mutated.
public struct Matrix: Sendable {
  public let rows: Int
  public let columns: Int
  @usableFromInline internal var _storage: ArraySlice<Double>

  /// A matrix with every entry `value`.
  public init(rows: Int, columns: Int, repeating value: Double = 0) {
    precondition(rows >= 0 && columns >= 0, "matrix dimensions must be non-negative, were \(rows)×\(columns)")
    self.rows = rows
    self.columns = columns
    _storage = Array(repeating: value, count: rows * columns)[...]
  }

  /// A matrix over `values` in column-major order (`values[i + j * rows]` is entry (i, j)).
  public init(rows: Int, columns: Int, columnMajor values: [Double]) {
    precondition(values.count == rows * columns, "\(values.count) values for a \(rows)×\(columns) matrix")
    self.rows = rows
    self.columns = columns
    _storage = values[...]
  }

  /// A matrix from rows of equal length (convenient in tests and examples).
  public init(_ rowValues: [[Double]]) {
    let r = rowValues.count, c = rowValues.first?.count ?? 0
    precondition(rowValues.allSatisfy { $0.count == c }, "every row must have \(c) values")
    var values = [Double](repeating: 0, count: r * c)
    for i in 0..<r { for j in 0..<c { values[i + j * r] = rowValues[i][j] } }
    self.init(rows: r, columns: c, columnMajor: values)
  }

  /// A matrix whose columns are `columns` (each of the same length).
  public init(columns columnValues: [Column<Double>]) {
    let r = columnValues.first?.count ?? 0
    precondition(columnValues.allSatisfy { $0.count == r }, "every column must have \(r) rows")
    var values: [Double] = []
    values.reserveCapacity(r * columnValues.count)
    for column in columnValues { values.append(contentsOf: column) }
    self.init(rows: r, columns: columnValues.count, columnMajor: values)
  }

  private init(rows: Int, columns: Int, storage: ArraySlice<Double>) {
    self.rows = rows
    self.columns = columns
    _storage = storage
  }

  /// The `n × n` identity.
  public static func identity(_ n: Int) -> Matrix {
    var m = Matrix(rows: n, columns: n)
    for i in 0..<n { m[i, i] = 1 }
    return m
  }

  /// Entry (row, column).
  public subscript(row: Int, column: Int) -> Double {
    get {
      precondition(row >= 0 && row < rows && column >= 0 && column < columns, "(\(row), \(column)) out of bounds for \(rows)×\(columns)")
      return _storage[_storage.startIndex + row + column * rows]
    }
    set {
      precondition(row >= 0 && row < rows && column >= 0 && column < columns, "(\(row), \(column)) out of bounds for \(rows)×\(columns)")
      _storage[_storage.startIndex + row + column * rows] = newValue
    }
  }

  /// The columns in `range` as a matrix sharing this one's storage. O(1).
  public func columns(_ range: Range<Int>) -> Matrix {
    precondition(range.lowerBound >= 0 && range.upperBound <= columns, "column range \(range) out of bounds for \(columns) columns")
    let base = _storage.startIndex
    return Matrix(rows: rows, columns: range.count,
                  storage: _storage[(base + range.lowerBound * rows)..<(base + range.upperBound * rows)])
  }

  /// Column `j` as a `Column` sharing this matrix's storage. O(1).
  public func column(_ j: Int) -> Column<Double> {
    precondition(j >= 0 && j < columns, "column \(j) out of bounds for \(columns) columns")
    let base = _storage.startIndex
    return Column(_storage[(base + j * rows)..<(base + (j + 1) * rows)])
  }

  /// The entries in column-major order.
  public var columnMajorValues: [Double] { Array(_storage) }

  /// The transpose (a copy).
  public var transposed: Matrix {
    var t = Matrix(rows: columns, columns: rows)
    for j in 0..<columns { for i in 0..<rows { t[j, i] = self[i, j] } }
    return t
  }

  /// `true` when every entry is finite.
  public var isFinite: Bool { _storage.allSatisfy { $0.isFinite } }

  /// Calls `body` with the column-major entries. Valid only during `body`.
  public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Double>) throws -> R) rethrows -> R {
    try _storage.withUnsafeBufferPointer(body)
  }

  /// Calls `body` with the mutable column-major entries, copying first if the storage is shared.
  public mutating func withUnsafeMutableBufferPointer<R>(
    _ body: (inout UnsafeMutableBufferPointer<Double>) throws -> R
  ) rethrows -> R {
    try _storage.withUnsafeMutableBufferPointer(body)
  }
}

extension Matrix: Equatable {
  public static func == (lhs: Matrix, rhs: Matrix) -> Bool {
    lhs.rows == rhs.rows && lhs.columns == rhs.columns && lhs._storage.elementsEqual(rhs._storage)
  }
}

extension Matrix: CustomStringConvertible {
  public var description: String {
    var lines = ["Matrix(\(rows)×\(columns))"]
    for i in 0..<Swift.min(rows, 8) {
      lines.append("  " + (0..<Swift.min(columns, 8)).map { "\(self[i, $0])" }.joined(separator: "  "))
    }
    return lines.joined(separator: "\n")
  }
}
