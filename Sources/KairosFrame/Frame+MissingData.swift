import KairosCore

/// What to do with missing (`NaN`) values.
public enum MissingDataPolicy: Sendable, Equatable {
  /// Leave `NaN` in place (a bar with a missing price never fills: docs/DESIGN.md §4).
  case keepNaN
  /// Carry the last valid value forward over at most `limit` consecutive missing rows
  /// (`nil`: no limit). Equivalent to pandas `ffill(limit=)`.
  case forwardFill(limit: Int?)
  /// Drop every row that has a `NaN` in any of the affected columns (pandas `dropna(subset=)`).
  case drop
}

extension Column where Element == Double {
  /// Carries the last valid value over at most `limit` consecutive `NaN`s (pandas `ffill(limit=)`).
  /// Leading `NaN`s stay.
  /// - Complexity: O(*n*).
  public func forwardFilled(limit: Int? = nil) -> Column<Double> {
    precondition(limit.map { $0 >= 0 } ?? true, "limit must be non-negative")
    let maxRun = limit ?? Int.max
    return Column(unsafeUninitializedCount: count) { out in
      withUnsafeBufferPointer { x in
        var last = Double.nan, run = 0
        for i in 0..<x.count {
          if !x[i].isNaN { last = x[i]; run = 0; out[i] = x[i]; continue }
          run += 1
          out[i] = run <= maxRun ? last : .nan
        }
      }
    }
  }

  /// The number of `NaN` values.
  public var nanCount: Int {
    withUnsafeBufferPointer { x in x.reduce(0) { $0 + ($1.isNaN ? 1 : 0) } }
  }
}

extension Frame {
  /// Applies a missing-data policy to `columns` (all columns when `nil`).
  public func applying(_ policy: MissingDataPolicy, to columns: [String]? = nil) throws(FrameError) -> Frame {
    let names = columns ?? columnNames
    for name in names where _columns[name] == nil {
      throw FrameError.columnNotFound(name: name, available: columnNames)
    }
    switch policy {
    case .keepNaN:
      return self
    case let .forwardFill(limit):
      if let limit, limit < 0 {
        throw FrameError.invalidArgument(name: "forward-fill limit", reason: "must be non-negative, was \(limit)")
      }
      var result = self
      for name in names { result._columns[name] = _columns[name]!.forwardFilled(limit: limit) }
      return result
    case .drop:
      var keep = [Bool](repeating: true, count: rowCount)
      for name in names {
        _columns[name]!.withUnsafeBufferPointer { x in
          for i in 0..<x.count where x[i].isNaN { keep[i] = false }
        }
      }
      if !keep.contains(false) { return self }
      return rows(at: keep.indices.filter { keep[$0] })
    }
  }
}
