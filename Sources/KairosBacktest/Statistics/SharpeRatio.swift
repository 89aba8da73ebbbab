/// Sharpe ratio with a zero risk-free rate, `mean(r) / std(r, ddof 1) · √P` (empyrical `sharpe_ratio`); `NaN` for zero variance.
///
/// Column `sharpe` of the result matrix (docs/DESIGN.md §5, §6).
public enum SharpeRatio: PerformanceStatistic {
  public static let name = "sharpe"

  @inlinable
  public static func value(_ s: PerformanceSummary) -> Double {
    s.standardDeviation > 0 ? s.mean / s.standardDeviation * s.periodsPerYear.squareRoot() : .nan
  }
}
