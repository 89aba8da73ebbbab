import KairosCore

/// A strictly increasing sequence of instants, in `Int64` nanoseconds since the Unix epoch, UTC.
///
/// The index of a `Frame`. It is a `Column<Int64>` with an ordering invariant, so slices are
/// zero-copy and lookups by time are binary searches.
///
/// - Invariant: `timestamps[i] < timestamps[i + 1]` for every `i`.
public struct TimeIndex: Sendable, Equatable {
  /// The timestamps, ascending.
  public let timestamps: Column<Int64>

  /// Creates an index, checking that `timestamps` is strictly increasing.
  /// - Throws: `FrameError.unsortedIndex` or `.duplicateTimestamp` naming the first bad row.
  public init(_ timestamps: Column<Int64>) throws(FrameError) {
    let firstBad: Int? = timestamps.withUnsafeBufferPointer { t in
      t.count < 2 ? nil : (1..<t.count).first { t[$0] <= t[$0 - 1] }
    }
    if let i = firstBad {
      if timestamps[i] == timestamps[i - 1] {
        throw FrameError.duplicateTimestamp(position: i, timestamp: timestamps[i])
      }
      throw FrameError.unsortedIndex(position: i, previous: timestamps[i - 1], found: timestamps[i])
    }
    self.timestamps = timestamps
  }

  /// Creates an index from an array (see `init(_:)` for the checks).
  public init(_ timestamps: [Int64]) throws(FrameError) { try self.init(Column(timestamps)) }

  /// Creates an index without checking the ordering. The caller guarantees the invariant.
  @usableFromInline
  internal init(unchecked timestamps: Column<Int64>) { self.timestamps = timestamps }

  /// An empty index.
  public static let empty = TimeIndex(unchecked: Column([Int64]()))

  @inlinable public var count: Int { timestamps.count }
  @inlinable public var isEmpty: Bool { timestamps.isEmpty }
  @inlinable public subscript(position: Int) -> Int64 { timestamps[position] }
  public var first: Int64? { timestamps.first }
  public var last: Int64? { timestamps.last }

  /// The rows in `range` (zero-copy).
  public subscript(rows range: Range<Int>) -> TimeIndex { TimeIndex(unchecked: timestamps[rows: range]) }

  /// The first position whose timestamp is `>= instant` (`count` when there is none).
  /// - Complexity: O(log *n*).
  public func firstPosition(atOrAfter instant: Int64) -> Int {
    timestamps.withUnsafeBufferPointer { t in
      var low = 0, high = t.count
      while low < high {
        let mid = (low + high) >> 1
        if t[mid] < instant { low = mid + 1 } else { high = mid }
      }
      return low
    }
  }

  /// The first position whose timestamp is `> instant` (`count` when there is none).
  /// - Complexity: O(log *n*).
  public func firstPosition(after instant: Int64) -> Int {
    instant == .max ? count : firstPosition(atOrAfter: instant + 1)
  }

  /// The position of `instant`, or `nil` when the index does not contain it.
  public func position(of instant: Int64) -> Int? {
    let p = firstPosition(atOrAfter: instant)
    return p < count && self[p] == instant ? p : nil
  }

  /// `true` when every timestamp is a midnight UTC (a date-only, e.g. daily, series).
  public var isDateOnly: Bool {
    timestamps.withUnsafeBufferPointer { t in t.allSatisfy(UTCCalendar.isMidnight) }
  }
}
