/// Calendar arithmetic on `Int64` nanoseconds since the Unix epoch, UTC (docs/DESIGN.md §3).
///
/// Proleptic Gregorian calendar, no leap seconds, no time zones: every day is exactly
/// 86,400 s. Conversions follow Howard Hinnant's `days_from_civil` / `civil_from_days`,
/// exact for every date representable in `Int64` nanoseconds (years 1678–2261).
public enum UTCCalendar {
  /// The instants Kairos accepts: 1678-01-01T00:00:00Z ... 2261-12-31T23:59:59.999999999Z
  /// (`Int64` nanoseconds reach 1677-09-21 to 2262-04-11; the margin leaves room for the
  /// arithmetic on timestamps, e.g. adding a bar interval of up to 100 years... within a step).
  public static let acceptedRange: ClosedRange<Int64> = -9_214_560_000_000_000_000...9_214_646_399_999_999_999

  /// `to − from` in nanoseconds, saturated at `Int64.max` / `.min`: the span between the
  /// earliest and latest accepted timestamps (1678 to 2261) is longer than an `Int64` holds.
  @inlinable
  public static func span(from: Int64, to: Int64) -> Int64 {
    let (d, overflow) = to.subtractingReportingOverflow(from)
    return overflow ? (to > from ? .max : .min) : d
  }

  public static let nanosecondsPerSecond: Int64 = 1_000_000_000
  public static let nanosecondsPerMinute: Int64 = 60 * nanosecondsPerSecond
  public static let nanosecondsPerHour: Int64 = 60 * nanosecondsPerMinute
  public static let nanosecondsPerDay: Int64 = 24 * nanosecondsPerHour
  public static let nanosecondsPerWeek: Int64 = 7 * nanosecondsPerDay

  /// Days since 1970-01-01 for a civil date. `month` is 1...12, `day` 1...31 (not validated here).
  @inlinable
  public static func days(year: Int, month: Int, day: Int) -> Int64 {
    let y = Int64(month <= 2 ? year - 1 : year)
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let m = Int64(month)
    let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
  }

  /// The civil date of a day count since 1970-01-01.
  @inlinable
  public static func civil(days: Int64) -> (year: Int, month: Int, day: Int) {
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    return (Int(yoe + era * 400 + (m <= 2 ? 1 : 0)), Int(m), Int(d))
  }

  /// The number of days in a month of the proleptic Gregorian calendar.
  @inlinable
  public static func daysInMonth(year: Int, month: Int) -> Int {
    switch month {
    case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
  }

  /// Floor division (rounds toward −∞), so instants before 1970 fall in the right day.
  @inlinable
  public static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
  }

  /// The day count of the day that contains `timestamp`.
  @inlinable
  public static func day(of timestamp: Int64) -> Int64 { floorDivide(timestamp, nanosecondsPerDay) }

  /// Day of the week, 0 = Monday … 6 = Sunday (ISO 8601). 1970-01-01 was a Thursday.
  @inlinable
  public static func weekday(days: Int64) -> Int {
    Int(((days % 7) + 7 + 3) % 7)
  }

  /// Formats `timestamp` as ISO 8601: `YYYY-MM-DD` when `dateOnly`, else
  /// `YYYY-MM-DDTHH:MM:SSZ`, with `.fffffffff` trimmed of trailing zeros when the instant
  /// has sub-second digits (so formatting never loses information).
  public static func iso8601(_ timestamp: Int64, dateOnly: Bool = false) -> String {
    var out = ""
    out.reserveCapacity(30)
    appendISO8601(timestamp, dateOnly: dateOnly, to: &out)
    return out
  }

  /// Appends the ISO 8601 text of `timestamp` to `out` (see `iso8601(_:dateOnly:)`).
  public static func appendISO8601(_ timestamp: Int64, dateOnly: Bool, to out: inout String) {
    let days = day(of: timestamp)
    let (y, m, d) = civil(days: days)
    appendPadded(y, width: 4, to: &out)
    out.append("-"); appendPadded(m, width: 2, to: &out)
    out.append("-"); appendPadded(d, width: 2, to: &out)
    if dateOnly { return }
    let nanos = timestamp - days * nanosecondsPerDay
    let seconds = Int(nanos / nanosecondsPerSecond)
    out.append("T"); appendPadded(seconds / 3600, width: 2, to: &out)
    out.append(":"); appendPadded(seconds / 60 % 60, width: 2, to: &out)
    out.append(":"); appendPadded(seconds % 60, width: 2, to: &out)
    var fraction = Int(nanos % nanosecondsPerSecond)
    if fraction != 0 {
      var digits = 9
      while fraction % 10 == 0 { fraction /= 10; digits -= 1 }
      out.append("."); appendPadded(fraction, width: digits, to: &out)
    }
    out.append("Z")
  }

  /// `true` when every timestamp is a midnight UTC (a date-only series).
  @inlinable
  public static func isMidnight(_ timestamp: Int64) -> Bool {
    timestamp - day(of: timestamp) * nanosecondsPerDay == 0
  }

  @usableFromInline
  internal static func appendPadded(_ value: Int, width: Int, to out: inout String) {
    if value < 0 { out.append("-"); appendPadded(-value, width: width, to: &out); return }
    let text = String(value)
    if text.count < width { out.append(String(repeating: "0", count: width - text.count)) }
    out.append(text)
  }
}
