/// Maximum drawdown, `min_t (E_t / max_{s≤t} E_s − 1)` over the equity curve including the initial capital: ≤ 0, and 0 if it never fell below a peak.
///
/// Column `max_drawdown` of the result matrix (docs/DESIGN.md §5, §6).
public enum MaxDrawdown: PerformanceStatistic {
  public static let name = "max_drawdown"

  @inlinable
  public static func value(_ s: PerformanceSummary) -> Double {
    s.count == 0 ? .nan : s.maxDrawdown
  }
}
