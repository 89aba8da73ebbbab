/// `Σ positive pnl / |Σ negative pnl|`: `inf` with profits and no loss, `NaN` without trades or with neither.
///
/// Column `profit_factor` of the result matrix (docs/DESIGN.md §5, §6).
public enum ProfitFactor: PerformanceStatistic {
  public static let name = "profit_factor"

  @inlinable
  public static func value(_ s: PerformanceSummary) -> Double {
    s.grossLoss < 0 ? s.grossProfit / -s.grossLoss : (s.grossProfit > 0 ? .infinity : .nan)
  }
}
