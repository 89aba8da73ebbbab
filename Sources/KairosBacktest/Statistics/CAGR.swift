#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Compound annual growth rate, `(1 + total_return)^(P / n) − 1` (empyrical `annual_return`).
///
/// Column `cagr` of the result matrix (docs/DESIGN.md §5, §6).
public enum CAGR: PerformanceStatistic {
  public static let name = "cagr"

  @inlinable
  public static func value(_ s: PerformanceSummary) -> Double {
    s.count == 0 ? .nan : pow(s.growth, s.periodsPerYear / Double(s.count)) - 1
  }
}
