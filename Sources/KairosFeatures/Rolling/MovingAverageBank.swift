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
/// is the exact window sum rounded once, then divided — or the value itself when the window's
/// values are all equal (`R[t]`, the run of equal values ending at t, reaches `w`): what
/// `RollingMeanState(window: w)` gives bar by bar, whatever bar the series starts at. A window that holds a `NaN` (or a value of
/// magnitude 2⁵² or more) gives `NaN` (min_periods = window, pandas' default). Windows longer
/// than 2,048 bars are folded with `RollingMeanState` instead (its limit on magnitudes depends
/// on the window).
public struct MovingAverageBank: Sendable {
  /// The 128-bit prefix sums `P` split at bit 63: `P >> 63` (wrapping) and the low 63 bits,
  /// so a window sum needs only the 64-bit operations SSE2 has and `fill` can vectorize.
  @usableFromInline let _high: [Int64]
  @usableFromInline let _low: [UInt64]
  @usableFromInline let _missing: [Int32]
  /// How many bars in a row, ending at each row, have had its value (0 at a `NaN`).
  @usableFromInline let _run: [Int32]
  /// The largest magnitude summed: below `2⁵¹ / window`, every window sum's integer part
  /// converts by the exponent trick (`fill`'s branch-free loop).
  let largest: Double
  let values: Column<Double>
  /// The length of the series.
  public let count: Int

  public init(_ series: Column<Double>) {
    let n = series.count
    var high = [Int64](repeating: 0, count: n + 1), low = [UInt64](repeating: 0, count: n + 1)
    var missing = [Int32](repeating: 0, count: n + 1), run = [Int32](repeating: 0, count: n)
    series.withUnsafeBufferPointer { x in
      var sum: Int128 = 0, absent: Int32 = 0, length: Int32 = 0
      for i in 0..<n {
        let v = x[i]
        length = i > 0 && v == x[i - 1] ? Swift.min(length, Int32.max - 1) + 1 : (v.isNaN ? 0 : 1)
        run[i] = length
        if Swift.abs(v) < 0x1p52 { sum &+= FixedPoint.quantize(v) } else { absent += 1 }
        high[i + 1] = Int64(truncatingIfNeeded: sum >> 63); low[i + 1] = UInt64(truncatingIfNeeded: sum) & FixedPoint.lowMask
        missing[i + 1] = absent
      }
    }
    _high = high; _low = low; _missing = missing; _run = run
    largest = series.withUnsafeBufferPointer { x in x.reduce(0.0) { Swift.abs($1) < 0x1p52 ? Swift.max($0, Swift.abs($1)) : $0 } }
    values = series
    count = n
  }

  /// The mean of the `window` values ending at row `row` (`NaN` in the warm-up or when the
  /// window holds a `NaN`). O(1) for windows up to 2,048.
  public func mean(window: Int, at row: Int) -> Double {
    guard window <= 2048 else { return movingAverage(window: window)[row] }
    let end = row + 1, start = end - window
    if start < 0 { return .nan }
    if _missing[end] != _missing[start] { return .nan }
    if Int(_run[row]) >= window { return values[row] }
    let (high, low) = Self.difference(_high[end], _low[end], _high[start], _low[start])
    return FixedPoint.double(high: high, low: low) / Double(window)
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
    _high.withUnsafeBufferPointer { h in
      _low.withUnsafeBufferPointer { l in
        _missing.withUnsafeBufferPointer { m in
          _run.withUnsafeBufferPointer { run in
            values.withUnsafeBufferPointer { x in
              let w = Double(window), w32 = Int32(window)
              // The warm-up (no full window yet), then full windows only: no bound check inside.
              let first = Swift.min(Swift.max(rows.lowerBound, window - 1), rows.upperBound)
              for r in rows.lowerBound..<first { out[r - rows.lowerBound] = .nan }
              // One loop, specialized twice: below 2⁴⁹ every window sum's `high` is below 2⁵¹
              // and converts without a branch.
              @inline(__always) func fill(_ convert: (Int64, UInt64) -> Double) {
                for r in first..<rows.upperBound {
                  let end = r + 1, start = end - window
                  let (high, low) = Self.difference(h[end], l[end], h[start], l[start])
                  let mean = run[r] >= w32 ? x[r] : convert(high, low) / w
                  out[r - rows.lowerBound] = m[end] == m[start] ? mean : .nan
                }
              }
              if largest * w < 0x1p49 { fill(FixedPoint.doubleOfSmall) } else { fill(FixedPoint.double) }
            }
          }
        }
      }
    }
  }

  /// The difference of two prefix sums split at bit 63, split the same way: the low words'
  /// difference fits 64 bits; its sign is the borrow (a shift, not a compare).
  @inline(__always)
  static func difference(_ endHigh: Int64, _ endLow: UInt64, _ startHigh: Int64, _ startLow: UInt64) -> (high: Int64, low: UInt64) {
    let low = endLow &- startLow
    let borrow = Int64(bitPattern: low >> 63)
    return (endHigh &- startHigh &- borrow, low & FixedPoint.lowMask)
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
