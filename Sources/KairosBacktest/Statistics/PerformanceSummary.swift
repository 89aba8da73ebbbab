#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import KairosCore

/// The sufficient statistics of a backtest from which every metric of DESIGN.md §5 follows.
///
/// The engine fills it in one streaming pass (`PerformanceAccumulator`); `init(returns:…)` builds
/// it from arrays (reports, tests). Each metric is a type of its own (`SharpeRatio`,
/// `MaxDrawdown`, …) that reads this summary, so both paths share one definition.
public struct PerformanceSummary: Sendable, Equatable {
  /// Number of per-bar returns `n`.
  public var count: Int = 0
  /// `Π(1 + rᵢ)`.
  public var growth: Double = 1
  /// Mean of the returns.
  public var mean: Double = .nan
  /// Sample standard deviation (ddof 1).
  public var standardDeviation: Double = .nan
  /// `mean(min(rᵢ, 0)²)`.
  public var downsideMeanSquare: Double = .nan
  /// `min_t (E_t / max_{s≤t} E_s − 1)`, the initial capital included (≤ 0).
  public var maxDrawdown: Double = 0
  /// numpy `percentile(r, 5)` (linear interpolation).
  public var valueAtRisk: Double = .nan
  /// Mean of the `k + 1` smallest returns, `k = ⌊(n − 1)·0.05⌋` (empyrical).
  public var conditionalValueAtRisk: Double = .nan
  /// Periods per year `P` (252 for daily bars).
  public var periodsPerYear: Double = 252
  /// Closed round trips.
  public var trades: Int = 0
  public var winningTrades: Int = 0
  public var losingTrades: Int = 0
  /// Σ positive trade pnl and Σ negative trade pnl (≤ 0).
  public var grossProfit: Double = 0
  public var grossLoss: Double = 0
  /// Σ trade returns: all, winning, losing.
  public var tradeReturnSum: Double = 0
  public var winningReturnSum: Double = 0
  public var losingReturnSum: Double = 0
  /// Bars with a non-zero position at the close.
  public var exposedBars: Int = 0
  /// Σ |units × fill price| over all fills.
  public var tradedValue: Double = 0
  /// Mean equity over the bars.
  public var meanEquity: Double = .nan

  public init() {}
}

extension PerformanceSummary {
  /// The summary of a return series (no trades), with the equity curve implied by it.
  public init(returns: [Double], periodsPerYear: Double = 252) {
    var accumulator = PerformanceAccumulator(initialEquity: 1, periodsPerYear: periodsPerYear, capacity: returns.count)
    var equity = 1.0
    for r in returns {
      equity *= 1 + r
      accumulator.addBar(equity: equity, return: r, exposed: false)
    }
    self = accumulator.finish()
  }
}

/// The bar returns of one backtest, kept for the two tail statistics: one buffer allocated
/// with the known number of bars and reused (a class, so copies of the accumulator share it
/// instead of copying it on write).
@usableFromInline
final class _ReturnBuffer {
  @usableFromInline let base: UnsafeMutablePointer<Double>
  @usableFromInline let capacity: Int
  init(capacity: Int) {
    self.capacity = Swift.max(capacity, 1)
    base = .allocate(capacity: self.capacity)
  }
  deinit { base.deallocate() }
}

/// Streaming accumulation of a `PerformanceSummary`: O(1) work per bar, no allocation after
/// `init` (the returns buffer for the two tail statistics is allocated once, with the known
/// number of bars, and reused by `reset`).
///
/// Numerics: the sums of `r`, `r²`, `min(r, 0)²` and equity are compensated (Kahan–Babuška), so
/// the mean and the sample variance `(Σr² − n·mean²)/(n − 1)` agree with numpy's two-pass
/// results to ~1e-15 relative for return series (whose mean is far below their deviation).
/// The drawdown divides only on bars that can set a new minimum.
public struct PerformanceAccumulator {
  @usableFromInline var summary = PerformanceSummary()
  @usableFromInline var sum = KahanSum()
  @usableFromInline var squares = KahanSum()
  @usableFromInline var downside = KahanSum()
  @usableFromInline var equitySum = KahanSum()
  @usableFromInline var peak: Double
  /// `peak × (1 + maxDrawdown)`, slightly raised: equity above it cannot set a new minimum.
  @usableFromInline var drawdownThreshold: Double
  @usableFromInline let buffer: _ReturnBuffer
  @usableFromInline let initialEquity: Double

  public init(initialEquity: Double, periodsPerYear: Double, capacity: Int) {
    self.initialEquity = initialEquity
    peak = initialEquity
    drawdownThreshold = initialEquity * (1 + 1e-12)
    summary.periodsPerYear = periodsPerYear
    buffer = _ReturnBuffer(capacity: capacity)
  }

