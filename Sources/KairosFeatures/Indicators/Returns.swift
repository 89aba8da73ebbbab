#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import KairosCore

extension Column where Element == Double {
  /// Simple return over `periods` bars, `x[t] / x[t − periods] − 1`. pandas
  /// `pct_change(periods, fill_method=None)`; the first `periods` values are `NaN`.
  public func returns(periods: Int = 1) -> Column<Double> {
    precondition(periods > 0, "periods must be positive, was \(periods)")
    return _map { x, out in
      for i in 0..<x.count { out[i] = i >= periods ? x[i] / x[i - periods] - 1 : .nan }
    }
  }

  /// Log return over `periods` bars, `log(x[t] / x[t − periods])`. numpy
  /// `np.log(s / s.shift(periods))`; the first `periods` values are `NaN`.
  public func logReturns(periods: Int = 1) -> Column<Double> {
    precondition(periods > 0, "periods must be positive, was \(periods)")
    return _map { x, out in
      for i in 0..<x.count { out[i] = i >= periods ? log(x[i] / x[i - periods]) : .nan }
    }
  }

  /// The value `periods` bars earlier (`periods < 0` looks ahead: only for targets). pandas
  /// `shift(periods)`.
  public func lagged(_ periods: Int) -> Column<Double> {
    _map { x, out in
      let n = x.count
      for i in 0..<n {
        let j = i - periods
        out[i] = j >= 0 && j < n ? x[j] : .nan
      }
    }
  }

  /// `x[t] − x[t − periods]`. pandas `diff(periods)`.
  public func differenced(_ periods: Int = 1) -> Column<Double> {
    precondition(periods > 0, "periods must be positive, was \(periods)")
    return _map { x, out in
      for i in 0..<x.count { out[i] = i >= periods ? x[i] - x[i - periods] : .nan }
    }
  }
}
