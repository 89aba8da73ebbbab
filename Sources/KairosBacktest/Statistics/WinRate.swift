/// Winning closed trades / closed trades (`pnl > 0` wins); `NaN` without trades.
///
/// Column `win_rate` of the result matrix (docs/DESIGN.md §5, §6).
public enum WinRate: PerformanceStatistic {
  public static let name = "win_rate"

  @inlinable
  public static func value(_ s: PerformanceSummary) -> Double {
    s.trades > 0 ? Double(s.winningTrades) / Double(s.trades) : .nan
  }
}
