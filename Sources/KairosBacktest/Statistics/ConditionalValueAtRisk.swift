/// 5 % conditional value at risk: the mean of the `k + 1` smallest returns, `k = ⌊(n − 1)·0.05⌋` (empyrical `conditional_value_at_risk`).
///
/// Column `cvar_95` of the result matrix (docs/DESIGN.md §5, §6).
public enum ConditionalValueAtRisk: PerformanceStatistic {
  public static let name = "cvar_95"

  @inlinable
  public static func value(_ s: PerformanceSummary) -> Double {
    s.conditionalValueAtRisk
  }
}
