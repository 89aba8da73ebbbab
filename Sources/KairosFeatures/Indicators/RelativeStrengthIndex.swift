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
    return _map { x, out in
      let n = x.count, p = Double(period)
      for i in 0..<Swift.min(n, period) { out[i] = .nan }
      guard n > period else { return }
      // Seed: plain means of the first `period` gains and losses (TA-Lib), then Wilder's recursion.
      var gain = 0.0, loss = 0.0
      for i in 1...period {
        let d = x[i] - x[i - 1]
        gain += Swift.max(d, 0); loss += Swift.max(-d, 0)
      }
      gain /= p; loss /= p
      out[period] = gain + loss == 0 ? 0 : 100 * gain / (gain + loss)
      for i in (period + 1)..<n {
        let d = x[i] - x[i - 1]
        gain = (gain * (p - 1) + Swift.max(d, 0)) / p
        loss = (loss * (p - 1) + Swift.max(-d, 0)) / p
        out[i] = gain + loss == 0 ? 0 : 100 * gain / (gain + loss)
      }
    }
  }
}
