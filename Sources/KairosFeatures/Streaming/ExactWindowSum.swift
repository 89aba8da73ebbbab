/// The exact sum of the last `window` values of a stream, whatever came before them.
///
/// Each value is quantized once to a multiple of 2⁻⁶⁴ (exact for every double in
/// [2⁻¹¹, 2⁵²), i.e. for prices, volumes and returns; below that the quantization error is at
/// most 2⁻⁶⁵ absolute) and summed in 128-bit integers, where adding the newest and removing
/// the oldest value are exact. So the sum, and every mean taken from it, depends only on the
/// values in the window: a bar-by-bar run started anywhere gives the same bits once the window
/// is full, and nothing drifts over a long series. Values of magnitude `min(2⁵², 2⁶³ / window)`
/// or more (4.5e15 for windows up to 2,048) cannot be summed exactly: they count as missing.
public struct ExactWindowSum: Sendable, Equatable {
  public let window: Int
  /// The quantized values of the window, oldest first from `head`; `missing` marks a missing
  /// value (no quantized value reaches it: they stay below 2¹¹⁶ in magnitude).
  var ring: [Int128]
  @inline(__always) static var missing: Int128 { .min }
  var head = 0, filled = 0
  /// Σ of the window's present values, in units of 2⁻⁶⁴.
  var sum: Int128 = 0
  /// Present values in the window.
  public private(set) var count = 0
  /// The largest magnitude summed (no overflow of 127 bits for a full window).
  let limit: Double

  public init(window: Int) {
    precondition(window >= 1, "window must be positive, was \(window)")
    self.window = window
    ring = Array(repeating: Self.missing, count: window)
    limit = Swift.min(0x1p52, 0x1p63 / Double(window))
  }

  /// The value in units of 2⁻⁶⁴, or `nil` when it is `NaN` or too large.
  @inline(__always)
  public func quantize(_ x: Double) -> Int128? {
    guard Swift.abs(x) < limit else { return nil }  // false for NaN too
    return FixedPoint.quantize(x)
  }

  /// Adds `x` (`NaN`: missing) and drops the value that leaves the window.
  @inline(__always)
  public mutating func push(_ x: Double) {
    let q = Swift.abs(x) < limit ? FixedPoint.quantize(x) : Self.missing  // `<` is false for NaN
    let (h, full) = (head, filled == window)
    ring.withUnsafeMutableBufferPointer { r in
      if full, r[h] != Self.missing { sum &-= r[h]; count -= 1 }
      r[h] = q
    }
    if q != Self.missing { sum &+= q; count += 1 }
    head = head + 1 == window ? 0 : head + 1
    if !full { filled += 1 }
  }

  /// Whether the window holds `window` values (present or missing).
  public var isFull: Bool { filled == window }

  /// The sum of the present values, rounded once to a double.
  public var value: Double { FixedPoint.double(sum) }
}

/// The mean of the present values among the last `window` (pandas
/// `rolling(window, min_periods=).mean()`): `NaN` while fewer than `minPeriods` (default: the
/// window) are present. A window of equal values has exactly that value as its mean (as
/// pandas, which tracks runs of equal values): flat stretches of prices give equal averages
/// for every window, so no cross appears out of rounding. Finite-window: the same bits
/// whatever the history before the window.
public struct RollingMeanState: StreamingIndicator {
  var total: RollingSumState
  var run = EqualRun()
  public init(window: Int, minPeriods: Int? = nil) { total = RollingSumState(window: window, minPeriods: minPeriods) }
  @inline(__always)
  public mutating func update(_ x: Double) -> Double {
    let sum = total.update(x), count = total.sum.count
    run.push(x)
    if run.length >= count && count >= total.minPeriods { return run.value }  // every present value of the window is `run.value`
    return sum / Double(count)  // NaN while fewer than `minPeriods` are present
  }
}

