import Foundation
import KairosBacktest
import KairosCore
import KairosReports
import KairosTestSupport
import Testing

/// The tear sheet's figures against empyrical and pyfolio on the same returns
/// (`Fixtures/make_tearsheet_fixtures.py`).
struct TearSheetCase: Decodable, Sendable, CustomTestStringConvertible {
  struct Rolling: Decodable, Sendable { let sharpe: [Double?], volatility: [Double?] }
  struct Episode: Decodable, Sendable { let peak: String, valley: String, recovery: String?, depth: Double }
  let name: String
  let dates: [String]
  let returns: [Double], benchmark: [Double]
  let alpha, beta, information_ratio, max_drawdown, value_at_risk, conditional_value_at_risk, skew, kurtosis: Double
  let rolling: [String: Rolling]
  let monthly: [[Double]], yearly: [[Double]]
  let drawdowns: [Episode]
  var testDescription: String { name }
  var timestamps: [Int64] { dates.map { UTCCalendar.parseTimestamp($0)! } }

  static let all: [TearSheetCase] = {
    struct File: Decodable { let cases: [TearSheetCase] }
    let url = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/tearsheet.json")
    return try! JSONDecoder().decode(File.self, from: Data(contentsOf: url)).cases
  }()
}

@Suite struct TearSheetFixtureTests {
  @Test(arguments: TearSheetCase.all)
  func worstDrawdownsEqualPyfolio(_ c: TearSheetCase) {
    let found = TearSheet.worstDrawdowns(c.returns, top: 5)
    #expect(found.count == c.drawdowns.count)
    for (mine, theirs) in zip(found, c.drawdowns) {
      #expect(mine.peak.map { c.dates[$0] } == theirs.peak)
      #expect(c.dates[mine.valley] == theirs.valley)
      #expect(mine.recovery.map { c.dates[$0] } == theirs.recovery)
      #expect(isClose(mine.depth, theirs.depth, rtol: 1e-12))
    }
    #expect(isClose(found[0].depth, c.max_drawdown, rtol: 1e-12))
    #expect(isClose(TearSheet.underwater(c.returns).min()!, c.max_drawdown, rtol: 1e-12))
  }

  @Test(arguments: TearSheetCase.all)
  func rollingSharpeAndVolatilityEqualEmpyrical(_ c: TearSheetCase) {
    for (window, expected) in c.rolling {
      let (sharpe, volatility) = TearSheet.rolling(c.returns, window: Int(window)!, periodsPerYear: 252)
      #expect(sharpe.count == expected.sharpe.count)
      for t in sharpe.indices {
        if let e = expected.sharpe[t] { #expect(isClose(sharpe[t], e, rtol: 1e-9), "sharpe \(window) at \(t)") } else { #expect(sharpe[t].isNaN) }
        if let e = expected.volatility[t] { #expect(isClose(volatility[t], e, rtol: 1e-9), "volatility \(window) at \(t)") } else { #expect(volatility[t].isNaN) }
      }
    }
  }

  @Test(arguments: TearSheetCase.all)
  func calendarAndBenchmarkStatisticsEqualEmpyrical(_ c: TearSheetCase) {
    let (yearly, monthly) = TearSheet.calendarReturns(c.timestamps, c.returns)
    #expect(yearly.count == c.yearly.count && monthly.count == c.monthly.count)
    for (mine, theirs) in zip(yearly, c.yearly) { #expect(mine.year == Int(theirs[0]) && isClose(mine.value, theirs[1], rtol: 1e-12)) }
    for (mine, theirs) in zip(monthly, c.monthly) {
      #expect(mine.year == Int(theirs[0]) && mine.month == Int(theirs[1]) && isClose(mine.value, theirs[2], rtol: 1e-12, atol: 1e-15))
    }
    let relative = TearSheet.Relative(returns: c.returns, benchmark: c.benchmark, periodsPerYear: 252)
    #expect(isClose(relative.alpha, c.alpha, rtol: 1e-10))
    #expect(isClose(relative.beta, c.beta, rtol: 1e-12))
    #expect(isClose(relative.informationRatio, c.information_ratio, rtol: 1e-12))
    let moments = TearSheet.moments(c.returns)
    #expect(isClose(moments.skew, c.skew, rtol: 1e-10) && isClose(moments.kurtosis, c.kurtosis, rtol: 1e-10))
    let summary = PerformanceSummary(returns: c.returns, periodsPerYear: 252)
    #expect(isClose(summary.valueAtRisk, c.value_at_risk, rtol: 1e-12))
    #expect(isClose(summary.conditionalValueAtRisk, c.conditional_value_at_risk, rtol: 1e-12))
  }

  /// A naive reference for the drawdown table on a hand-made curve: two recovered episodes and
  /// one open at the end.
  @Test func worstDrawdownsOnAHandMadeCurve() {
    // equity 1, 1.1, 0.99, 1.1, 1.21, 0.968, 1.21, 1.3, 1.17
    let r = [0, 0.1, -0.1, 1.1 / 0.99 - 1, 0.1, -0.2, 1.21 / 0.968 - 1, 1.3 / 1.21 - 1, -0.1]
    let d = TearSheet.worstDrawdowns(r, top: 5)
    #expect(d.map(\.valley) == [5, 2, 8])
    #expect(d.map(\.peak) == [4, 1, 7])
    #expect(d.map(\.recovery) == [6, 3, nil])
    #expect(d.map(\.length) == [2, 2, 1])
    #expect(isClose(d[0].depth, -0.2, rtol: 1e-12) && isClose(d[2].depth, -0.1, rtol: 1e-12))
    #expect(TearSheet.buyAndHold([[10, 11, .nan, 12.1]]).map { ($0 * 1e9).rounded() / 1e9 } == [0, 0.1, 0, 0.1])
  }
}
