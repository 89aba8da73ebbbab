/// 5 % value at risk: numpy `percentile(r, 5)` with linear interpolation.
///
/// Column `var_95` of the result matrix (docs/DESIGN.md §5, §6).
public enum ValueAtRisk: PerformanceStatistic {
  public static let name = "var_95"

  @inlinable
  public static func value(_ s: PerformanceSummary) -> Double {
    s.valueAtRisk
  }
}
