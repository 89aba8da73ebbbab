import Foundation
import KairosCore
import KairosTestSupport
import Testing

/// The trading calendars and the periods-per-year rule, against `exchange_calendars` (XNYS
/// sessions, early closes, the America/New_York DST switches, 1990–2035; fixture made by
/// `Fixtures/make_calendar_fixtures.py`).
@Suite struct TradingCalendarTests {
  struct Fixture: Decodable {
    let closed_weekdays: [String], early_closes: [String], dst_switches_utc: [String]
  }

  static func fixture() throws -> Fixture {
    let url = TestPaths.repositoryRoot.appendingPathComponent("Tests/KairosCoreTests/Fixtures/nyse_calendar.json")
    return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
  }

  static func day(_ text: String) -> Int64 {
    let p = text.split(separator: "-").map { Int($0)! }
    return UTCCalendar.days(year: p[0], month: p[1], day: p[2])
  }

  static let ns = UTCCalendar.nanosecondsPerDay, hour = UTCCalendar.nanosecondsPerHour, minute = UTCCalendar.nanosecondsPerMinute

  @Test func nyseHolidaysAndEarlyClosesMatchExchangeCalendars() throws {
    let f = try Self.fixture()
    let closed = Set(f.closed_weekdays.map(Self.day)), early = Set(f.early_closes.map(Self.day))
    var mismatches: [String] = []
    for d in Self.day("1990-01-01")...Self.day("2035-12-31") where UTCCalendar.weekday(days: d) < 5 {
      let date = UTCCalendar.iso8601(d * Self.ns, dateOnly: true)
      if NYSEHolidays.isHoliday(d) != closed.contains(d) { mismatches.append("holiday \(date)") }
      if NYSEHolidays.isEarlyClose(d) != early.contains(d) { mismatches.append("early close \(date)") }
    }
    #expect(mismatches.isEmpty, "\(mismatches.prefix(20))")
  }

