/// One metric of docs/DESIGN.md §5, computed from a `PerformanceSummary`.
public protocol PerformanceStatistic {
  /// The column name in result matrices and `metrics.json`.
  static var name: String { get }
  static func value(_ summary: PerformanceSummary) -> Double
}

/// The metrics of docs/DESIGN.md §5, in the order of the result matrix (§6).
public enum Metrics {
  public static var all: [any PerformanceStatistic.Type] { [
    TotalReturn.self, CAGR.self, Volatility.self, SharpeRatio.self, SortinoRatio.self, MaxDrawdown.self,
    CalmarRatio.self, ValueAtRisk.self, ConditionalValueAtRisk.self, WinRate.self, ProfitFactor.self,
    AverageWin.self, AverageLoss.self, Expectancy.self, TradeCount.self, Exposure.self, Turnover.self,
  ] }

  /// The column names, in order.
  public static var names: [String] { all.map { $0.name } }

  /// Every metric of `summary`, in order.
  public static func values(_ summary: PerformanceSummary) -> [Double] { all.map { $0.value(summary) } }
}
