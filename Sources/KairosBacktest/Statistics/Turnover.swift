/// Yearly turnover, `Σ |traded value| / mean equity / (n / P)`.
///
/// Column `turnover` of the result matrix (docs/DESIGN.md §5, §6).
public enum Turnover: PerformanceStatistic {
  public static let name = "turnover"

  @inlinable
  public static func value(_ s: PerformanceSummary) -> Double {
    s.count > 0 ? s.tradedValue / s.meanEquity / (Double(s.count) / s.periodsPerYear) : .nan
  }
}