  /// `isHoliday` reads a table of 1900–2199 and applies the rules outside it: the two agree
  /// on every weekday from 1899 to 2201 (across both edges of the table).
  @Test func holidayTableAgreesWithTheRules() {
    var mismatches: [String] = []
    for year in 1899...2201 {
      let closed = Set(NYSEHolidays.holidays(year: year))
        .union(NYSEHolidays.specialClosures.filter { UTCCalendar.civil(days: $0).year == year })
      for d in UTCCalendar.days(year: year, month: 1, day: 1)..<UTCCalendar.days(year: year + 1, month: 1, day: 1)
      where UTCCalendar.weekday(days: d) < 5 && NYSEHolidays.isHoliday(d) != closed.contains(d) {
        mismatches.append(UTCCalendar.iso8601(d * Self.ns, dateOnly: true))
      }
      if year == 2200 { #expect(closed.contains(UTCCalendar.days(year: 2200, month: 1, day: 1)), "New Year's Day 2200 (a Wednesday) is past the table") }
    }
    #expect(mismatches.isEmpty, "\(mismatches.prefix(20))")
  }

  @Test func newYorkOffsetSwitchesWhenExchangeCalendarsSays() throws {
    let switches = try Self.fixture().dst_switches_utc.map { text -> Int64 in
      let date = Self.day(String(text.prefix(10)))
      return date * Self.ns + Int64(text.dropFirst(11).prefix(2))! * Self.hour
    }
    #expect(switches.count == 92)
    for t in switches {
      // The offset changes exactly at the switch instant (one hour before, the other offset).
      #expect(NewYorkTime.offset(at: t) != NewYorkTime.offset(at: t - Self.hour), "\(UTCCalendar.iso8601(t))")
      #expect(NewYorkTime.offset(at: t) == NewYorkTime.offset(at: t + 30 * Self.minute))
    }
    #expect(NewYorkTime.offset(at: Self.day("2024-07-01") * Self.ns) == -4 * Self.hour)
    #expect(NewYorkTime.offset(at: Self.day("2024-01-15") * Self.ns) == -5 * Self.hour)
  }

  @Test func sessionsOfEachCalendar() {
    // 2024-11-29 (Friday after Thanksgiving): an early close at 13:00 EST = 18:00 UTC.
    let friday = Self.day("2024-11-29")
    #expect(TradingCalendar.nyse.sessions(onLocalDate: friday) == [friday * Self.ns + 14 * Self.hour + 30 * Self.minute..<friday * Self.ns + 18 * Self.hour])
    #expect(TradingCalendar.nyse.sessions(onLocalDate: Self.day("2024-11-28")).isEmpty)
    // The FX week: Friday 17:00 New York to Sunday 17:00 is closed (48 hours).
    let fridayClose = Self.day("2024-11-29") * Self.ns + 22 * Self.hour
    #expect(TradingCalendar.fx.isOpen(at: fridayClose - 1) && !TradingCalendar.fx.isOpen(at: fridayClose))
    #expect(TradingCalendar.fx.openTime(from: fridayClose, to: fridayClose + 48 * Self.hour) == 0)
    #expect(TradingCalendar.fx.isOpen(at: fridayClose + 48 * Self.hour))
    // A whole week: 5 × 24 h for FX, 7 × 24 h for 24×7, 5 × 6.5 h for a week without holidays.
    let monday = Self.day("2024-11-04") * Self.ns
    #expect(TradingCalendar.fx.openTime(from: monday, to: monday + 7 * Self.ns) == 5 * Self.ns)
    #expect(TradingCalendar.always.openTime(from: monday, to: monday + 7 * Self.ns) == 7 * Self.ns)
    #expect(TradingCalendar.nyse.openTime(from: monday, to: monday + 7 * Self.ns) == 5 * (6 * Self.hour + 30 * Self.minute))
  }

  /// Timestamps every `step` from `start` for `count` steps that the calendar has in session.
  static func bars(_ calendar: TradingCalendar, from start: Int64, step: Int64, until end: Int64) -> [Int64] {
    stride(from: start, to: end, by: Int(step)).filter { calendar.isOpen(at: $0) }
  }

  @Test func periodsPerYearFollowTheDocumentedRule() {
    let start = Self.day("2017-04-03") * Self.ns
    let weekdays = (0..<400).map { start + Int64($0) * Self.ns }.filter { UTCCalendar.weekday(days: UTCCalendar.day(of: $0)) < 5 }
    let everyDay = (0..<400).map { start + Int64($0) * Self.ns }
    let weekly = (0..<200).map { start + Int64($0) * 7 * Self.ns }
    let monthly = (0..<60).map { k in UTCCalendar.days(year: 2000 + k / 12, month: k % 12 + 1, day: 1) * Self.ns }
    let fxHourly = Self.bars(.fx, from: start, step: Self.hour, until: start + 300 * Self.ns)
    let cryptoMinutes = (0..<20_000).map { start + Int64($0) * Self.minute }
    let nyseMinutes = Self.bars(.nyse, from: start, step: Self.minute, until: start + 30 * Self.ns)
    func p(_ t: [Int64]) -> Double? { PeriodsPerYear.infer(timestamps: t)?.value }
    #expect(p(weekdays) == 252 && p(everyDay) == 365 && p(weekly) == 52 && p(monthly) == 12)
    #expect(p(fxHourly) == 6_240 && PeriodsPerYear.infer(timestamps: fxHourly)?.calendar == .fx)
    #expect(p(cryptoMinutes) == 525_600 && PeriodsPerYear.infer(timestamps: cryptoMinutes)?.calendar == .always)
    #expect(p(nyseMinutes) == 98_280 && PeriodsPerYear.infer(timestamps: nyseMinutes)?.calendar == .nyse)
    // A chosen calendar wins over detection; fewer than two bars infer nothing.
    #expect(PeriodsPerYear.infer(timestamps: nyseMinutes, calendar: .always)?.value == 525_600)
    #expect(PeriodsPerYear.infer(timestamps: [start]) == nil)
  }

  /// The modal spacing against a naive count of every step, on irregular series with few and
  /// with many (more than 16) distinct steps, ties going to the smaller step.
  @Test func modalSpacingIsTheMostCommonStep() {
    var rng = SystemRandomNumberGenerator()
    for distinct in [1, 3, 16, 17, 40, 500] {
      for _ in 0..<20 {
        var t: [Int64] = [0]
        for _ in 0..<Int.random(in: 1...300, using: &rng) { t.append(t.last! + Int64.random(in: 1...Int64(distinct), using: &rng) * Self.minute) }
        var counts: [Int64: Int] = [:]
        for k in 1..<t.count { counts[t[k] - t[k - 1], default: 0] += 1 }
        let best = counts.values.max()!
        #expect(PeriodsPerYear.modalSpacing(t) == counts.filter { $0.value == best }.keys.min(), "\(distinct) distinct steps: \(t)")
      }
    }
    #expect(PeriodsPerYear.modalSpacing([Int64]()) == nil && PeriodsPerYear.modalSpacing([5]) == nil)
  }

  @Test func sessionDatesFollowEachCalendar() {
    // Sunday 2024-11-03 18:00 New York (23:00 UTC, standard time): the FX day of Monday
    // 2024-11-04; the NYSE and UTC dates of the same instant differ.
    let t = Self.day("2024-11-03") * Self.ns + 23 * Self.hour
    #expect(TradingCalendar.fx.sessionDate(of: t) == Self.day("2024-11-04"))
    #expect(TradingCalendar.nyse.sessionDate(of: t) == Self.day("2024-11-03"))
    #expect(TradingCalendar.always.sessionDate(of: t) == Self.day("2024-11-03"))
    // 19:59 New York is still that New York date although it is the next day in UTC.
    let evening = Self.day("2011-01-04") * Self.ns + 59 * Self.minute
    #expect(TradingCalendar.nyse.sessionDate(of: evening) == Self.day("2011-01-03"))
  }
}
