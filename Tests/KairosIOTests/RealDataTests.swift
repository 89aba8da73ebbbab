import Foundation
import KairosFrame
import KairosIO
import KairosTestSupport
import Testing

/// Checks against the developer data set (`KAIROS_SHARED_DATA`, or `shared/data` beside the clone; they fail, not skip, when it is missing) and its README,
/// and against the bundled AAPL files (always present).
@Suite struct RealDataTests {
  struct Expected: Sendable, CustomTestStringConvertible {
    let file: String, rows: Int, first: String, last: String, spacing: String, gaps: Int
    var testDescription: String { file }
  }

  // Figures from the data set's README: rows, range, "0 missing XNYS sessions and 0
  // non-session dates" for the daily files (their long steps — 9/11, the Ford day of mourning,
  // Hurricane Sandy — are closures, not gaps), and for SPY: February absent (19 sessions of 390
  // minutes) and 14,987 extended-hours bars.
  static let expected = [
    Expected(file: "orcl_daily.csv", rows: 5036, first: "1995-01-03", last: "2014-12-31", spacing: "1d", gaps: 0),
    Expected(file: "nvda_daily.csv", rows: 4012, first: "1999-01-22", last: "2014-12-31", spacing: "1d", gaps: 0),
    Expected(file: "aapl_daily_unadjusted.csv", rows: 3270, first: "2000-03-01", last: "2013-03-01", spacing: "1d", gaps: 0),
    Expected(file: "spy_minute_2011.csv", rows: 31757, first: "2011-01-03T09:00:00Z", last: "2011-03-31T23:58:00Z", spacing: "1m", gaps: -1),
  ]

  @Test(arguments: expected)
  func dataCheckMatchesTheDataREADME(expected: Expected) throws {
    let path = try TestPaths.sharedData(expected.file)
    let report = DataQualityCheck.run(path: path, verbose: true)
    #expect(report.rows == expected.rows && report.first == expected.first && report.last == expected.last)
    #expect(report.spacing == expected.spacing)
    #expect(report.duplicates == 0 && report.outOfOrder == 0)
    #expect(report.highBelowBody.count == 0 && report.lowAboveBody.count == 0 && report.highBelowLow.count == 0)
    #expect(report.nonPositivePrices.count == 0 && report.zeroVolume.count == 0 && report.nonFiniteValues.count == 0)
    #expect(report.usable)
    #expect(report.calendar == "nyse")
    if expected.gaps >= 0 {
      #expect(report.gapCount == expected.gaps && report.barsOutsideSessions == 0 && report.periodsPerYear == 252)
      #expect(report.closures >= expected.rows / 6)  // at least every weekend
    } else {
      // SPY: February 2011 is the one gap; nights, weekends and MLK day are closures.
      #expect(report.gapCount == 1 && report.gaps.first?.missingBars == 19 * 390)
      #expect(report.longestGap?.from.hasPrefix("2011-02-01") == true && report.longestGap?.to.hasPrefix("2011-03-01") == true)
      #expect(report.barsOutsideSessions == 14_987 && report.periodsPerYear == 98_280)
    }
    if expected.file == "aapl_daily_unadjusted.csv" {
      #expect(report.suspectedSplits.map(\.date) == ["2000-06-21", "2005-02-28"])
      #expect(report.suspectedSplits.allSatisfy { $0.confirmedByAdjustedClose == true })
    } else {
      #expect(report.suspectedSplits.isEmpty)
    }
  }

  @Test
  func actionsFileReport() throws {
    let report = DataQualityCheck.run(path: try TestPaths.sharedData("aapl_corporate_actions.csv"))
    #expect(report.kind == "corporate-actions" && report.rows == 5 && report.splits == 2 && report.dividends == 3)
    #expect(report.first == "2000-06-21" && report.last == "2013-02-07" && report.usable)
  }

  @Test func adjustingBundledAAPLReproducesAdjustedClose() throws {
    let frame = try CSVReader.readOHLCV(path: TestPaths.sample(SampleData.aaplDailyUnadjusted))
    let actions = try CorporateActionsReader.read(path: TestPaths.sample(SampleData.aaplCorporateActions))
    #expect(actions.count == 5)
    let adjusted = try frame.adjusted(for: actions)
    let close = Array(try adjusted.column("close")), source = Array(try frame.column("adj_close"))
    // Scale both series to the last row: the source also adjusts for events after the file ends.
    let n = close.count
    let ours = close.map { $0 / close[n - 1] }, theirs = source.map { $0 / source[n - 1] }
    let error = maxRelativeError(ours, theirs)
    #expect(error < 1e-3)
    #expect(error > 1e-6)  // CRSP and WIKI dividend rules differ (≈1.7e-4 per the data README)
    // Splits: the first row's volume is multiplied by 4 (two 2-for-1 splits), times the dividend factors.
    let volumeRatio = try adjusted.column("volume")[0] / frame.column("volume")[0]
    #expect(volumeRatio > 4 && volumeRatio < 4.1)
  }

  @Test func bundledSampleIsTheSharedFile() throws {
    let shared = try TestPaths.sharedData()
    for name in [SampleData.aaplDailyUnadjusted, SampleData.aaplCorporateActions] {
      let a = try Data(contentsOf: URL(fileURLWithPath: TestPaths.sample(name)))
      let b = try Data(contentsOf: shared.appendingPathComponent(name))
      #expect(a == b)
    }
  }

  @Test func sampleDataIsFoundNextToTheBuild() throws {
    let path = try SampleData.path(SampleData.aaplDailyUnadjusted)
    #expect(FileManager.default.fileExists(atPath: path))
  }

  @Test func unusableFileReportsReasons() throws {
    let path = TestPaths.writeTemporary("timestamp,open,high,low,close,volume\n2020-01-02,1,0.9,0.5,1,100\n2020-01-01,1,2,0.5,1,-5\n2020-01-01,1,2,0.5,1,7\n2019-12-31,1,2,0.5,1,0\n")
    let report = DataQualityCheck.run(path: path)
    #expect(!report.usable)
    #expect(report.duplicates == 1 && report.outOfOrder == 2 && report.negativeVolume.count == 0)
    #expect(report.errors.contains { $0.contains("duplicate timestamps (first on line 4") })
    #expect(report.errors.contains { $0.contains("high < max(open, close)") })
    let broken = DataQualityCheck.run(path: TestPaths.writeTemporary("timestamp,open\n"))
    #expect(!broken.usable && broken.errors[0].contains("missing required columns"))
  }
}
