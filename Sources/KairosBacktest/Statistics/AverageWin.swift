/// Mean `return` of the winning trades; `NaN` without one.
///
/// Column `avg_win` of the result matrix (docs/DESIGN.md §5, §6).
public enum AverageWin: PerformanceStatistic {
  public static let name = "avg_win"

  @inlinable
  public static func value(_ s: PerformanceSummary) -> Double {
    s.winningTrades > 0 ? s.winningReturnSum / Double(s.winningTrades) : .nan
  }
}
