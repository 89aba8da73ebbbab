import KairosCore

extension Column where Element == Double {
  @inlinable
  func _map(_ kernel: (UnsafeBufferPointer<Double>, UnsafeMutableBufferPointer<Double>) -> Void) -> Column<Double> {
    Column(unsafeUninitializedCount: count) { out in withUnsafeBufferPointer { x in kernel(x, out) } }
  }

  /// Element-wise combination of two equally long columns, over unsafe buffers (no bounds
  /// checks in the loop).
  @inlinable
  static func _combine(_ a: Column<Double>, _ b: Column<Double>, _ f: (Double, Double) -> Double) -> Column<Double> {
    precondition(a.count == b.count, "columns must have equal lengths, were \(a.count) and \(b.count)")
    return Column(unsafeUninitializedCount: a.count) { out in
      a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in for i in 0..<x.count { out[i] = f(x[i], y[i]) } } }
    }
  }

  /// Trailing rolling sum. pandas `rolling(window, min_periods=).sum()`.
  /// - Complexity: O(*n*).
  public func rollingSum(window: Int, minPeriods: Int? = nil) -> Column<Double> {
    let o = RollingOptions(window: window, minPeriods: minPeriods)
    return _map { _Rolling.moments($0, o, .sum, into: $1) }
  }

  /// Trailing rolling mean, the simple moving average (SMA). pandas
  /// `rolling(window, min_periods=).mean()`; TA-Lib `SMA` for `minPeriods == window`.
  /// The first `window − 1` values are `NaN`, and so is any window with fewer than
  /// `minPeriods` non-`NaN` values. - Complexity: O(*n*).
  public func rollingMean(window: Int, minPeriods: Int? = nil) -> Column<Double> {
    let o = RollingOptions(window: window, minPeriods: minPeriods)
    return _map { _Rolling.moments($0, o, .mean, into: $1) }
  }

  /// Trailing rolling sample standard deviation (ddof 1). pandas `rolling(window).std()`.
  /// - Complexity: O(*n*).
  public func rollingStandardDeviation(window: Int, minPeriods: Int? = nil) -> Column<Double> {
    let o = RollingOptions(window: window, minPeriods: minPeriods)
    return _map { _Rolling.moments($0, o, .standardDeviation, into: $1) }
  }

  /// Trailing rolling sample variance (ddof 1). pandas `rolling(window).var()`.
  public func rollingVariance(window: Int, minPeriods: Int? = nil) -> Column<Double> {
    let o = RollingOptions(window: window, minPeriods: minPeriods)
    return _map { _Rolling.moments($0, o, .variance, into: $1) }
  }

  /// Rolling z-score `(x − mean) / std` (ddof 1) over the trailing window, current row
  /// included. pandas `(s - s.rolling(w).mean()) / s.rolling(w).std()`. A constant window
  /// gives `0/0 = NaN`.
  public func rollingZScore(window: Int, minPeriods: Int? = nil) -> Column<Double> {
    let o = RollingOptions(window: window, minPeriods: minPeriods)
    return _map { _Rolling.moments($0, o, .zScore, into: $1) }
  }

  /// Trailing rolling minimum. pandas `rolling(window).min()`. - Complexity: O(*n*) (monotonic deque).
  public func rollingMin(window: Int, minPeriods: Int? = nil) -> Column<Double> {
    let o = RollingOptions(window: window, minPeriods: minPeriods)
    return _map { _Rolling.extremum($0, o, maximum: false, into: $1) }
  }

  /// Trailing rolling maximum. pandas `rolling(window).max()`. - Complexity: O(*n*) (monotonic deque).
  public func rollingMax(window: Int, minPeriods: Int? = nil) -> Column<Double> {
    let o = RollingOptions(window: window, minPeriods: minPeriods)
    return _map { _Rolling.extremum($0, o, maximum: true, into: $1) }
  }

  /// Rolling percentile rank of each value within its trailing window, in (0, 1]. pandas
  /// `rolling(window).rank(method="average", pct=True)`.
  /// - Complexity: O(*n* log *w*) comparisons plus an O(*w*) move per row.
  public func rollingPercentileRank(window: Int, minPeriods: Int? = nil) -> Column<Double> {
    let o = RollingOptions(window: window, minPeriods: minPeriods)
    return _map { _Rolling.percentileRank($0, o, into: $1) }
  }
}
