import Foundation
@testable import KairosBacktest
import KairosCore
import KairosIO
import KairosTestSupport
import Testing

struct MetricCase: Decodable, Sendable, CustomTestStringConvertible {
  let name: String
  let returns: [Double]
  let total_return, cagr, volatility, sharpe, sortino, max_drawdown, calmar, var_95, cvar_95: Double
  var testDescription: String { name }

  static let all: [MetricCase] = {
    struct File: Decodable { let cases: [MetricCase] }
    let url = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/metrics.json")
    return try! JSONDecoder().decode(File.self, from: Data(contentsOf: url)).cases
  }()
}

@Suite struct MetricFixtureTests {
  @Test(arguments: MetricCase.all)
  func metricsEqualEmpyrical(_ c: MetricCase) {
    let s = PerformanceSummary(returns: c.returns)
    let pairs: [(String, Double, Double)] = [
      ("total_return", TotalReturn.value(s), c.total_return), ("cagr", CAGR.value(s), c.cagr),
      ("volatility", Volatility.value(s), c.volatility), ("sharpe", SharpeRatio.value(s), c.sharpe),
      ("sortino", SortinoRatio.value(s), c.sortino), ("max_drawdown", MaxDrawdown.value(s), c.max_drawdown),
      ("calmar", CalmarRatio.value(s), c.calmar), ("var_95", ValueAtRisk.value(s), c.var_95),
      ("cvar_95", ConditionalValueAtRisk.value(s), c.cvar_95),
    ]
    for (name, ours, theirs) in pairs {
      #expect(isClose(ours, theirs, rtol: 1e-12, atol: 1e-15), "\(c.name) \(name): \(ours) vs \(theirs)")
    }
  }

