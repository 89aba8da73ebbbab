import KairosCore

/// How several timelines are combined into one.
public enum JoinKind: String, Sendable, CaseIterable {
  /// Only the timestamps every frame has.
  case inner
  /// Every timestamp any frame has; a frame's missing rows become `NaN`.
  case outer
}

extension TimeIndex {
  /// The timestamps present in both indexes. O(*n* + *m*).
  public func intersection(_ other: TimeIndex) -> TimeIndex {
    var out: [Int64] = []
    out.reserveCapacity(Swift.min(count, other.count))
    var i = 0, j = 0
    while i < count && j < other.count {
      let a = self[i], b = other[j]
      if a == b { out.append(a); i += 1; j += 1 } else if a < b { i += 1 } else { j += 1 }
    }
    return TimeIndex(unchecked: Column(out))
  }

  /// The timestamps present in either index. O(*n* + *m*).
  public func union(_ other: TimeIndex) -> TimeIndex {
    var out: [Int64] = []
    out.reserveCapacity(Swift.max(count, other.count))
    var i = 0, j = 0
    while i < count || j < other.count {
      if j == other.count || (i < count && self[i] < other[j]) { out.append(self[i]); i += 1 }
      else if i == count || other[j] < self[i] { out.append(other[j]); j += 1 }
      else { out.append(self[i]); i += 1; j += 1 }
    }
    return TimeIndex(unchecked: Column(out))
  }
}

extension Frame {
  /// Returns the frame on `target`: rows whose timestamp is in `target` keep their values,
  /// timestamps this frame lacks get `NaN` in every column, and rows not in `target` are left out.
  ///
  /// Zero-copy when `target` equals this frame's index.
  /// - Complexity: O(*n* + *m*) per column.
  public func reindexed(to target: TimeIndex) -> Frame {
    if target == index { return self }
    // Source row for every target row, or -1.
    var sourceRow = [Int](repeating: -1, count: target.count)
    var i = 0
    for j in 0..<target.count {
      while i < rowCount && index[i] < target[j] { i += 1 }
      if i < rowCount && index[i] == target[j] { sourceRow[j] = i }
    }
    var result = Frame(index: target)
    for name in columnNames {
      let source = _columns[name]!
      let column = Column<Double>(unsafeUninitializedCount: target.count) { out in
        source.withUnsafeBufferPointer { x in
          for j in 0..<out.count { out[j] = sourceRow[j] >= 0 ? x[sourceRow[j]] : .nan }
        }
      }
      result._unsafeAppend(name, column)
    }
    return result
  }

  /// Aligns several frames (e.g. one per asset) on one timeline.
  ///
  /// `.inner` keeps the timestamps all frames share; `.outer` keeps every timestamp and fills
  /// the rows a frame lacks with `NaN` (pandas `concat(..., join=)` / `DataFrame.align`).
  public static func align(_ frames: [Frame], join: JoinKind) -> [Frame] {
    guard var common = frames.first?.index else { return [] }
    for frame in frames.dropFirst() {
      common = join == .inner ? common.intersection(frame.index) : common.union(frame.index)
    }
    return frames.map { $0.reindexed(to: common) }
  }
}
