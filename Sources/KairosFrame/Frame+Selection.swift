import KairosCore

extension Frame {
  /// The rows at positions `range`, sharing this frame's storage.
  /// - Complexity: O(number of columns).
  public subscript(rows range: Range<Int>) -> Frame {
    precondition(range.lowerBound >= 0 && range.upperBound <= rowCount,
                 "row range \(range) out of bounds for a frame of \(rowCount) rows")
    var result = Frame(index: index[rows: range])
    for name in columnNames { result._unsafeAppend(name, _columns[name]![rows: range]) }
    return result
  }

  /// The rows with `start <= timestamp <= end` (both ends included, like pandas `.loc`),
  /// sharing this frame's storage. Either bound may be `nil` for an open end.
  /// - Complexity: O(log *n* + number of columns).
  public func rows(from start: Int64? = nil, through end: Int64? = nil) -> Frame {
    let lower = start.map { index.firstPosition(atOrAfter: $0) } ?? 0
    let upper = end.map { index.firstPosition(after: $0) } ?? rowCount
    return self[rows: lower..<max(lower, upper)]
  }

  /// The rows at the given ascending positions (a copy).
  public func rows(at positions: [Int]) -> Frame {
    let timestamps = positions.map { index[$0] }
    var result = Frame(index: TimeIndex(unchecked: Column(timestamps)))
    for name in columnNames {
      let source = _columns[name]!
      result._unsafeAppend(name, Column(positions.map { source[$0] }))
    }
    return result
  }

  /// Only the named columns, in the given order (zero-copy).
  public func selecting(_ names: [String]) throws(FrameError) -> Frame {
    var result = Frame(index: index)
    for name in names { try result.setColumn(name, try column(name)) }
    return result
  }

  /// Appends a column whose length the caller has already checked.
  internal mutating func _unsafeAppend(_ name: String, _ column: Column<Double>) {
    assert(column.count == rowCount && _columns[name] == nil)
    columnNames.append(name)
    _columns[name] = column
  }
}