  /// A one-pass variance gives constant non-zero returns a tiny positive deviation from
  /// cancellation (Sharpe ≈ 1e9); the corrected two-pass variance gives exactly 0.
  @Test(arguments: [0.001, 0.0123456789, 1e-7, -0.004, 0.3])
  func constantReturnsHaveNoSharpe(_ r: Double) {
    for n in [2, 7, 8, 9, 1000, 5003] {
      let s = PerformanceSummary(returns: [Double](repeating: r, count: n))
      #expect(s.standardDeviation == 0, "n \(n): std \(s.standardDeviation)")
      #expect(SharpeRatio.value(s).isNaN && Volatility.value(s) == 0)
      // No losing bar: no downside deviation, no Sortino.
      if r > 0 { #expect(SortinoRatio.value(s).isNaN) }
    }
  }

  /// The variance stays exact for a large level with tiny noise (where Σx² − n·m² loses every digit).
  @Test func varianceAgainstTheNaiveTwoPassAtALargeOffset() {
    var random = SplitMix64(seed: 5)
    let returns = (0..<4097).map { _ in 0.01 + 1e-9 * (random.nextUniform() - 0.5) }
    let m = returns.reduce(0, +) / Double(returns.count)
    let naive = (returns.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(returns.count - 1)).squareRoot()
    #expect(isClose(PerformanceSummary(returns: returns).standardDeviation, naive, rtol: 1e-9))
  }

  /// VaR and CVaR (selection over the gathered tail, or over every return) against sorting:
  /// numpy's `percentile(r, 5)` and the mean of the ⌊(n − 1)·0.05⌋ + 1 smallest. The series
  /// cover the selection's cases: few returns (no threshold), many, runs of exact zeros (a flat
  /// position: the 5 % tail may be all zeros, or cut through them), all equal, and ±0.
  @Test func tailStatisticsEqualSorting() {
    var random = SplitMix64(seed: 17)
    func series(_ n: Int, zeros: Double, negativeBias: Double) -> [Double] {
      (0..<n).map { _ in random.nextUniform() < zeros ? 0 : 0.02 * (random.nextUniform() - 0.5 - negativeBias) }
    }
    var cases: [[Double]] = []
    for n in [2, 3, 20, 511, 512, 600, 5000, 20_001] {
      for zeros in [0, 0.5, 0.9, 0.97, 1] as [Double] {
        for bias in [-0.45, 0, 0.3] { cases.append(series(n, zeros: zeros, negativeBias: bias)) }
      }
    }
    cases.append((0..<3000).map { $0 % 2 == 0 ? 0.0 : -0.0 })
    cases.append([Double](repeating: -0.01, count: 1000) + [Double](repeating: 0.01, count: 1000))
    // A few levels only: ties at, across and below the two order statistics.
    for n in [21, 600, 5000] {
      for levels in [[-0.02, -0.01, 0, 0.01], [-0.01, 0.01], [-0.03, 0.02]] {
        cases.append((0..<n).map { _ in levels[Int(random.next() % UInt64(levels.count))] })
      }
    }
    for returns in cases {
      let n = returns.count
      let sorted = returns.sorted()
      let position = Double(n - 1) * 0.05
      let low = Int(position.rounded(.down)), high = min(low + 1, n - 1)
      let fraction = position - Double(low)
      let d = sorted[high] - sorted[low]
      let percentile = fraction == 0 ? sorted[low] : (fraction >= 0.5 ? sorted[high] - d * (1 - fraction) : sorted[low] + d * fraction)
      let tail = sorted[0...low].reduce(0, +) / Double(low + 1)
      let s = PerformanceSummary(returns: returns)
      #expect(s.valueAtRisk == percentile, "n \(n)")
      #expect(isClose(s.conditionalValueAtRisk, tail, rtol: 1e-12, atol: 1e-18), "n \(n)")
    }
  }

  /// The branch-free selection gives the sorted order's value at every rank: random values,
  /// ties, one value, sorted and reversed orders, an organ pipe, ±0, ranges short and long
  /// (the values themselves are read only: `values` is a `let`).
  @Test func selectionFindsEveryRank() {
    var random = SplitMix64(seed: 29)
    var cases: [[Double]] = [[1], [2, 1], [-0.0, 0.0, -0.0]]
    for n in [3, 9, 17, 100, 513] {
      cases.append((0..<n).map { _ in random.nextUniform() - 0.5 })
      cases.append((0..<n).map { _ in Double(random.next() % 4) })
      cases.append([Double](repeating: 0.25, count: n))
      cases.append((0..<n).map { Double($0) })
      cases.append((0..<n).map { Double(n - $0) })
      cases.append((0..<n).map { Double(min($0, n - $0)) })
    }
    for values in cases {
      let sorted = values.sorted()
      var a = [Double](repeating: .nan, count: values.count), b = a
      for k in values.indices {
        let v = values.withUnsafeBufferPointer { x in
          a.withUnsafeMutableBufferPointer { a in
            b.withUnsafeMutableBufferPointer { b in
              PerformanceAccumulator.select(x.baseAddress!, x.count, rank: k, scratch: a.baseAddress!, b.baseAddress!)
            }
          }
        }
        #expect(v == sorted[k], "n \(values.count), rank \(k)")
      }
    }
  }

  /// Idle bars (no position, equity unmoved) are counted, not stored: their zeros enter the
  /// mean, the deviations, the tail and the mean equity in closed form. Against the naive
  /// definitions over every bar, and against the same bars each stored (marked as held): the
  /// same statistics to rounding, the same VaR exactly. Series from all idle to none, with
  /// the tail inside the losses, at the zeros, or past them; capacities that are too small
  /// for the stored bars and the zeros of the tail together.
  @Test func idleBarsAreCountedNotStored() {
    var random = SplitMix64(seed: 23)
    for n in [1, 2, 9, 300, 700, 5000] {
      for idleShare in [0, 0.3, 0.6, 0.95, 1] as [Double] {
        for capacity in [1, n] {
          var counted = PerformanceAccumulator(initialEquity: 100, periodsPerYear: 252, capacity: capacity)
          var stored = PerformanceAccumulator(initialEquity: 100, periodsPerYear: 252, capacity: n)
          var equity = 100.0, previous = 100.0
          var returns: [Double] = [], equities: [Double] = []
          var idle = false
          for _ in 0..<n {
            // Stretches: an idle bar tends to follow an idle bar, as a flat position does.
            if random.nextUniform() < 0.2 { idle = random.nextUniform() < idleShare }
            if !idle { equity *= 1 + 0.02 * (random.nextUniform() - 0.55) }
            let r = counted.addBar(equity: equity, previous: previous, exposed: !idle)
            let rStored = stored.addBar(equity: equity, previous: previous, exposed: true)
            #expect(r == rStored)
            returns.append(r)
            equities.append(equity)
            previous = equity
          }
          let s = counted.finish(), t = stored.finish()
          let count = Double(n)
          let mean = returns.reduce(0, +) / count
          let deviation = n > 1 ? (returns.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / (count - 1)).squareRoot() : .nan
          let downside = returns.map { min($0, 0) * min($0, 0) }.reduce(0, +) / count
          let sorted = returns.sorted()
          let position = (count - 1) * 0.05
          let low = Int(position.rounded(.down)), high = min(low + 1, n - 1)
          let fraction = position - Double(low), d = sorted[high] - sorted[low]
          let percentile = fraction == 0 ? sorted[low] : (fraction >= 0.5 ? sorted[high] - d * (1 - fraction) : sorted[low] + d * fraction)
          let label = "n \(n), idle \(idleShare), capacity \(capacity)"
          #expect(s.count == n && t.count == n, "\(label)")
          #expect(s.growth == t.growth && s.maxDrawdown == t.maxDrawdown, "\(label)")
          for (name, ours, other, naive) in [("mean", s.mean, t.mean, mean), ("std", s.standardDeviation, t.standardDeviation, deviation),
                                             ("downside", s.downsideMeanSquare, t.downsideMeanSquare, downside),
                                             ("mean equity", s.meanEquity, t.meanEquity, equities.reduce(0, +) / count)] {
            #expect(isClose(ours, naive, rtol: 1e-12, atol: 1e-18) && isClose(ours, other, rtol: 1e-13, atol: 1e-18),
                    "\(label) \(name): \(ours), stored \(other), naive \(naive)")
          }
          #expect(s.valueAtRisk == percentile && t.valueAtRisk == percentile, "\(label): VaR \(s.valueAtRisk) vs \(percentile)")
          #expect(isClose(s.conditionalValueAtRisk, sorted[0...low].reduce(0, +) / Double(low + 1), rtol: 1e-12, atol: 1e-18), "\(label): CVaR")
          #expect(isClose(s.conditionalValueAtRisk, t.conditionalValueAtRisk, rtol: 1e-14, atol: 1e-18), "\(label): CVaR stored")
        }
      }
    }
  }

