/// Annualized volatility, `std(r, ddof 1) · √P` (empyrical `annual_volatility`).
///
/// Column `volatility` of the result matrix (docs/DESIGN.md §5, §6).
public enum Volatility: PerformanceStatistic {
  public static let name = "volatility"

  @inlinable
  public static func value(_ s: PerformanceSummary) -> Double {
    s.standardDeviation * s.periodsPerYear.squareRoot()
  }
}
