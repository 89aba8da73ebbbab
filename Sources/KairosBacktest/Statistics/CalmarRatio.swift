/// Calmar ratio, `cagr / |max_drawdown|`; `NaN` without a drawdown (empyrical).
///
/// Column `calmar` of the result matrix (docs/DESIGN.md §5, §6).
public enum CalmarRatio: PerformanceStatistic {
  public static let name = "calmar"

  @inlinable
  public static func value(_ s: PerformanceSummary) -> Double {
    s.maxDrawdown < 0 ? CAGR.value(s) / -s.maxDrawdown : .nan
  }
}