  /// A live run has no known length: past its initial capacity the accumulator grows and
  /// gives the same summary as one sized for every bar.
  @Test func accumulatorGrowsPastItsCapacity() {
    var random = SplitMix64(seed: 11)
    var small = PerformanceAccumulator(initialEquity: 100, periodsPerYear: 252, capacity: 3)
    var sized = PerformanceAccumulator(initialEquity: 100, periodsPerYear: 252, capacity: 10_000)
    var equity = 100.0
    for _ in 0..<10_000 {
      let r = 0.02 * (random.nextUniform() - 0.5)
      equity *= 1 + r
      small.addBar(equity: equity, return: r, exposed: r > 0)
      sized.addBar(equity: equity, return: r, exposed: r > 0)
    }
    #expect(small.finish() == sized.finish())
  }

  @Test func undefinedValuesAreNaN() {
    let flat = PerformanceSummary(returns: [0, 0, 0, 0])
    #expect(SharpeRatio.value(flat).isNaN && SortinoRatio.value(flat).isNaN && CalmarRatio.value(flat).isNaN)
    #expect(MaxDrawdown.value(flat) == 0 && WinRate.value(flat).isNaN && ProfitFactor.value(flat).isNaN && Expectancy.value(flat).isNaN)
    #expect(TradeCount.value(flat) == 0)
    var accumulator = PerformanceAccumulator(initialEquity: 100, periodsPerYear: 252, capacity: 2)
    accumulator.addBar(equity: 110, return: 0.1, exposed: true)
    accumulator.addBar(equity: 99, return: -0.1, exposed: false)
    accumulator.addTrade(pnl: 10, return: 0.1)
    accumulator.addTrade(pnl: -5, return: -0.05)
    accumulator.addTrade(pnl: 3, return: 0.03)
    accumulator.addFill(value: 100)
    let s = accumulator.finish()
    #expect(WinRate.value(s) == 2.0 / 3 && ProfitFactor.value(s) == 13.0 / 5)
    #expect(isClose(AverageWin.value(s), 0.065, rtol: 1e-15) && AverageLoss.value(s) == -0.05 && isClose(Expectancy.value(s), 0.08 / 3, rtol: 1e-15))
    #expect(Exposure.value(s) == 0.5)
    #expect(isClose(Turnover.value(s), 100 / 104.5 / (2.0 / 252), rtol: 1e-15))
    #expect(isClose(MaxDrawdown.value(s), 99.0 / 110 - 1, rtol: 1e-15))
    var winners = PerformanceAccumulator(initialEquity: 1, periodsPerYear: 252, capacity: 1)
    winners.addBar(equity: 1, return: 0, exposed: false)
    winners.addTrade(pnl: 1, return: 0.1)
    #expect(ProfitFactor.value(winners.finish()) == .infinity)
    #expect(Metrics.names == ["total_return", "cagr", "volatility", "sharpe", "sortino", "max_drawdown", "calmar", "var_95", "cvar_95",
                              "win_rate", "profit_factor", "avg_win", "avg_loss", "expectancy", "trades", "exposure", "turnover"])
  }
}

