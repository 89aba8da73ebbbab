#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Statistics of a return series against a benchmark's returns over the same bars
/// (empyrical conventions, risk-free rate 0). `NaN` when undefined (fewer than two bars, a
/// constant benchmark or zero tracking error).
public enum Beta {
  /// `mean((b − b̄)·r) / mean((b − b̄)²)` (empyrical `beta`).
  public static func value(returns r: [Double], benchmark b: [Double]) -> Double {
    precondition(r.count == b.count, "the series must cover the same bars")
    guard r.count >= 2 else { return .nan }
    let mean = b.reduce(0, +) / Double(b.count)
    var covariance = 0.0, variance = 0.0
    for i in r.indices {
      let d = b[i] - mean
      covariance += d * r[i]
      variance += d * d
    }
    return variance > 0 ? (covariance / Double(r.count)) / (variance / Double(r.count)) : .nan
  }
}

/// Annualized CAPM alpha: `(1 + mean(r − β·b))^P − 1` (empyrical `alpha`).
public enum Alpha {
  public static func value(returns r: [Double], benchmark b: [Double], periodsPerYear: Double) -> Double {
    let beta = Beta.value(returns: r, benchmark: b)
    guard beta.isFinite else { return .nan }
    let mean = zip(r, b).reduce(0.0) { $0 + ($1.0 - beta * $1.1) } / Double(r.count)
    return pow(1 + mean, periodsPerYear) - 1
  }
}

/// Annualized tracking error: `std(r − b, ddof 1) · √P`.
public enum TrackingError {
  public static func value(returns r: [Double], benchmark b: [Double], periodsPerYear: Double) -> Double {
    standardDeviation(zip(r, b).map { $0 - $1 }) * periodsPerYear.squareRoot()
  }

  static func standardDeviation(_ x: [Double]) -> Double {
    guard x.count >= 2 else { return .nan }
    let mean = x.reduce(0, +) / Double(x.count)
    return (x.reduce(0.0) { $0 + ($1 - mean) * ($1 - mean) } / Double(x.count - 1)).squareRoot()
  }
}

/// Information ratio per bar, `mean(r − b) / std(r − b, ddof 1)` (empyrical `excess_sharpe`,
/// not annualized: multiply by √P for a yearly figure).
public enum InformationRatio {
  public static func value(returns r: [Double], benchmark b: [Double]) -> Double {
    let active = zip(r, b).map { $0 - $1 }
    let sd = TrackingError.standardDeviation(active)
    return sd > 0 ? active.reduce(0, +) / Double(active.count) / sd : .nan
  }
}
