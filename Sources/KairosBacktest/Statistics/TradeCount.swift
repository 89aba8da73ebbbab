/// Closed round trips (an open position at the end is not counted).
///
/// Column `trades` of the result matrix (docs/DESIGN.md §5, §6).
public enum TradeCount: PerformanceStatistic {
  public static let name = "trades"

  @inlinable
  public static func value(_ s: PerformanceSummary) -> Double {
    Double(s.trades)
  }
}
