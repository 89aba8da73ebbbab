/// A fixed-length, contiguous column of values with value semantics.
///
/// A column is one buffer, never split into chunks, so a kernel can walk it with a
/// single `UnsafeBufferPointer` and BLAS can read it in place. Copies share storage until
/// one of them is mutated (copy-on-write, inherited from `ArraySlice`). Slicing is
/// zero-copy: `column[rows: 10..<20]` shares the parent's storage.
///
/// For `Double` columns `NaN` marks a missing value (docs/DESIGN.md §3).
///
/// Indices are always `0..<count`, whatever part of a parent buffer the column views.
@frozen
public struct Column<Element: Sendable>: Sendable {
  @usableFromInline internal var _storage: ArraySlice<Element>

  /// Creates a column that owns `values`.
  @inlinable
  public init(_ values: [Element]) { _storage = values[...] }

  /// Creates a column that views `slice` (no copy).
  @inlinable
  public init(_ slice: ArraySlice<Element>) { _storage = slice }

  /// Creates a column of `count` copies of `value`.
  @inlinable
  public init(repeating value: Element, count: Int) {
    _storage = Array(repeating: value, count: count)[...]
  }

  /// Creates a column of `count` elements initialized by `body`, which must set all of them.
  @inlinable
  public init(
    unsafeUninitializedCount count: Int,
    _ body: (inout UnsafeMutableBufferPointer<Element>) throws -> Void
  ) rethrows {
    let values = try [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
      try body(&buffer)
      initialized = count
    }
    _storage = values[...]
  }

  /// The values as an array (a copy unless the column already spans its whole buffer).
  @inlinable
  public var values: [Element] { Array(_storage) }

  /// Returns the rows in `range` as a column sharing this column's storage.
  /// - Complexity: O(1).
  @inlinable
  public subscript(rows range: Range<Int>) -> Column {
    precondition(range.lowerBound >= 0 && range.upperBound <= count,
                 "row range \(range) out of bounds for a column of \(count) rows")
    let base = _storage.startIndex
    return Column(_storage[(base + range.lowerBound)..<(base + range.upperBound)])
  }

  /// Calls `body` with a pointer to the contiguous values.
  ///
  /// The pointer is valid only during the execution of `body`; do not store or return it.
  /// - Complexity: O(1) (not counting the closure call).
  @inlinable
  public func withUnsafeBufferPointer<R>(
    _ body: (UnsafeBufferPointer<Element>) throws -> R
  ) rethrows -> R {
    try _storage.withUnsafeBufferPointer(body)
  }

  /// Calls `body` with a mutable pointer to the values, copying the storage first if it is shared.
  /// - Complexity: O(1) when the storage is uniquely referenced, O(*n*) otherwise.
  @inlinable
  public mutating func withUnsafeMutableBufferPointer<R>(
    _ body: (inout UnsafeMutableBufferPointer<Element>) throws -> R
  ) rethrows -> R {
    try _storage.withUnsafeMutableBufferPointer(body)
  }
}

extension Column: RandomAccessCollection, MutableCollection {
  public typealias Index = Int
  public typealias Indices = Range<Int>
  @inlinable public var startIndex: Int { 0 }
  @inlinable public var endIndex: Int { _storage.count }
  @inlinable public var count: Int { _storage.count }
  @inlinable public var indices: Range<Int> { 0..<_storage.count }

  @inlinable
  public subscript(position: Int) -> Element {
    get {
      precondition(position >= 0 && position < count, "index \(position) out of bounds (count \(count))")
      return _storage[_storage.startIndex + position]
    }
    set {
      precondition(position >= 0 && position < count, "index \(position) out of bounds (count \(count))")
      _storage[_storage.startIndex + position] = newValue
    }
  }
}

extension Column: ExpressibleByArrayLiteral {
  @inlinable
  public init(arrayLiteral elements: Element...) { self.init(elements) }
}

extension Column: Equatable where Element: Equatable {
  /// Element-wise equality. For `Double`, `NaN != NaN` as in IEEE 754; use
  /// `isIdentical(to:)` to compare bit patterns.
  @inlinable
  public static func == (lhs: Column, rhs: Column) -> Bool { lhs._storage == rhs._storage }
}

extension Column where Element == Double {
  /// `true` when both columns hold the same bit patterns (so `NaN` equals `NaN`, and `0.0 != -0.0`).
  @inlinable
  public func isIdentical(to other: Column<Double>) -> Bool {
    guard count == other.count else { return false }
    return withUnsafeBufferPointer { a in
      other.withUnsafeBufferPointer { b in
        for i in 0..<a.count where a[i].bitPattern != b[i].bitPattern { return false }
        return true
      }
    }
  }
}

extension Column: CustomStringConvertible {
  public var description: String {
    let shown = prefix(6).map { "\($0)" }.joined(separator: ", ")
    return "Column(\(count) values: [\(shown)\(count > 6 ? ", …" : "")])"
  }
}