  /// Starts over (keeps the buffer).
  public mutating func reset() {
    let p = summary.periodsPerYear
    summary = PerformanceSummary()
    summary.periodsPerYear = p
    sum = KahanSum(); squares = KahanSum(); downside = KahanSum(); equitySum = KahanSum()
    peak = initialEquity
    drawdownThreshold = initialEquity * (1 + 1e-12)
  }

  /// One bar: its closing equity, its return `E_t / E_{t−1} − 1`, whether a position was held.
  @inlinable @inline(__always)
  public mutating func addBar(equity: Double, return r: Double, exposed: Bool) {
    let k = summary.count
    precondition(k < buffer.capacity, "more bars than the accumulator's capacity \(buffer.capacity)")
    buffer.base[k] = r
    summary.count = k + 1
    summary.growth *= 1 + r
    sum.add(r)
    squares.add(r * r)
    if r < 0 { downside.add(r * r) }
    if equity > peak {
      peak = equity
      drawdownThreshold = peak * (1 + summary.maxDrawdown) * (1 + 1e-12)
    } else if equity <= drawdownThreshold {
      let drawdown = equity / peak - 1
      if drawdown < summary.maxDrawdown { summary.maxDrawdown = drawdown }
      drawdownThreshold = peak * (1 + summary.maxDrawdown) * (1 + 1e-12)
    }
    equitySum.add(equity)
    if exposed { summary.exposedBars += 1 }
  }

  /// A fill of `value = |units × fill price|`.
  @inlinable
  public mutating func addFill(value: Double) { summary.tradedValue += value }

  /// A closed round trip with its net pnl and return.
  @inlinable
  public mutating func addTrade(pnl: Double, return r: Double) {
    summary.trades += 1
    summary.tradeReturnSum += r
    if pnl > 0 { summary.winningTrades += 1; summary.grossProfit += pnl; summary.winningReturnSum += r }
    else if pnl < 0 { summary.losingTrades += 1; summary.grossLoss += pnl; summary.losingReturnSum += r }
  }

  /// The summary; the tail statistics come from a partial sort of the bar returns (O(n)).
  public mutating func finish() -> PerformanceSummary {
    var s = summary
    let n = s.count
    guard n > 0 else { return s }
    let count = Double(n)
    s.mean = sum.value / count
    if n > 1 {
      let variance = (squares.value - count * s.mean * s.mean) / (count - 1)
      s.standardDeviation = Swift.max(variance, 0).squareRoot()
    } else { s.standardDeviation = .nan }
    s.downsideMeanSquare = downside.value / count
    s.meanEquity = equitySum.value / count
    (s.valueAtRisk, s.conditionalValueAtRisk) = Self.tail(buffer.base, n)
    return s
  }

  /// numpy `percentile(r, 5)` and empyrical's CVaR at 5 % of the `n` values at `r` (reorders them).
  static func tail(_ r: UnsafeMutablePointer<Double>, _ n: Int) -> (Double, Double) {
    let position = Double(n - 1) * 0.05
    let low = Int(position.rounded(.down))
    let high = Swift.min(low + 1, n - 1)
    // After selecting index `high`, every value before it is ≤ r[high]; select `low` within them.
    select(r, high, 0, n - 1)
    select(r, low, 0, high)
    let fraction = position - Double(low)
    // numpy's linear interpolation.
    let percentile = fraction == 0 ? r[low] : Self.lerp(r[low], r[high], fraction)
    var total = KahanSum()
    for i in 0...low { total.add(r[i]) }
    return (percentile, total.value / Double(low + 1))
  }

  /// numpy `percentile(r, 5)` and empyrical's CVaR at 5 % (reorders `r`).
  static func tail(_ r: inout [Double]) -> (Double, Double) {
    let n = r.count
    return r.withUnsafeMutableBufferPointer { tail($0.baseAddress!, n) }
  }

  /// numpy's `_lerp`: `a + (b − a)·t`, or `b − (b − a)·(1 − t)` when `t ≥ 0.5`.
  static func lerp(_ a: Double, _ b: Double, _ t: Double) -> Double {
    let d = b - a
    return t >= 0.5 ? b - d * (1 - t) : a + d * t
  }

  /// Quickselect (Hoare partition): puts the `k`-th smallest of `r[lo...hi]` at `k`, smaller
  /// ones before it. O(n) expected.
  static func select(_ r: UnsafeMutablePointer<Double>, _ k: Int, _ lo: Int, _ hi: Int) {
    var lo = lo, hi = hi
    while lo < hi {
      let pivot = r[(lo + hi) / 2]
      var i = lo, j = hi
      while i <= j {
        while r[i] < pivot { i += 1 }
        while r[j] > pivot { j -= 1 }
        if i <= j { let x = r[i]; r[i] = r[j]; r[j] = x; i += 1; j -= 1 }
      }
      if k <= j { hi = j } else if k >= i { lo = i } else { return }
    }
  }
}
