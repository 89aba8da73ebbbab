/// Mean `return` of the losing trades; `NaN` without one.
///
/// Column `avg_loss` of the result matrix (docs/DESIGN.md §5, §6).
public enum AverageLoss: PerformanceStatistic {
  public static let name = "avg_loss"

  @inlinable
  public static func value(_ s: PerformanceSummary) -> Double {
    s.losingTrades > 0 ? s.losingReturnSum / Double(s.losingTrades) : .nan
  }
}
