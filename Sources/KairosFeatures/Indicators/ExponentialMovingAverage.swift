import KairosCore

extension Column where Element == Double {
  /// Exponential moving average with `alpha = 2 / (span + 1)`: pandas
  /// `ewm(span=span, adjust=False).mean()`, including its `NaN` rule (`ignore_na=False`).
  ///
  /// ```
  /// y[0] = x[0];  y[t] = ((1 − α)^g · y[t−1] + α · x[t]) / ((1 − α)^g + α)
  /// ```
  /// where `g` counts the rows since the last observation (1 without gaps, so the denominator is
  /// 1); at a `NaN` the previous value is carried. Leading `NaN`s stay `NaN`; there is no other
  /// warm-up (pandas gives a value from the first observation on).
  /// The fold of `EMAState` (one definition for batch and bar-by-bar use).
  public func exponentialMovingAverage(span: Double) -> Column<Double> {
    precondition(span >= 1, "span must be at least 1, was \(span)")
    return streamed(EMAState(span: span))
  }
}
