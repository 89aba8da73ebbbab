#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Kaufman's efficiency ratio over `window` bars: `|x[t] − x[t−w]| / Σ |x[i] − x[i−1]|` over the
/// last `w` steps (exact sum). `NaN` for the first `window` bars, and `0/0 = NaN` for a flat
/// window. Finite-window.
public struct EfficiencyRatioState: StreamingIndicator {
  var values: WindowRing
  var path: ExactWindowSum

  public init(window: Int) {
    precondition(window >= 1, "window must be positive, was \(window)")
    values = WindowRing(window: window + 1)
    path = ExactWindowSum(window: window)
  }

  public mutating func update(_ x: Double) -> Double {
    let previous = values.back(0)
    values.push(x)
    path.push(values.filled > 1 ? Swift.abs(x - previous) : .nan)
    guard values.filled == values.window, path.count == path.window else { return .nan }
    return Swift.abs(x - values.back(values.window - 1)) / path.value
  }
}

/// The choppiness index over `window` bars: `100 · log10(Σ true range / (max high − min low)) /
/// log10(window)`. The first bar's true range is `NaN`, so the first `window` bars are `NaN`.
/// Finite-window.
public struct ChoppinessState: StreamingIndicator {
  var range = TrueRangeState()
  var rangeSum: ExactWindowSum
  var highest: RollingExtremumState, lowest: RollingExtremumState
  let scale: Double

  public init(window: Int = 14) {
    precondition(window >= 2, "window must be at least 2, was \(window)")
    rangeSum = ExactWindowSum(window: window)
    highest = RollingExtremumState(window: window, maximum: true)
    lowest = RollingExtremumState(window: window, maximum: false)
    scale = 100 / log10(Double(window))
  }

  public mutating func update(_ b: HighLowClose) -> Double {
    rangeSum.push(range.update(b))
    let h = highest.update(b.high), l = lowest.update(b.low)
    guard rangeSum.isFull, rangeSum.count == rangeSum.window else { return .nan }
    return scale * log10(rangeSum.value / (h - l))
  }
}

/// Bollinger bands over `window` bars with `k` population standard deviations (TA-Lib
/// `BBANDS`): `middle` the mean, `lower/upper = middle ∓ k·σ`. Finite-window.
public struct BollingerState: Sendable {
  public let k: Double
  var deviation: RollingDeviationState

  public init(window: Int, k: Double) {
    self.k = k
    deviation = RollingDeviationState(window: window, ddof: 0)
  }

  /// The bands after `x`: `NaN` until the window is full and while it holds a `NaN`.
  public mutating func update(_ x: Double) -> (lower: Double, middle: Double, upper: Double) {
    let sd = deviation.update(x), m = deviation.mean
    return (m - k * sd, m, m + k * sd)
  }
}
