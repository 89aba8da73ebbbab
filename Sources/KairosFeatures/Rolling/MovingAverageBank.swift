import KairosCore

/// Simple moving averages of one series for any number of windows, from one prefix-sum pass:
/// the same bits as `RollingMeanState` (the streaming definition), computed in O(1) per value.
///
/// A parameter sweep needs the SMA of the same close series for hundreds of windows. The bank
/// keeps the prefix sums of the values quantized as `ExactWindowSum` does (128-bit integers in
/// units of 2⁻⁶⁴, wrapping: a difference of two prefix sums is the exact window sum however
/// long the series), so
///
/// ```
/// sma(w)[t] = double(P[t+1] − P[t+1−w]) / w,   P[i] = q(x[0]) + … + q(x[i−1])
/// ```
///
/// is the exact window sum rounded once, then divided: what `RollingMeanState(window: w)` gives
/// bar by bar, whatever bar the series starts at. A window that holds a `NaN` (or a value of
/// magnitude 2⁵² or more) gives `NaN` (min_periods = window, pandas' default). Windows longer
/// than 2,048 bars are folded with `RollingMeanState` instead (its limit on magnitudes depends
/// on the window).
public struct MovingAverageBank: Sendable {
  @usableFromInline let _prefix: [Int128]
  @usableFromInline let _missing: [Int32]
  let values: Column<Double>
  /// The length of the series.
  public let count: Int

  public init(_ series: Column<Double>) {
    let n = series.count
    var prefix = [Int128](repeating: 0, count: n + 1)
    var missing = [Int32](repeating: 0, count: n + 1)
    series.withUnsafeBufferPointer { x in
      var sum: Int128 = 0, absent: Int32 = 0
      for i in 0..<n {
        let v = x[i]
        if Swift.abs(v) < 0x1p52 { sum &+= FixedPoint.quantize(v) } else { absent += 1 }
        prefix[i + 1] = sum; missing[i + 1] = absent
      }
    }
    _prefix = prefix; _missing = missing
    values = series
    count = n
  }

  /// The mean of the `window` values ending at row `row` (`NaN` in the warm-up or when the
  /// window holds a `NaN`). O(1) for windows up to 2,048.
  public func mean(window: Int, at row: Int) -> Double {
    guard window <= 2048 else { return movingAverage(window: window)[row] }
    let end = row + 1, start = end - window
    if start < 0 || _missing[end] != _missing[start] { return .nan }
    return FixedPoint.double(_prefix[end] &- _prefix[start]) / Double(window)
  }

  /// Writes `sma(window)` for `rows` into `out` (`out.count >= rows.count`), e.g. one time
  /// block of a sweep at a time, so the values stay in cache.
  public func fill(window: Int, rows: Range<Int>, into out: UnsafeMutableBufferPointer<Double>) {
    precondition(window > 0 && rows.lowerBound >= 0 && rows.upperBound <= count && out.count >= rows.count)
    guard window <= 2048 else {
      let column = movingAverage(window: window)
      for (k, r) in rows.enumerated() { out[k] = column[r] }
      return
    }
    _prefix.withUnsafeBufferPointer { p in
      _missing.withUnsafeBufferPointer { m in
        let w = Double(window)
        var k = 0
        for r in rows {
          let end = r + 1, start = end - window
          out[k] = start < 0 || m[end] != m[start] ? .nan : FixedPoint.double(p[end] &- p[start]) / w
          k += 1
        }
      }
    }
  }

  /// The whole `sma(window)` column.
  public func movingAverage(window: Int) -> Column<Double> {
    if window > 2048 { return values.streamed(RollingMeanState(window: window)) }
    return Column(unsafeUninitializedCount: count) { out in fill(window: window, rows: 0..<count, into: out) }
  }

  /// One SMA column per window (materialized: `windows.count × n` values).
  public func movingAverages(windows: [Int]) -> [Column<Double>] {
    windows.map(movingAverage(window:))
  }
}
