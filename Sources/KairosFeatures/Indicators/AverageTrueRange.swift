import KairosCore

/// Indicators that read a bar's high, low and close.
public enum PriceBars {
  /// True range, as TA-Lib `TRANGE`: `max(high − low, |high − previous close|, |low − previous close|)`.
  /// Row 0 is `NaN` (it has no previous close).
  public static func trueRange(high: Column<Double>, low: Column<Double>, close: Column<Double>) -> Column<Double> {
    precondition(high.count == low.count && low.count == close.count, "high, low and close must have equal lengths")
    return Column(unsafeUninitializedCount: close.count) { out in
      high.withUnsafeBufferPointer { h in
        low.withUnsafeBufferPointer { l in
          close.withUnsafeBufferPointer { c in
            if c.count > 0 { out[0] = .nan }
            for i in 1..<Swift.max(1, c.count) {
              let previous = c[i - 1]
              out[i] = Swift.max(h[i] - l[i], Swift.max(Swift.abs(h[i] - previous), Swift.abs(l[i] - previous)))
            }
          }
        }
      }
    }
  }

  /// Average true range with Wilder smoothing, as TA-Lib `ATR(period)`: the first value, at
  /// row `period`, is the mean of the true ranges of rows `1...period`; then
  /// `atr = (atr·(period − 1) + tr) / period`. Rows `0..<period` are `NaN`. The fold of `ATRState`.
  public static func averageTrueRange(high: Column<Double>, low: Column<Double>, close: Column<Double>, period: Int = 14) -> Column<Double> {
    precondition(period >= 1, "period must be positive, was \(period)")
    return streamed(ATRState(period: period), high: high, low: low, close: close)
  }

  /// Donchian channel over the trailing `window` bars, current bar included: the highest high
  /// and lowest low (pandas `high.rolling(w).max()`, `low.rolling(w).min()`), and their midpoint.
  public static func donchianChannel(high: Column<Double>, low: Column<Double>, window: Int) -> (upper: Column<Double>, lower: Column<Double>, middle: Column<Double>) {
    let upper = high.rollingMax(window: window), lower = low.rollingMin(window: window)
    let middle = Column<Double>._combine(upper, lower) { ($0 + $1) / 2 }
    return (upper, lower, middle)
  }

  /// Choppiness index over `window` bars:
  /// `100 · log10(Σ true range / (max high − min low)) / log10(window)`, all over the trailing
  /// window. Near 100: choppy; near 0: trending. The true range of row 0 is `NaN` (TA-Lib), so
  /// rows `0..<window` are `NaN`. The fold of `ChoppinessState`.
  public static func choppinessIndex(high: Column<Double>, low: Column<Double>, close: Column<Double>, window: Int = 14) -> Column<Double> {
    precondition(window >= 2, "window must be at least 2, was \(window)")
    return streamed(ChoppinessState(window: window), high: high, low: low, close: close)
  }
}
