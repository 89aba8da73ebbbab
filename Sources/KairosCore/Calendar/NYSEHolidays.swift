/// The days the New York Stock Exchange is closed on a weekday, and its early closes (13:00),
/// by the exchange's rules — checked in tests against `exchange_calendars`' XNYS calendar.
///
/// Regular holidays: New Year's Day (moved to Monday from a Sunday; not moved from a Saturday),
/// Martin Luther King Jr. Day (third Monday of January, from 1998), Washington's Birthday
/// (third Monday of February), Good Friday, Memorial Day (last Monday of May), Juneteenth
/// (19 June, from 2022), Independence Day, Labor Day (first Monday of September), Thanksgiving
/// (fourth Thursday of November) and Christmas; a holiday on a Saturday is observed the Friday
/// before, on a Sunday the Monday after. Special closures: the days the exchange closed for
/// storms, the September 2001 attacks and national days of mourning, since 1985.
public enum NYSEHolidays {
  /// Unscheduled closures (civil dates) since 1985.
  public static let specialClosures: Set<Int64> = Set([
    (1985, 9, 27), (1994, 4, 27), (2001, 9, 11), (2001, 9, 12), (2001, 9, 13), (2001, 9, 14),
    (2004, 6, 11), (2007, 1, 2), (2012, 10, 29), (2012, 10, 30), (2018, 12, 5), (2025, 1, 9),
  ].map { UTCCalendar.days(year: $0.0, month: $0.1, day: $0.2) })

  /// Whether the weekday `day` (days since 1970-01-01) is a holiday.
  public static func isHoliday(_ day: Int64) -> Bool {
    table.contains(day) ?? closedDays(year: UTCCalendar.civil(days: day).year).contains(day)
  }

  /// The weekdays of `year` the exchange is closed: its regular holidays and special closures.
  static func closedDays(year: Int) -> [Int64] {
    holidays(year: year) + specialClosures.filter { UTCCalendar.civil(days: $0).year == year }.sorted()
  }

  /// The closed days of 1900–2199, computed once on first use (about 0.5 M instructions):
  /// detecting a calendar asks `isHoliday` for every bar of every asset, and the question is
  /// then a shift and a mask — computing a year's holidays is ~1,700 instructions, and a table
  /// of each year's list still cost ~500 per question (the year from the day, then a search).
  static let table = ClosedDayTable(years: 1900...2199)

  /// One bit per day from January 1 of the first year to December 31 of the last.
  struct ClosedDayTable {
    let first: Int64, count: Int64
    let bits: [UInt64]

    init(years: ClosedRange<Int>) {
      first = UTCCalendar.days(year: years.lowerBound, month: 1, day: 1)
      count = UTCCalendar.days(year: years.upperBound + 1, month: 1, day: 1) - first
      var bits = [UInt64](repeating: 0, count: Int((count + 63) / 64))
      for year in years {
        for day in NYSEHolidays.closedDays(year: year) {
          let offset = day - first
          bits[Int(offset >> 6)] |= 1 << UInt64(offset & 63)
        }
      }
      self.bits = bits
    }

    /// Whether `day` is closed, or `nil` outside the table's years.
    @inline(__always)
    func contains(_ day: Int64) -> Bool? {
      let offset = day &- first
      guard offset >= 0 && offset < count else { return nil }
      return bits.withUnsafeBufferPointer { $0[Int(offset >> 6)] } & (1 << UInt64(offset & 63)) != 0
    }
  }

  /// The regular holidays of `year` as day counts (only those on weekdays).
  public static func holidays(year: Int) -> [Int64] {
    let monday = 0, thursday = 3
    func date(_ m: Int, _ d: Int) -> Int64 { UTCCalendar.days(year: year, month: m, day: d) }
    /// Saturday → Friday before, Sunday → Monday after.
    func observed(_ day: Int64) -> Int64 {
      switch UTCCalendar.weekday(days: day) { case 5: day - 1; case 6: day + 1; default: day }
    }
    var days: [Int64] = []
    let newYear = date(1, 1)
    if UTCCalendar.weekday(days: newYear) != 5 { days.append(observed(newYear)) }
    if year >= 1998 { days.append(NewYorkTime.nthWeekday(3, monday, year: year, month: 1)) }
    days.append(year >= 1971 ? NewYorkTime.nthWeekday(3, monday, year: year, month: 2) : observed(date(2, 22)))
    days.append(easter(year: year) - 2)
    days.append(year >= 1971 ? NewYorkTime.nthWeekday(-1, monday, year: year, month: 5) : observed(date(5, 30)))
    if year >= 2022 { days.append(observed(date(6, 19))) }
    days.append(observed(date(7, 4)))
    days.append(NewYorkTime.nthWeekday(1, monday, year: year, month: 9))
    days.append(NewYorkTime.nthWeekday(4, thursday, year: year, month: 11))
    days.append(observed(date(12, 25)))
    return days
  }

  /// Early closes the rules below do not produce (13:00).
  public static let specialEarlyCloses: Set<Int64> = Set([(1997, 12, 26), (1999, 12, 31), (2003, 12, 26)].map {
    UTCCalendar.days(year: $0.0, month: $0.1, day: $0.2)
  })

  /// Whether the session of `day` ends before 16:00 New York (`earlyClose(_:)`).
  public static func isEarlyClose(_ day: Int64) -> Bool { earlyClose(day) != nil }

  /// When the session of `day` ends if early (ns after New York midnight), else `nil`: the day
  /// before Independence Day (3 July on a Monday, Tuesday or Thursday from 1995, also on a
  /// Wednesday from 2013), the Friday 5 July after it (1996–2012), the day after Thanksgiving
  /// (from 1992) and Christmas Eve on a weekday other than Friday — at 13:00, or 14:00 before
  /// 1993 — and
  /// the special early closes.
  public static func earlyClose(_ day: Int64) -> Int64? {
    let (year, month, dayOfMonth) = UTCCalendar.civil(days: day)
    let weekday = UTCCalendar.weekday(days: day)
    if isHoliday(day) || weekday >= 5 { return nil }
    let one = 13 * UTCCalendar.nanosecondsPerHour, two = 14 * UTCCalendar.nanosecondsPerHour
    if specialEarlyCloses.contains(day) { return one }
    switch (month, dayOfMonth) {
    case (7, 3): return year >= 1995 && (weekday == 0 || weekday == 1 || weekday == 3 || (weekday == 2 && year >= 2013)) ? one : nil
    case (7, 5): return year >= 1996 && year <= 2012 && weekday == 4 ? one : nil
    case (12, 24): return weekday <= 3 ? (year >= 1993 ? one : two) : nil
    default: break
    }
    guard month == 11, year >= 1992, day == NewYorkTime.nthWeekday(4, 3, year: year, month: 11) + 1 else { return nil }
    return year >= 1993 ? one : two
  }

  /// Easter Sunday (Gregorian; the anonymous algorithm of Meeus) as a day count.
  public static func easter(year y: Int) -> Int64 {
    let a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4
    let f = (b + 8) / 25, g = (b - f + 1) / 3
    let h = (19 * a + b - d - g + 15) % 30
    let i = c / 4, k = c % 4
    let l = (32 + 2 * e + 2 * i - h - k) % 7
    let m = (a + 11 * h + 22 * l) / 451
    let month = (h + l - 7 * m + 114) / 31, day = (h + l - 7 * m + 114) % 31 + 1
    return UTCCalendar.days(year: y, month: month, day: day)
  }
}
