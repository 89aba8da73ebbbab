import KairosCore

/// pandas-style rolling windows on a column: each is the fold of a streaming state
/// (`KairosFeatures/Streaming`), the one implementation the feature specs, the rules and a live
/// session use. `minPeriods` (pandas `min_periods`, default the window) is the number of
/// non-`NaN` values a window needs for a result. O(n) for sums, means and extrema; O(n·w) for
/// deviations (two passes over each window, exact for constant windows) and ranks.
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

  /// Trailing rolling sum. pandas `rolling(window, min_periods=).sum()` (exact window sums).
  public func rollingSum(window: Int, minPeriods: Int? = nil) -> Column<Double> {
    streamed(RollingSumState(window: window, minPeriods: Self.checked(window, minPeriods)))
  }

  /// Trailing rolling mean, the simple moving average (SMA). pandas
  /// `rolling(window, min_periods=).mean()`; TA-Lib `SMA` for `minPeriods == window`.
  public func rollingMean(window: Int, minPeriods: Int? = nil) -> Column<Double> {
    streamed(RollingMeanState(window: window, minPeriods: Self.checked(window, minPeriods)))
  }

  /// Trailing rolling sample standard deviation (ddof 1). pandas `rolling(window).std()`.
  public func rollingStandardDeviation(window: Int, minPeriods: Int? = nil) -> Column<Double> {
    streamed(RollingDeviationState(window: window, minPeriods: Self.checked(window, minPeriods)))
  }

  /// Rolling z-score `(x − mean) / std` (ddof 1) over the trailing window, current row
  /// included. pandas `(s - s.rolling(w).mean()) / s.rolling(w).std()`. A constant window
  /// gives `0/0 = NaN`.
  public func rollingZScore(window: Int, minPeriods: Int? = nil) -> Column<Double> {
    var deviation = RollingDeviationState(window: window, minPeriods: Self.checked(window, minPeriods))
    return _map { x, out in
      for i in 0..<x.count {
        let sd = deviation.update(x[i])
        out[i] = (x[i] - deviation.mean) / sd
      }
    }
  }

  /// Trailing rolling minimum. pandas `rolling(window).min()`. O(n) (monotonic deque).
  public func rollingMin(window: Int, minPeriods: Int? = nil) -> Column<Double> {
    streamed(RollingExtremumState(window: window, maximum: false, minPeriods: Self.checked(window, minPeriods)))
  }

  /// Trailing rolling maximum. pandas `rolling(window).max()`. O(n) (monotonic deque).
  public func rollingMax(window: Int, minPeriods: Int? = nil) -> Column<Double> {
    streamed(RollingExtremumState(window: window, maximum: true, minPeriods: Self.checked(window, minPeriods)))
  }

  /// Rolling percentile rank of each value within its trailing window, in (0, 1]. pandas
  /// `rolling(window).rank(method="average", pct=True)`.
  public func rollingPercentileRank(window: Int, minPeriods: Int? = nil) -> Column<Double> {
    streamed(RollingPercentileRankState(window: window, minPeriods: Self.checked(window, minPeriods)))
  }

  /// - Precondition: `window > 0` and `1 <= minPeriods <= window` (as pandas).
  static func checked(_ window: Int, _ minPeriods: Int?) -> Int {
    precondition(window > 0, "window must be positive, was \(window)")
    let m = minPeriods ?? window
    precondition(m >= 1 && m <= window, "minPeriods must be in 1...\(window), was \(m)")
    return m
  }
}
