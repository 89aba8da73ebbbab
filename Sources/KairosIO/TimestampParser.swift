import KairosCore

/// Parses timestamp text into `Int64` nanoseconds since the epoch, UTC (docs/DESIGN.md §3).
///
/// Accepted: `YYYY-MM-DD` (midnight UTC), `YYYY-MM-DDTHH:MM`, `YYYY-MM-DDTHH:MM:SS`, with an
/// optional fraction of up to 9 digits and an optional `Z` or `±HH:MM` / `±HHMM` offset; a space
/// may replace the `T`; and epoch integers, in seconds (up to 11 digits) or milliseconds
/// (12–14 digits). Fields are range-checked (month 1–12, day within the month, 23:59:59 at most),
/// and so is the instant: from 1678-01-01 to 2261-12-31 (nanoseconds in an `Int64` reach a
/// little further, 1677-09-21 to 2262-04-11; the margin leaves room for the arithmetic on
/// timestamps downstream, e.g. adding a bar interval); anything outside is `nil`, never a trap.
@usableFromInline
enum TimestampParser {
  /// The instant of `bytes[start..<end]`, or `nil` when it is in no accepted format or range.
  @inlinable
  static func parse(_ b: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int64? {
    var i = start, stop = end
    while i < stop && b[i] == 0x20 { i += 1 }
    while stop > i && b[stop - 1] == 0x20 { stop -= 1 }
    let length = stop - i
    let t = length >= 10 && b[i + 4] == UInt8(ascii: "-") && b[i + 7] == UInt8(ascii: "-") ? parseISO(b, i, stop) : parseEpoch(b, i, stop)
    guard let t, UTCCalendar.acceptedRange.contains(t) else { return nil }
    return t
  }

  @inlinable
  static func digit(_ b: UnsafePointer<UInt8>, _ i: Int) -> Int? {
    let d = b[i] &- 0x30
    return d < 10 ? Int(d) : nil
  }

  @inlinable
  static func number(_ b: UnsafePointer<UInt8>, _ i: Int, _ count: Int) -> Int? {
    var value = 0
    for k in 0..<count {
      guard let d = digit(b, i + k) else { return nil }
      value = value * 10 + d
    }
    return value
  }

  @inlinable
  static func parseISO(_ b: UnsafePointer<UInt8>, _ i: Int, _ stop: Int) -> Int64? {
    guard let year = number(b, i, 4), let month = number(b, i + 5, 2), let day = number(b, i + 8, 2),
      month >= 1, month <= 12, day >= 1, day <= UTCCalendar.daysInMonth(year: year, month: month)
    else { return nil }
    let dayCount = UTCCalendar.days(year: year, month: month, day: day)  // small: four-digit years
    var t: Int64 = 0  // the time of day, then minus the offset
    @inline(__always) func instant(_ offset: Int64) -> Int64? {
      // Before the epoch, from the next midnight (the first representable day starts before
      // Int64.min: only its later instants exist).
      let shift: Int64 = dayCount < 0 ? 1 : 0
      let (midnight, overflow) = (dayCount + shift).multipliedReportingOverflow(by: UTCCalendar.nanosecondsPerDay)
      if overflow { return nil }
      let (value, late) = midnight.addingReportingOverflow(offset - shift * UTCCalendar.nanosecondsPerDay)
      return late ? nil : value
    }
    var p = i + 10
    if p == stop { return instant(0) }
    guard b[p] == UInt8(ascii: "T") || b[p] == UInt8(ascii: " ") || b[p] == UInt8(ascii: "t"), p + 6 <= stop,
      let hour = number(b, p + 1, 2), b[p + 3] == UInt8(ascii: ":"), let minute = number(b, p + 4, 2),
      hour < 24, minute < 60
    else { return nil }
    t += Int64(hour) * UTCCalendar.nanosecondsPerHour + Int64(minute) * UTCCalendar.nanosecondsPerMinute
    p += 6
    if p + 3 <= stop && b[p] == UInt8(ascii: ":") {
      guard let second = number(b, p + 1, 2), second < 60 else { return nil }
      t += Int64(second) * UTCCalendar.nanosecondsPerSecond
      p += 3
      if p < stop && b[p] == UInt8(ascii: ".") {
        p += 1
        var fraction: Int64 = 0, scale: Int64 = UTCCalendar.nanosecondsPerSecond, n = 0
        while p < stop, let d = digit(b, p) {
          n += 1
          if n > 9 { return nil }
          scale /= 10
          fraction += Int64(d) * scale
          p += 1
        }
        if n == 0 { return nil }
        t += fraction
      }
    }
    if p == stop { return instant(t) }
    if b[p] == UInt8(ascii: "Z") || b[p] == UInt8(ascii: "z") { return p + 1 == stop ? instant(t) : nil }
    guard b[p] == UInt8(ascii: "+") || b[p] == UInt8(ascii: "-") else { return nil }
    let sign: Int64 = b[p] == UInt8(ascii: "+") ? 1 : -1
    p += 1
    guard p + 2 <= stop, let offsetHours = number(b, p, 2), offsetHours < 24 else { return nil }
    p += 2
    if p < stop && b[p] == UInt8(ascii: ":") { p += 1 }
    guard p + 2 == stop, let offsetMinutes = number(b, p, 2), offsetMinutes < 60 else { return nil }
    // Local time = UTC + offset, so UTC = local − offset.
    return instant(t - sign * (Int64(offsetHours) * UTCCalendar.nanosecondsPerHour + Int64(offsetMinutes) * UTCCalendar.nanosecondsPerMinute))
  }

  @inlinable
  static func parseEpoch(_ b: UnsafePointer<UInt8>, _ i: Int, _ stop: Int) -> Int64? {
    var p = i
    var negative = false
    if p < stop && b[p] == UInt8(ascii: "-") { negative = true; p += 1 }
    let digits = stop - p
    guard digits >= 1 && digits <= 14, let value = number(b, p, digits) else { return nil }
    let signed = Int64(negative ? -value : value)
    let (t, overflow) = signed.multipliedReportingOverflow(by: digits <= 11 ? UTCCalendar.nanosecondsPerSecond : 1_000_000)
    return overflow ? nil : t
  }
}

extension UTCCalendar {
  /// Parses one timestamp (see `TimestampParser` for the accepted formats); `nil` when the text
  /// is in none of them.
  public static func parseTimestamp(_ text: String) -> Int64? {
    var copy = text
    return copy.withUTF8 { buffer in
      guard let base = buffer.baseAddress else { return nil }
      return TimestampParser.parse(base, 0, buffer.count)
    }
  }
}