/// The sum of the present values among the last `window` (pandas
/// `rolling(window, min_periods=).sum()`): `NaN` while fewer than `minPeriods` (default: the
/// window) are present. Values too large to sum exactly (see `ExactWindowSum`) count as missing.
public struct RollingSumState: StreamingIndicator {
  var sum: ExactWindowSum
  let minPeriods: Int
  public init(window: Int, minPeriods: Int? = nil) {
    sum = ExactWindowSum(window: window)
    self.minPeriods = Swift.max(1, minPeriods ?? window)
  }
  @inline(__always)
  public mutating func update(_ x: Double) -> Double {
    sum.push(x)
    return sum.count >= minPeriods ? sum.value : .nan
  }
}

/// Doubles as 128-bit integers in units of 2⁻⁶⁴: the arithmetic of the exact window sums.
public enum FixedPoint {
  /// `round(x · 2⁶⁴)` (ties to even) for `|x| < 2⁵²`, without the generic conversion: the
  /// integer part `trunc(x)` and the fraction `x − trunc(x)` are exact doubles, and only the
  /// fraction is rounded (adding the even integer `trunc(x) · 2⁶⁴` changes no rounding).
  @inline(__always)
  public static func quantize(_ x: Double) -> Int128 {
    // Without library calls (SSE2 has no rounding instruction): truncation by conversion, and
    // ties-to-even rounding of the magnitude by adding and removing 2⁵² (at and above 2⁵² every
    // double is an integer).
    let whole = Int64(x)  // exact: |x| < 2⁵²
    let scaled = (x - Double(whole)) * 0x1p64  // exact: a power-of-two scaling of an exact difference
    let magnitude = Swift.abs(scaled)
    let rounded = magnitude < 0x1p52 ? (magnitude + 0x1p52) - 0x1p52 : magnitude  // an integer in [0, 2⁶⁴]
    let part = rounded == 0x1p64 ? Int128(1) << 64 : Int128(UInt64(rounded))
    let integer = Int128(whole) << 64
    return scaled < 0 ? integer - part : integer + part
  }

  /// `v · 2⁻⁶⁴` as a double, a function of `v` alone (which is what makes batch and bar-by-bar
  /// values agree): `v` split at bit 63 into `v = h · 2⁶³ + l` with `0 ≤ l < 2⁶³`, then
  /// `h / 2 + ⌊l / 2¹¹⌋ · 2⁻⁵³` — two exact conversions and one rounded addition (within an ulp,
  /// plus 2⁻⁵³ absolute from the dropped bits). `MovingAverageBank.fill` computes the same from
  /// prefix sums split the same way, with 64-bit integer operations SSE2 has (add, subtract,
  /// shift, and), so the loop vectorizes where the target allows.
  @inline(__always)
  public static func double(_ v: Int128) -> Double {
    double(high: Int64(truncatingIfNeeded: v >> 63), low: UInt64(truncatingIfNeeded: v) & lowMask)
  }

  /// The low 63 bits.
  @inline(__always) public static var lowMask: UInt64 { 0x7FFF_FFFF_FFFF_FFFF }

  /// `double(_:)` of `high · 2⁶³ + low`, `0 ≤ low < 2⁶³`. For `|high| < 2⁵¹` by the exponent
  /// trick (`doubleOfSmall`), otherwise with `Double(_:)`: the same value, both conversions
  /// being exact.
  @inline(__always)
  public static func double(high: Int64, low: UInt64) -> Double {
    if high > -(1 << 51) && high < (1 << 51) { return doubleOfSmall(high: high, low: low) }
    let fraction = Double(bitPattern: 0x4330_0000_0000_0000 | (low >> 11)) - 0x1p52  // exact: low >> 11 < 2⁵²
    return Double(high) * 0.5 + fraction * 0x1p-53
  }

  /// `double(high:low:)` for `|high| < 2⁵¹`, with no branch.
  @inline(__always)
  public static func doubleOfSmall(high: Int64, low: UInt64) -> Double {
    let fraction = Double(bitPattern: 0x4330_0000_0000_0000 | (low >> 11)) - 0x1p52  // exact: low >> 11 < 2⁵²
    let whole = Double(bitPattern: 0x4338_0000_0000_0000 &+ UInt64(bitPattern: high)) - 0x1.8p52  // exact: |high| < 2⁵¹
    return whole * 0.5 + fraction * 0x1p-53
  }
}
