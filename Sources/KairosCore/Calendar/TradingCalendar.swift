/// When a market trades, so that a missing bar can be told from a closed market: `data check`
/// separates closures from gaps with it, and the periods per year of annualized metrics come
/// from its sessions (see `PeriodsPerYear`).
///
/// - `always` (`24x7`): crypto; every instant is in session.
/// - `fx` (`24x5`): the FX week, Sunday 17:00 to Friday 17:00 New York time.
/// - `nyse`: the NYSE regular session, 09:30–16:00 New York time (13:00 on early closes; 14:00 before 1993), on
///   weekdays that are not exchange holidays (`NYSEHolidays`).
///
/// Daily bars are dated by their session (a midnight-UTC timestamp names the exchange-local
/// date, docs/DESIGN.md §3).
public enum TradingCalendar: String, Sendable, CaseIterable, Codable {
  case always = "24x7"
  case fx = "24x5"
  case nyse

  /// Sessions in a year: 365 (every day), 260 (weekdays), 252 (the NYSE's usual count).
  public var sessionsPerYear: Double {
    switch self { case .always: 365; case .fx: 260; case .nyse: 252 }
  }

  /// The length of a regular session in nanoseconds: 24 h, or 6 h 30 min for the NYSE.
  public var sessionLength: Int64 {
    switch self {
    case .always, .fx: UTCCalendar.nanosecondsPerDay
    case .nyse: 6 * UTCCalendar.nanosecondsPerHour + 30 * UTCCalendar.nanosecondsPerMinute
    }
  }

  /// Whether the civil date `day` (days since 1970-01-01) has a session.
  public func isSessionDay(_ day: Int64) -> Bool {
    switch self {
    case .always: return true
    case .fx: return UTCCalendar.weekday(days: day) < 5
    case .nyse: return UTCCalendar.weekday(days: day) < 5 && !NYSEHolidays.isHoliday(day)
    }
  }

  /// The time in session (ns) within `[from, to)`, UTC instants. For the FX week and the NYSE
  /// it walks the New York dates the range touches, so a closure of years costs one step per day.
  public func openTime(from: Int64, to: Int64) -> Int64 {
    guard to > from else { return 0 }
    if self == .always { return UTCCalendar.span(from: from, to: to) }
    var total: Int64 = 0
    var date = UTCCalendar.day(of: NewYorkTime.local(from))
    let lastDate = UTCCalendar.day(of: NewYorkTime.local(to))
    while date <= lastDate {
      for session in sessions(onLocalDate: date) {
        let start = Swift.max(session.lowerBound, from), end = Swift.min(session.upperBound, to)
        if end > start { total = total.addingReportingOverflow(end - start).partialValue }
      }
      date += 1
    }
    return total
  }

  /// The sessions (UTC ranges) that fall on the New York date `date`. The FX week is cut at
  /// New York midnight: Sunday 17:00–24:00, Monday–Thursday all day, Friday 00:00–17:00.
  public func sessions(onLocalDate date: Int64) -> [Range<Int64>] {
    let hour = UTCCalendar.nanosecondsPerHour, minute = UTCCalendar.nanosecondsPerMinute
    func at(_ time: Int64) -> Int64 { NewYorkTime.instant(day: date, timeOfDay: time) }
    switch self {
    case .always:
      return [date * UTCCalendar.nanosecondsPerDay..<(date + 1) * UTCCalendar.nanosecondsPerDay]
    case .fx:
      switch UTCCalendar.weekday(days: date) {
      case 6: return [at(17 * hour)..<at(24 * hour)]
      case 4: return [at(0)..<at(17 * hour)]
      case 5: return []
      default: return [at(0)..<at(24 * hour)]
      }
    case .nyse:
      guard isSessionDay(date) else { return [] }
      let close = NYSEHolidays.earlyClose(date) ?? 16 * hour
      return [at(9 * hour + 30 * minute)..<at(close)]
    }
  }

  /// The trading date (days since 1970-01-01) a bar starting at `timestamp` belongs to: the
  /// New York date for the NYSE, the FX trading day (which rolls at 17:00 New York, so Sunday
  /// evening belongs to Monday) for `24x5`, the UTC date for `24x7`. For intraday bars only:
  /// a daily series' midnight-UTC timestamps already name their session dates (docs/DESIGN.md
  /// §3) — decide per series, since an intraday bar can start at midnight UTC too.
  public func sessionDate(of timestamp: Int64) -> Int64 {
    if self == .always { return UTCCalendar.day(of: timestamp) }
    let local = NewYorkTime.local(timestamp)
    return UTCCalendar.day(of: self == .fx ? local + 7 * UTCCalendar.nanosecondsPerHour : local)
  }

  /// Whether the UTC instant `timestamp` is in session.
  public func isOpen(at timestamp: Int64) -> Bool {
    if self == .always { return true }
    let date = UTCCalendar.day(of: NewYorkTime.local(timestamp))
    return sessions(onLocalDate: date).contains { $0.contains(timestamp) }
  }

  /// The calendar a series of bar timestamps (ascending) follows, when none is given:
  ///
  /// - any bar on a Saturday (New York date; the UTC date for daily bars) → `24x7`;
  /// - daily and longer bars otherwise → `nyse` unless a bar falls on an NYSE holiday (then `24x5`);
  /// - intraday bars otherwise → `nyse` when all but 1 % of the bars start between 04:00 and
  ///   20:00 New York time on an NYSE session day (regular and extended hours), else `24x5`.
  ///   (The 1 % lets a stray print pass: the shared SPY file has one bar at 20:00; an FX series
  ///   has a third of its bars at night and some on every US holiday.)
  public static func detect(timestamps: some Collection<Int64>) -> TradingCalendar { detect(Array(timestamps)) }

  /// `detect(timestamps:)` on an array: one copy, then no generic iteration per bar (the
  /// generic form is not specialized across modules).
  static func detect(_ timestamps: [Int64]) -> TradingCalendar {
    let intraday = !timestamps.allSatisfy(UTCCalendar.isMidnight)
    var offSession = 0, sundays = 0
    let hour = UTCCalendar.nanosecondsPerHour
    for t in timestamps {
      let local = intraday ? NewYorkTime.local(t) : t
      let date = UTCCalendar.day(of: local)
      let weekday = UTCCalendar.weekday(days: date)
      if weekday == 5 || (weekday == 6 && !intraday) { return .always }
      if weekday == 6 { sundays += 1; continue }  // Sunday evening: the FX week, or crypto.
      if NYSEHolidays.isHoliday(date) { offSession += 1; continue }
      if intraday {
        let time = local - date * UTCCalendar.nanosecondsPerDay
        if time < 4 * hour || time >= 20 * hour { offSession += 1 }
      }
    }
    return sundays == 0 && offSession * 100 <= timestamps.count ? .nyse : .fx
  }
}
