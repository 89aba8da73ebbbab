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
  public func exponentialMovingAverage(span: Double) -> Column<Double> {
    precondition(span >= 1, "span must be at least 1, was \(span)")
    return _map { _Indicators.ewma($0, alpha: 2 / (span + 1), into: $1) }
  }
}

@usableFromInline
enum _Indicators {
  /// pandas' `ewm(alpha=, adjust=False)` recursion, term for term (so results agree to the bit
  /// on data without gaps).
  @inlinable
  static func ewma(_ x: UnsafeBufferPointer<Double>, alpha: Double, into out: UnsafeMutableBufferPointer<Double>) {
    let decay = 1 - alpha
    // Without a gap the denominator is (1 − α) + α; when that is exactly 1.0 the division
    // changes no bit and is skipped (it is the recursion's slowest step).
    let unitDenominator = decay + alpha == 1
    var average = Double.nan
    var oldWeight = 1.0
    for i in 0..<x.count {
      let v = x[i]
      if average.isNaN {
        average = v
        out[i] = v
        continue
      }
      oldWeight *= decay
      if !v.isNaN {
        if average != v {
          let numerator = oldWeight * average + alpha * v
          average = unitDenominator && oldWeight == decay ? numerator : numerator / (oldWeight + alpha)
        }
        oldWeight = 1
      }
      out[i] = average
    }
  }

  /// Wilder smoothing with TA-Lib seeding: the first output (at `start + period − 1`) is the
  /// mean of the first `period` inputs from `start`, then `y = (y·(period − 1) + x) / period`.
  /// Earlier outputs are `NaN`. A `NaN` input makes every later output `NaN` (as in TA-Lib,
  /// which has no notion of missing values).
  @inlinable
  static func wilder(_ x: UnsafeBufferPointer<Double>, start: Int, period: Int, into out: UnsafeMutableBufferPointer<Double>) {
    let n = x.count
    for i in 0..<Swift.min(n, start + period - 1) { out[i] = .nan }
    guard start + period <= n else { return }
    var sum = 0.0
    for i in start..<(start + period) { sum += x[i] }
    var y = sum / Double(period)
    out[start + period - 1] = y
    let p = Double(period)
    for i in (start + period)..<n {
      y = (y * (p - 1) + x[i]) / p
      out[i] = y
    }
  }
}
