#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import KairosBacktest
import KairosCore

/// What a researcher looks for in a tear sheet beyond the 17 metrics, computed from a return
/// series (and a benchmark's over the same bars): the underwater curve, the worst drawdowns,
/// rolling Sharpe and volatility, calendar returns, and the statistics against the benchmark.
///
/// Conventions are empyrical's and pyfolio's (risk-free rate 0; `Tests/KairosCLITests/Fixtures/
/// make_tearsheet_fixtures.py` checks them), with one choice of ours: the underwater curve starts
/// from the initial capital, as the `max_drawdown` metric does, so the deepest drawdown of the
/// table is the metric. (pyfolio starts from the first bar's equity; a backtest's first return
/// is 0, and then both agree.)
public enum TearSheet {
  /// Equity below its running peak, `E_t / max(1, max_{s≤t} E_s) − 1` with `E_t = Π(1 + r)`
  /// (≤ 0; 0 at a new high).
  public static func underwater(_ returns: [Double]) -> [Double] {
    var equity = 1.0, peak = 1.0
    return returns.map { r in
      equity *= 1 + r
      peak = Swift.max(peak, equity)
      return equity / peak - 1
    }
  }

  /// A drawdown episode, as bar numbers: the peak it fell from (`nil`: the initial capital,
  /// before the first bar), the valley, the bar it first stood at the peak again (`nil`: not
  /// recovered by the last bar); depth `valley / peak − 1` (< 0); length in bars from the peak
  /// to the recovery or, if none, to the last bar.
  public struct Drawdown: Sendable, Equatable {
    public let peak: Int?, valley: Int, recovery: Int?
    public let depth: Double
    public let length: Int
  }

  /// The `top` deepest non-overlapping drawdowns, deepest first (pyfolio `get_top_drawdowns`:
  /// take the deepest valley, its peak and recovery, cut that stretch out, repeat).
  public static func worstDrawdowns(_ returns: [Double], top: Int = 5) -> [Drawdown] {
    let uw = underwater(returns)
    var alive = [Bool](repeating: true, count: uw.count)
    var found: [Drawdown] = []
    while found.count < top {
      var valley: Int? = nil
      for t in uw.indices where alive[t] && uw[t] < 0 && (valley == nil || uw[t] < uw[valley!]) { valley = t }
      guard let v = valley else { break }
      let peak = (0..<v).last { alive[$0] && uw[$0] == 0 }
      let recovery = (v..<uw.count).first { alive[$0] && uw[$0] == 0 }
      let from = (peak ?? -1) + 1
      for t in from..<(recovery ?? uw.count) { alive[t] = false }
      found.append(Drawdown(peak: peak, valley: v, recovery: recovery, depth: uw[v], length: (recovery ?? uw.count - 1) - (peak ?? -1)))
    }
    return found
  }

  /// Sharpe ratio and annualized volatility of each trailing `window` bars (empyrical
  /// `roll_sharpe_ratio`, `roll_annual_volatility`): the value at bar t covers bars
  /// t − window + 1 … t; NaN before the first full window.
  public static func rolling(_ returns: [Double], window: Int, periodsPerYear: Double) -> (sharpe: [Double], volatility: [Double]) {
    var sharpe = [Double](repeating: .nan, count: returns.count), volatility = sharpe
    guard window >= 2, returns.count >= window else { return (sharpe, volatility) }
    for t in (window - 1)..<returns.count {
      let s = PerformanceSummary(returns: Array(returns[(t - window + 1)...t]), periodsPerYear: periodsPerYear)
      sharpe[t] = SharpeRatio.value(s)
      volatility[t] = Volatility.value(s)
    }
    return (sharpe, volatility)
  }

  /// Compounded return per calendar year, and per (year, month) (empyrical `aggregate_returns`),
  /// in time order.
  public static func calendarReturns(_ timestamps: [Int64], _ returns: [Double]) -> (yearly: [(year: Int, value: Double)], monthly: [(year: Int, month: Int, value: Double)]) {
    var yearly: [(year: Int, value: Double)] = [], monthly: [(year: Int, month: Int, value: Double)] = []
    for (t, r) in zip(timestamps, returns) {
      let (y, m, _) = UTCCalendar.civil(days: UTCCalendar.day(of: t))
      if yearly.last?.year != y { yearly.append((y, 0)) }
      if monthly.last.map({ $0.year != y || $0.month != m }) ?? true { monthly.append((y, m, 0)) }
      yearly[yearly.count - 1].value = (1 + yearly[yearly.count - 1].value) * (1 + r) - 1
      monthly[monthly.count - 1].value = (1 + monthly[monthly.count - 1].value) * (1 + r) - 1
    }
    return (yearly, monthly)
  }

  /// Skewness and excess kurtosis of the returns, bias-corrected as pandas' `skew()` and
  /// `kurt()` (what quantstats shows); NaN for fewer than 3 (4) bars or constant returns.
  public static func moments(_ x: [Double]) -> (skew: Double, kurtosis: Double) {
    let n = Double(x.count)
    guard n >= 3 else { return (.nan, .nan) }
    let mean = x.reduce(0, +) / n
    var m2 = 0.0, m3 = 0.0, m4 = 0.0
    for v in x { let d = v - mean; m2 += d * d; m3 += d * d * d; m4 += d * d * d * d }
    m2 /= n; m3 /= n; m4 /= n
    guard m2 > 0 else { return (.nan, .nan) }
    let skew = (n * (n - 1)).squareRoot() / (n - 2) * m3 / pow(m2, 1.5)
    let kurtosis = n >= 4 ? ((n + 1) * (m4 / (m2 * m2) - 3) + 6) * (n - 1) / ((n - 2) * (n - 3)) : .nan
    return (skew, kurtosis)
  }

  /// Statistics against a benchmark over the same bars (empyrical `alpha`, `beta`,
  /// `excess_sharpe`; the tracking error annualized).
  public struct Relative: Sendable {
    public let alpha: Double, beta: Double, informationRatio: Double, trackingError: Double, correlation: Double
    public init(returns r: [Double], benchmark b: [Double], periodsPerYear: Double) {
      alpha = Alpha.value(returns: r, benchmark: b, periodsPerYear: periodsPerYear)
      beta = Beta.value(returns: r, benchmark: b)
      informationRatio = InformationRatio.value(returns: r, benchmark: b)
      trackingError = TrackingError.value(returns: r, benchmark: b, periodsPerYear: periodsPerYear)
      let n = Double(r.count), mr = r.reduce(0, +) / n, mb = b.reduce(0, +) / n
      var sxy = 0.0, sxx = 0.0, syy = 0.0
      for i in r.indices { sxy += (r[i] - mr) * (b[i] - mb); sxx += (r[i] - mr) * (r[i] - mr); syy += (b[i] - mb) * (b[i] - mb) }
      correlation = sxx > 0 && syy > 0 ? sxy / (sxx * syy).squareRoot() : .nan
    }
  }

  /// Buy-and-hold returns of one or several close series (equal weights, rebalanced each bar):
  /// `close_t / close_{t−1} − 1`, 0 on the first bar and where a close is missing (NaN: the last
  /// valid close carries).
  public static func buyAndHold(_ closes: [[Double]]) -> [Double] {
    guard let n = closes.first?.count, n > 0 else { return [] }
    var out = [Double](repeating: 0, count: n)
    for close in closes {
      var last = Double.nan
      for t in 0..<n {
        if close[t].isFinite && close[t] > 0 {
          if last.isFinite { out[t] += (close[t] / last - 1) / Double(closes.count) }
          last = close[t]
        }
      }
    }
    return out
  }
}
