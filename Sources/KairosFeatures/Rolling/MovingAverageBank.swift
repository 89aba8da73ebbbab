import KairosCore

/// Simple moving averages of one series for any number of windows, from one prefix-sum pass.
///
/// A parameter sweep needs the SMA of the same close series for hundreds of windows. Building
/// the bank costs one O(n) pass; after that the mean of any window ending at any row is O(1):
///
/// ```
/// sma(w)[t] = (P[t+1] − P[t+1−w]) / w,   P[i] = x[0] + … + x[i−1]
/// ```
///
/// The prefix sums are kept in double-double form (a `hi` and a compensating `lo` part), so
/// the difference of two large prefix sums keeps full precision: results agree with pandas
/// `rolling(w).mean()` to about 1e-15 relative, without drift over long series. A window that
/// holds a `NaN` gives `NaN` (min_periods = window, pandas' default).
public struct MovingAverageBank: Sendable {
  @usableFromInline let _high: [Double]
  @usableFromInline let _low: [Double]
  @usableFromInline let _nanCount: [Int32]
  /// The length of the series.
  public let count: Int

  public init(_ series: Column<Double>) {
    let n = series.count
    var high = [Double](repeating: 0, count: n + 1), low = high
    var nans = [Int32](repeating: 0, count: n + 1)
    series.withUnsafeBufferPointer { x in
      var hi = 0.0, lo = 0.0, nanCount: Int32 = 0
      for i in 0..<n {
        var v = x[i]
        if v.isNaN { nanCount += 1; v = 0 }
        // Knuth's two-sum: s + e == hi + v exactly.
        let s = hi + v
        let bp = s - hi
        let e = (hi - (s - bp)) + (v - bp)
        hi = s
        lo += e
        high[i + 1] = hi; low[i + 1] = lo; nans[i + 1] = nanCount
      }
    }
    _high = high; _low = low; _nanCount = nans
    count = n
  }

  /// The mean of the `window` values ending at row `row` (`NaN` in the warm-up or when the
  /// window holds a `NaN`). O(1).
  @inlinable
  public func mean(window: Int, at row: Int) -> Double {
    let end = row + 1, start = end - window
    if start < 0 || _nanCount[end] != _nanCount[start] { return .nan }
    return ((_high[end] - _high[start]) + (_low[end] - _low[start])) / Double(window)
  }

  /// Writes `sma(window)` for `rows` into `out` (`out.count == rows.count`), e.g. one time
  /// block of a sweep at a time, so the values stay in cache.
  @inlinable
  public func fill(window: Int, rows: Range<Int>, into out: UnsafeMutableBufferPointer<Double>) {
    precondition(window > 0 && rows.lowerBound >= 0 && rows.upperBound <= count && out.count >= rows.count)
    _high.withUnsafeBufferPointer { hi in
      _low.withUnsafeBufferPointer { lo in
        _nanCount.withUnsafeBufferPointer { nan in
          let w = Double(window)
          // Rows before the first full window are NaN; the rest is a branch-free loop over two
          // contiguous runs of the prefix sums (it vectorizes) unless the series has NaNs.
          let firstFull = Swift.min(Swift.max(rows.lowerBound, window - 1), rows.upperBound)
          var k = 0
          for _ in rows.lowerBound..<firstFull { out[k] = .nan; k += 1 }
          let end0 = firstFull + 1, start0 = end0 - window, length = rows.upperBound - firstFull
          guard length > 0 else { return }
          let (h1, h0, l1, l0) = (hi.baseAddress! + end0, hi.baseAddress! + start0, lo.baseAddress! + end0, lo.baseAddress! + start0)
          let o = out.baseAddress! + k
          for r in 0..<length { o[r] = ((h1[r] - h0[r]) + (l1[r] - l0[r])) / w }
          if nan[count] != 0 {
            let n1 = nan.baseAddress! + end0, n0 = nan.baseAddress! + start0
            for r in 0..<length where n1[r] != n0[r] { o[r] = .nan }
          }
        }
      }
    }
  }

  /// The whole `sma(window)` column.
  public func movingAverage(window: Int) -> Column<Double> {
    Column(unsafeUninitializedCount: count) { out in fill(window: window, rows: 0..<count, into: out) }
  }

  /// One SMA column per window (materialized: `windows.count × n` values).
  public func movingAverages(windows: [Int]) -> [Column<Double>] {
    windows.map(movingAverage(window:))
  }
}
