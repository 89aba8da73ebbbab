import KairosCore

/// When a feed is stale (docs/DESIGN.md §10): no bar for `interval` seconds of wall time while
/// the symbol's trading calendar is open. A closure is not staleness: the clock only runs
/// while the calendar is in session, so a feed silent over a weekend or a night is healthy, and
/// is stale `interval` seconds into the next session without a bar.
public struct StaleWatch: Sendable, Equatable {
  /// Seconds of open-market time without a bar after which the feed is stale (> 0).
  public let interval: Double
  public let calendar: TradingCalendar
  /// Wall time (ns since 1970) of the last bar, or of the start.
  public private(set) var lastBar: Int64
  public private(set) var isStale = false

  public init(interval: Double, calendar: TradingCalendar, now: Int64) {
    self.interval = interval; self.calendar = calendar; lastBar = now
  }

  /// A bar arrived at wall time `now`; returns `true` when this ends a stale period.
  public mutating func barArrived(now: Int64) -> Bool {
    lastBar = now
    defer { isStale = false }
    return isStale
  }

  /// Checks at wall time `now`; returns `true` when the feed has just become stale.
  public mutating func check(now: Int64) -> Bool {
    guard !isStale, now > lastBar else { return false }
    let silent = calendar.openTime(from: lastBar, to: now)
    guard Double(silent) / 1e9 >= interval else { return false }
    isStale = true
    return true
  }
}
