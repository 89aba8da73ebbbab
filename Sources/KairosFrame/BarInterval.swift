import KairosCore

/// A bar length on calendar boundaries: minutes, hours, days or weeks.
///
/// Bars are labelled by their start. Minute, hour and day bars are aligned to the Unix epoch
/// (midnight UTC), so `1h` bars start on the hour and `1d` bars at midnight UTC. Week bars start
/// on Monday 00:00 UTC (ISO weeks). Multi-day and multi-week bars count from the epoch's first
/// day/Monday, so the same instant always falls in the same bar.
public struct BarInterval: Sendable, Hashable, CustomStringConvertible {
  public enum Unit: String, Sendable, Hashable { case minute = "m", hour = "h", day = "d", week = "w" }
  public let count: Int
  public let unit: Unit

  public init(_ count: Int, _ unit: Unit) throws(FrameError) {
    guard count > 0 else { throw FrameError.invalidArgument(name: "interval", reason: "the count must be positive, was \(count)") }
    // At most 100 years (5,218 weeks): bar starts and ends then stay far inside the Int64
    // nanoseconds of any accepted timestamp.
    let limit: Int = switch unit { case .minute: 52_560_000; case .hour: 876_000; case .day: 36_500; case .week: 5_218 }
    guard count <= limit else {
      throw FrameError.invalidArgument(name: "interval", reason: "\(count)\(unit.rawValue) is longer than 100 years (at most \(limit)\(unit.rawValue))")
    }
    self.count = count
    self.unit = unit
  }

  /// Parses `N` followed by `m`, `h`, `d` or `w` (`"15m"`, `"1h"`, `"1d"`, `"1w"`); a missing `N` means 1.
  public init(parsing text: String) throws(FrameError) {
    let trimmed = text.trimmingWhitespace().lowercased()
    guard let last = trimmed.last, let unit = Unit(rawValue: String(last)) else {
      throw FrameError.invalidArgument(name: "interval", reason: "expected N followed by m, h, d or w (e.g. 15m, 1h, 1d, 1w), was '\(text)'")
    }
    let digits = trimmed.dropLast()
    guard let count = digits.isEmpty ? 1 : Int(digits), count > 0 else {
      throw FrameError.invalidArgument(name: "interval", reason: "expected a positive count before '\(last)', was '\(text)'")
    }
    try self.init(count, unit)
  }

  /// The bar length in nanoseconds.
  public var nanoseconds: Int64 {
    let perUnit: Int64
    switch unit {
    case .minute: perUnit = UTCCalendar.nanosecondsPerMinute
    case .hour: perUnit = UTCCalendar.nanosecondsPerHour
    case .day: perUnit = UTCCalendar.nanosecondsPerDay
    case .week: perUnit = UTCCalendar.nanosecondsPerWeek
    }
    return perUnit * Int64(count)
  }

  /// The start of the bar that contains `timestamp`.
  @inlinable
  public func barStart(of timestamp: Int64) -> Int64 {
    // 1970-01-05 was the first Monday after the epoch.
    let origin: Int64 = unit == .week ? 4 * UTCCalendar.nanosecondsPerDay : 0
    let width = nanoseconds
    return UTCCalendar.floorDivide(timestamp - origin, width) * width + origin
  }

  public var description: String { "\(count)\(unit.rawValue)" }
}
