/// Sortino ratio, `mean(r)·P / (√(mean(min(rᵢ, 0)²))·√P)` (empyrical `sortino_ratio`); `NaN` without a negative return.
///
/// Column `sortino` of the result matrix (docs/DESIGN.md §5, §6).
public enum SortinoRatio: PerformanceStatistic {
  public static let name = "sortino"

  @inlinable
  public static func value(_ s: PerformanceSummary) -> Double {
    s.downsideMeanSquare > 0 ? s.mean * s.periodsPerYear / (s.downsideMeanSquare.squareRoot() * s.periodsPerYear.squareRoot()) : .nan
  }
}
