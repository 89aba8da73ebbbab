import KairosCore

/// A step between two consecutive rows that is longer than the series' tolerance.
public struct Gap: Sendable, Equatable {
  /// The row just after the gap (0-based).
  public let position: Int
  /// The timestamp of the last row before the gap.
  public let from: Int64
  /// The timestamp of the first row after the gap.
  public let to: Int64
  /// The step in nanoseconds.
  public var length: Int64 { UTCCalendar.span(from: from, to: to) }

  public init(position: Int, from: Int64, to: Int64) {
    self.position = position
    self.from = from
    self.to = to
  }
}

extension TimeIndex {
  /// The most common step between consecutive rows (the modal spacing; on ties the smaller),
  /// or `nil` for fewer than two rows. A daily stock series gives one day even though weekends
  /// make many steps three days long.
  public var inferredSpacing: Int64? {
    guard count >= 2 else { return nil }
    var counts: [Int64: Int] = [:]
    timestamps.withUnsafeBufferPointer { t in
      for i in 1..<t.count { counts[UTCCalendar.span(from: t[i - 1], to: t[i]), default: 0] += 1 }
    }
    return counts.max { a, b in a.value != b.value ? a.value < b.value : a.key > b.key }?.key
  }

  /// The longest step that is not a gap, for a series whose bars are `spacing` apart.
  ///
  /// - Intraday bars: one bar; any missing bar is a gap (overnight breaks included).
  /// - Daily bars: four days, so weekends and a holiday next to a weekend are not gaps but any
  ///   longer closure is (e.g. 2001-09-10 → 2001-09-17).
  /// - Weekly and longer bars: one and a half bars.
  public static func defaultGapTolerance(forSpacing spacing: Int64) -> Int64 {
    let day = UTCCalendar.nanosecondsPerDay
    if spacing < day { return spacing }
    if spacing < 7 * day { return 4 * day }
    return spacing + spacing / 2
  }

  /// The steps longer than `tolerance` nanoseconds, in time order.
  /// - Complexity: O(*n*).
  public func gaps(tolerance: Int64) -> [Gap] {
    var result: [Gap] = []
    timestamps.withUnsafeBufferPointer { t in
      guard t.count >= 2 else { return }
      for i in 1..<t.count where UTCCalendar.span(from: t[i - 1], to: t[i]) > tolerance {
        result.append(Gap(position: i, from: t[i - 1], to: t[i]))
      }
    }
    return result
  }
}
