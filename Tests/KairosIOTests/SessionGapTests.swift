import Foundation
import KairosCore
import KairosFrame
import KairosIO
import KairosTestSupport
import Testing

/// `data check` tells closures from gaps: gaps planted inside sessions are found, one by one,
/// with the number of bars missing, and nothing else is called a gap.
@Suite struct SessionGapTests {
  /// The rows of a CSV whose timestamp is not in `drop`.
  static func csv(header: String, rows: [(Int64, String)], dropping drop: (Int64) -> Bool) -> String {
    ([header] + rows.filter { !drop($0.0) }.map { UTCCalendar.iso8601($0.0) + "," + $0.1 }).joined(separator: "\n") + "\n"
  }

  static func at(_ text: String) -> Int64 {
    let d = text.prefix(10).split(separator: "-").map { Int($0)! }
    let h = Int64(text.dropFirst(11).prefix(2))!, m = Int64(text.dropFirst(14).prefix(2))!
    return UTCCalendar.days(year: d[0], month: d[1], day: d[2]) * UTCCalendar.nanosecondsPerDay + h * UTCCalendar.nanosecondsPerHour + m * UTCCalendar.nanosecondsPerMinute
  }

  @Test func gapsPlantedInSPYMinuteSessionsAreFound() throws {
    let text = try String(contentsOfFile: try TestPaths.sharedData("spy_minute_2011.csv"), encoding: .utf8)
    let rows = text.split(separator: "\n").dropFirst().map { line -> (Int64, String) in
      let comma = line.firstIndex(of: ",")!
      return (Self.at(String(line[..<comma])), String(line[line.index(after: comma)...]))
    }
    let wholeDay = UTCCalendar.days(year: 2011, month: 1, day: 20)
    let planted: [(from: String, to: String, missing: Int)] = [
      ("2011-01-05T15:00:00Z", "2011-01-05T15:05:00Z", 5),   // 10:00–10:04 New York
      ("2011-03-15T18:30:00Z", "2011-03-15T18:31:00Z", 1),   // one minute, daylight time
      ("2011-03-31T14:30:00Z", "2011-03-31T14:33:00Z", 3),   // 10:30–10:32 daylight time
    ]
    let drop: (Int64) -> Bool = { t in
      UTCCalendar.day(of: t) == wholeDay || planted.contains { Self.at($0.from) <= t && t < Self.at($0.to) }
    }
    let path = TestPaths.writeTemporary(Self.csv(header: "timestamp,open,high,low,close,volume", rows: rows, dropping: drop), name: "spy.csv")
    let report = DataQualityCheck.run(path: path, verbose: true)
    #expect(report.calendar == "nyse")
    let found = report.gaps.map(\.missingBars)
    // February (19 sessions), the whole of 2011-01-20 (390 minutes) and the three planted.
    #expect(report.gapCount == 5)
    #expect(found.sorted { ($0 ?? 0) < ($1 ?? 0) } == [1, 3, 5, 390, 19 * 390])
  }

  @Test func generatedFXWeeksAreClosuresAndPlantedGapsAreGaps() throws {
    // Hourly EUR/USD-like bars, April 2017 – February 2018, every hour of the FX week (Sunday
    // 17:00 to Friday 17:00 New York), built with Foundation's time-zone database as the
    // independent reference for the calendar.
    let newYork = try #require(TimeZone(identifier: "America/New_York"))
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = newYork
    let start = Self.at("2017-04-02T00:00:00Z"), hour = UTCCalendar.nanosecondsPerHour
    var rows: [(Int64, String)] = []
    var t = start
    while t < Self.at("2018-02-28T00:00:00Z") {
      let date = Date(timeIntervalSince1970: TimeInterval(t / 1_000_000_000))
      let parts = calendar.dateComponents([.weekday, .hour], from: date)  // 1 = Sunday
      let open = switch parts.weekday! { case 7: false; case 1: parts.hour! >= 17; case 6: parts.hour! < 17; default: true }
      if open { rows.append((t, "1.1,1.2,1.0,1.1,100")) }
      t += hour
    }
    let plantedHours = ["2017-06-14T03:00:00Z", "2017-11-23T15:00:00Z", "2018-01-01T10:00:00Z"].map(Self.at)  // Thanksgiving and New Year's Day trade in FX
    let path = TestPaths.writeTemporary(Self.csv(header: "timestamp,open,high,low,close,volume", rows: rows, dropping: { plantedHours.contains($0) }), name: "eurusd.csv")
    let report = DataQualityCheck.run(path: path, verbose: true)
    #expect(report.calendar == "24x5" && report.periodsPerYear == 6_240)
    #expect(report.gapCount == 3 && report.gaps.allSatisfy { $0.missingBars == 1 })
    // Every weekend is a closure: 47 Friday-to-Sunday steps in the range, and nothing else.
    #expect(report.closures == 47 && report.barsOutsideSessions == 0)
    // The same series with the NYSE calendar forced: bars at night are outside its sessions.
    #expect(DataQualityCheck.run(path: path, calendar: .nyse).barsOutsideSessions > 0)
  }
}
