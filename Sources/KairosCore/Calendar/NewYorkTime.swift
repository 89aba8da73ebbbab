/// The wall clock of New York (America/New_York), where the NYSE session and the FX week are
/// defined, from the US daylight-saving rules — no time-zone database, so results do not depend
/// on the machine.
///
/// Rules: from 2007, daylight time runs from the second Sunday of March to the first Sunday of
/// November; 1987–2006 from the first Sunday of April to the last Sunday of October; before
/// 1987 (back to 1967, and used for earlier years too) from the last Sunday of April to the last
/// Sunday of October. Changes happen at 02:00 local time. The 1974–75 energy-crisis exceptions
/// are not modelled.
public enum NewYorkTime {
  /// Eastern standard time, UTC−5, in nanoseconds.
  public static let standardOffset: Int64 = -5 * UTCCalendar.nanosecondsPerHour
  /// Eastern daylight time, UTC−4, in nanoseconds.
  public static let daylightOffset: Int64 = -4 * UTCCalendar.nanosecondsPerHour

  /// The day count of the `n`-th (1-based) `weekday` (0 = Monday … 6 = Sunday) of a month, or
  /// the last one for `n == -1`.
  public static func nthWeekday(_ n: Int, _ weekday: Int, year: Int, month: Int) -> Int64 {
    if n > 0 {
      let first = UTCCalendar.days(year: year, month: month, day: 1)
      let shift = Int64((weekday - UTCCalendar.weekday(days: first) + 7) % 7)
      return first + shift + Int64(7 * (n - 1))
    }
    let last = UTCCalendar.days(year: year, month: month, day: UTCCalendar.daysInMonth(year: year, month: month))
    return last - Int64((UTCCalendar.weekday(days: last) - weekday + 7) % 7)
  }

  /// The UTC instants (ns) at which daylight time starts and ends in `year`.
  public static func daylightPeriod(year: Int) -> (start: Int64, end: Int64) {
    let sunday = 6
    let (startDay, endDay): (Int64, Int64)
    if year >= 2007 {
      (startDay, endDay) = (nthWeekday(2, sunday, year: year, month: 3), nthWeekday(1, sunday, year: year, month: 11))
    } else if year >= 1987 {
      (startDay, endDay) = (nthWeekday(1, sunday, year: year, month: 4), nthWeekday(-1, sunday, year: year, month: 10))
    } else {
      (startDay, endDay) = (nthWeekday(-1, sunday, year: year, month: 4), nthWeekday(-1, sunday, year: year, month: 10))
    }
    let twoAM = 2 * UTCCalendar.nanosecondsPerHour
    // 02:00 EST is 07:00 UTC; 02:00 EDT is 06:00 UTC.
    return (startDay * UTCCalendar.nanosecondsPerDay + twoAM - standardOffset,
            endDay * UTCCalendar.nanosecondsPerDay + twoAM - daylightOffset)
  }

  /// New York's offset from UTC (ns, negative) at the UTC instant `timestamp`.
  public static func offset(at timestamp: Int64) -> Int64 {
    let year = UTCCalendar.civil(days: UTCCalendar.day(of: timestamp)).year
    let period = daylightPeriod(year: year)
    return timestamp >= period.start && timestamp < period.end ? daylightOffset : standardOffset
  }

  /// The New York local time of `timestamp`, as nanoseconds since 1970-01-01 00:00 local.
  public static func local(_ timestamp: Int64) -> Int64 { timestamp + offset(at: timestamp) }

  /// The UTC instant of a New York wall-clock time `timeOfDay` (ns after local midnight) on the
  /// local date `day`. Wall times never fall in the skipped or repeated hour for the times used
  /// here (sessions open and close well away from 02:00).
  public static func instant(day: Int64, timeOfDay: Int64) -> Int64 {
    let guess = day * UTCCalendar.nanosecondsPerDay + timeOfDay - standardOffset
    return day * UTCCalendar.nanosecondsPerDay + timeOfDay - offset(at: guess)
  }
}
