/// Mean trade `return`; `NaN` without trades.
///
/// Column `expectancy` of the result matrix (docs/DESIGN.md §5, §6).
public enum Expectancy: PerformanceStatistic {
  public static let name = "expectancy"

  @inlinable
  public static func value(_ s: PerformanceSummary) -> Double {
    s.trades > 0 ? s.tradeReturnSum / Double(s.trades) : .nan
  }
}
