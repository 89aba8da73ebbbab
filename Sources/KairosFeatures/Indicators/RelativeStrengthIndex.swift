import KairosCore

extension Column where Element == Double {
  /// Relative strength index with Wilder smoothing, as TA-Lib `RSI(period)`.
  ///
  /// Gains and losses are the positive and negative parts of one-bar differences. The first
  /// value, at row `period`, uses the plain means of the first `period` gains and losses; after
  /// that `avg = (avg·(period − 1) + new) / period`. `RSI = 100 · avgGain / (avgGain + avgLoss)`,
  /// and 0 when both averages are 0 (TA-Lib's choice). Rows `0..<period` are `NaN`.
  public func relativeStrengthIndex(period: Int = 14) -> Column<Double> {
    precondition(period >= 2, "period must be at least 2, was \(period)")
    return streamed(RSIState(period: period))
  }
}