struct RelativeCase: Decodable, Sendable, CustomTestStringConvertible {
  let name: String
  let returns: [Double], benchmark: [Double]
  let alpha, beta, information_ratio, tracking_error: Double
  var testDescription: String { name }

  static let all: [RelativeCase] = {
    struct File: Decodable { let cases: [RelativeCase] }
    let url = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/relative.json")
    return try! JSONDecoder().decode(File.self, from: Data(contentsOf: url)).cases
  }()
}

@Suite struct RelativeFixtureTests {
  @Test(arguments: RelativeCase.all)
  func relativeStatisticsEqualEmpyrical(_ c: RelativeCase) {
    #expect(isClose(Beta.value(returns: c.returns, benchmark: c.benchmark), c.beta, rtol: 1e-12))
    #expect(isClose(Alpha.value(returns: c.returns, benchmark: c.benchmark, periodsPerYear: 252), c.alpha, rtol: 1e-12))
    #expect(isClose(InformationRatio.value(returns: c.returns, benchmark: c.benchmark), c.information_ratio, rtol: 1e-12))
    #expect(isClose(TrackingError.value(returns: c.returns, benchmark: c.benchmark, periodsPerYear: 252), c.tracking_error, rtol: 1e-12))
  }
}

/// Annualization on intraday data: the periods per year are inferred from the timestamps by
/// the docs/DESIGN.md §5 rule, and the annualized metrics equal empyrical's with that factor
/// (`Fixtures/make_annualization_fixtures.py`).
@Suite struct AnnualizationFixtureTests {
  struct Metrics: Decodable {
    let periods_per_year, cagr, volatility, sharpe, sortino, calmar: Double
  }
  struct Crypto: Decodable {
    let start: String, spacing_seconds: Int64, returns: [Double]
    let periods_per_year, cagr, volatility, sharpe, sortino, calmar: Double
    var metrics: Metrics { Metrics(periods_per_year: periods_per_year, cagr: cagr, volatility: volatility, sharpe: sharpe, sortino: sortino, calmar: calmar) }
  }
  struct File: Decodable { let spy_minute: Metrics, crypto_minute: Crypto }

  static func file() throws -> File {
    try JSONDecoder().decode(File.self, from: Data(contentsOf: Bundle.module.resourceURL!.appendingPathComponent("Fixtures/annualization.json")))
  }

  static func check(returns: [Double], timestamps: [Int64], expected: Metrics, name: String) {
    let inferred = PeriodsPerYear.infer(timestamps: timestamps)?.value
    #expect(inferred == expected.periods_per_year, "\(name): inferred \(String(describing: inferred))")
    let s = PerformanceSummary(returns: returns, periodsPerYear: inferred ?? .nan)
    for (metric, ours, theirs) in [("cagr", CAGR.value(s), expected.cagr), ("volatility", Volatility.value(s), expected.volatility),
                                   ("sharpe", SharpeRatio.value(s), expected.sharpe), ("sortino", SortinoRatio.value(s), expected.sortino),
                                   ("calmar", CalmarRatio.value(s), expected.calmar)] {
      #expect(isClose(ours, theirs, rtol: 1e-9), "\(name) \(metric): \(ours) vs \(theirs)")
    }
  }

  @Test func spyMinuteBarsAnnualizeWithTheNYSESession() throws {
    let frame = try CSVReader.readOHLCV(path: try TestPaths.sharedData("spy_minute_2011.csv"))
    let close = Array(frame["close"]!)
    let returns = (1..<close.count).map { close[$0] / close[$0 - 1] - 1 }
    Self.check(returns: returns, timestamps: Array(frame.index.timestamps), expected: try Self.file().spy_minute, name: "SPY minutes")
  }

  @Test func cryptoMinuteBarsAnnualizeAroundTheClock() throws {
    let c = try Self.file().crypto_minute
    #expect(c.start == "2021-05-01T00:00:00Z")
    let start = UTCCalendar.days(year: 2021, month: 5, day: 1) * UTCCalendar.nanosecondsPerDay
    let timestamps = (0...c.returns.count).map { start + Int64($0) * c.spacing_seconds * 1_000_000_000 }
    Self.check(returns: c.returns, timestamps: timestamps, expected: c.metrics, name: "24x7 minutes")
  }
}
