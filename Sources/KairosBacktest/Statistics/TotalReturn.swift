/// Total compounded return, `Π(1 + rᵢ) − 1`.
///
/// Column `total_return` of the result matrix (docs/DESIGN.md §5, §6).
public enum TotalReturn: PerformanceStatistic {
  public static let name = "total_return"

  @inlinable
  public static func value(_ s: PerformanceSummary) -> Double {
    s.count == 0 ? .nan : s.growth - 1
  }
}
