/// Share of bars with a non-zero position at the close.
///
/// Column `exposure` of the result matrix (docs/DESIGN.md §5, §6).
public enum Exposure: PerformanceStatistic {
  public static let name = "exposure"

  @inlinable
  public static func value(_ s: PerformanceSummary) -> Double {
    s.count > 0 ? Double(s.exposedBars) / Double(s.count) : .nan
  }
}
