#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import KairosCore

@usableFromInline func _log10(_ x: Double) -> Double { log10(x) }

/// MACD lines: `macd = EMA(fast) − EMA(slow)`, `signal = EMA(signal span) of macd`,
/// `histogram = macd − signal`.
public struct MACDLines: Sendable {
  public let macd: Column<Double>
  public let signal: Column<Double>
  public let histogram: Column<Double>
}

/// Bollinger band features.
public struct BollingerFeatures: Sendable {
  /// `(x − lower) / (upper − lower)`: 0 at the lower band, 1 at the upper.
  public let percentB: Column<Double>
  /// `(upper − lower) / middle`.
  public let bandwidth: Column<Double>
}

extension Column where Element == Double {
  /// MACD with pandas conventions: every EMA is `ewm(span=, adjust=False).mean()` (see
  /// `exponentialMovingAverage(span:)`), so values start at the first row (TA-Lib's `MACD`
  /// instead seeds its EMAs with SMAs and starts at row 33 for 12/26/9).
  public func macd(fast: Int = 12, slow: Int = 26, signal: Int = 9) -> MACDLines {
    precondition(fast >= 1 && slow > fast && signal >= 1, "expected 1 <= fast < slow and signal >= 1")
    let fastEMA = exponentialMovingAverage(span: Double(fast)), slowEMA = exponentialMovingAverage(span: Double(slow))
    let line = Self._combine(fastEMA, slowEMA, -)
    let signalLine = line.exponentialMovingAverage(span: Double(signal))
    let histogram = Self._combine(line, signalLine, -)
    return MACDLines(macd: line, signal: signalLine, histogram: histogram)
  }

  /// Bollinger bands over `window` bars with `k` population standard deviations (ddof 0, as
  /// TA-Lib `BBANDS`): `middle = SMA`, `upper/lower = middle ± k·σ`. pandas:
  /// `m = s.rolling(w).mean(); sd = s.rolling(w).std(ddof=0)`. A constant window gives
  /// `%B = 0/0 = NaN` and bandwidth 0. The fold of `BollingerState` (as the feature spec's).
  public func bollinger(window: Int = 20, k: Double = 2) -> BollingerFeatures {
    precondition(window >= 2, "window must be at least 2, was \(window)")
    var bands = BollingerState(window: window, k: k)
    var percentB = [Double](repeating: .nan, count: count), bandwidth = percentB
    withUnsafeBufferPointer { x in
      for i in 0..<x.count {
        let b = bands.update(x[i])
        percentB[i] = (x[i] - b.lower) / (b.upper - b.lower)
        bandwidth[i] = (b.upper - b.lower) / b.middle
      }
    }
    return BollingerFeatures(percentB: Column(percentB), bandwidth: Column(bandwidth))
  }

  /// Kaufman efficiency ratio over `window` bars: `|x[t] − x[t−w]| / Σ_{i=t−w+1…t} |x[i] − x[i−1]|`,
  /// from 0 (pure noise) to 1 (a straight line). Rows `0..<window` are `NaN`; a flat window is
  /// `0/0 = NaN`. The fold of `EfficiencyRatioState`.
  public func efficiencyRatio(window: Int = 10) -> Column<Double> {
    precondition(window >= 1, "window must be positive, was \(window)")
    return streamed(EfficiencyRatioState(window: window))
  }

  /// Realized volatility: the sample standard deviation (ddof 1) of one-bar log returns over
  /// `window` bars, times `√periodsPerYear`. pandas
  /// `np.log(s).diff().rolling(w).std() * np.sqrt(P)`. Rows `0..<window` are `NaN`.
  public func realizedVolatility(window: Int = 20, periodsPerYear: Double = 252) -> Column<Double> {
    let scale = periodsPerYear.squareRoot()
    return logReturns(periods: 1).rollingStandardDeviation(window: window)._map { x, out in
      for i in 0..<x.count { out[i] = x[i] * scale }
    }
  }
}
