/// The shortest decimal that reads back to the same `Double` — the digits `Double.description`
/// prints — written without building a `String`, for the numbers a result matrix is made of.
///
/// Why: a sweep writes about twenty numbers per row, and `description` costs about 1,150
/// instructions each (a general formatter, then a heap-allocated `String`) — 5 % of a sweep
/// that writes every row; this costs about 600. It covers the fractions CSV cells usually hold, `1e-4 ≤ |x| < 2⁵³`, in
/// exact integer arithmetic, and says `false` for the rest (integers, NaN, ±inf, tiny or huge
/// magnitudes), which the caller formats as before.
///
/// How, for `x = m·2^e` (`m` the 53-bit significand) whose first digit is at `10^k`: for
/// `p = 15, 16, 17`, `D = x·10^q` rounded to the nearest integer with `q = p − 1 − k` (exact:
/// `m·5^q` in 128 bits, shifted right by `−e − q` bits) is the nearest `p`-digit decimal; the
/// first that lies inside the interval of reals that round to `x` is the answer.
/// - With 15 digits the step between decimals exceeds the step between doubles, so at most
///   one 15-digit decimal (or shorter, zero-padded) reads back to `x`, and if one does it is
///   the nearest: its trailing zeros stripped, it is the shortest. `Double.description`
///   picks the same: the shortest that reads back, the nearest among those.
/// - With 16 digits several may read back; the nearest one does whenever any does, except in
///   an exact tie between two (then `false`: the general formatter decides).
/// - With 17 digits the nearest always reads back.
public enum ShortestDecimal {
  /// Powers of five up to 5²⁷ (the largest `q` used is 20).
  static let powersOfFive: [UInt64] = (0...27).map { k in (0..<k).reduce(UInt64(1)) { r, _ in r * 5 } }
  static let powersOfTen: [UInt64] = (0...19).map { k in (0..<k).reduce(UInt64(1)) { r, _ in r * 10 } }
  /// "00", "01", … "99", as ASCII.
  static let digitPairs: [UInt8] = (0..<100).flatMap { (k: Int) -> [UInt8] in [UInt8(0x30 + k / 10), UInt8(0x30 + k % 10)] }

  /// Appends the shortest round-trip digits of `x` in `Double.description`'s decimal layout
  /// (`0.00012`, `-3.25`, `4503599627370495.5`) when `x` is a finite non-integer with
  /// `1e-4 ≤ |x| < 2⁵³`; returns `false` and appends nothing otherwise (and in the rare tie).
  public static func append(_ x: Double, to out: inout [UInt8]) -> Bool {
    let a = Swift.abs(x)
    guard a >= 0.0001, a < 9_007_199_254_740_992, a != a.rounded(.towardZero) else { return false }
    // All arithmetic below is on values whose bounds are given: wrapping operators, no traps.
    let m = a.significandBitPattern | (1 << 52)
    let exponent = Int(truncatingIfNeeded: a.bitPattern >> 52) - 1023  // normal: a ≥ 1e-4
    let e = exponent - 52
    let fives = powersOfFive, tens = powersOfTen
    // The decimal exponent k of the first digit: ⌊log₁₀ 2^exponent⌋ or one more; exact test.
    var k = (exponent * 78_913) >> 18
    if atLeastPowerOfTen(m: m, e: e, k + 1, tens) { k += 1 }
    for p in 15...17 {
      let q = p - 1 - k
      guard q >= 0 else { return false }  // |x| ≥ 10^15 with 15 digits: left to the general formatter
      let n = product(m, fives[q])  // x·10^q = n·2^(e+q), below 2^100
      let t = -e - q
      var d: UInt128
      var exact = true
      if t <= 0 {
        d = n &<< UInt128(truncatingIfNeeded: -t)
      } else {
        d = n &>> UInt128(truncatingIfNeeded: t)
        let one: UInt128 = 1
        let remainder = n & ((one &<< UInt128(truncatingIfNeeded: t)) &- 1), half = one &<< UInt128(truncatingIfNeeded: t - 1)
        // An exact tie: two 15-digit decimals half a (wide) step away, neither reads back;
        // with 16 or 17 digits both may, and the general formatter decides.
        if remainder == half { if p == 15 { continue } else { return false } }
        if remainder > half { d &+= 1 }
        exact = remainder == 0
      }
      if !exact && !readsBack(d, n: n, t: t, five: fives[q], m: m) { continue }
      var digits = UInt64(truncatingIfNeeded: d), first = k
      if digits == tens[p] { digits = tens[p - 1]; first += 1 }  // rounded up to 10^p
      return write(digits: digits, count: p, first: first, negative: x < 0, to: &out)
    }
    return false
  }

  /// `a·b` in full.
  @inline(__always)
  static func product(_ a: UInt64, _ b: UInt64) -> UInt128 {
    let (high, low) = a.multipliedFullWidth(by: b)
    return UInt128(high) &<< 64 | UInt128(low)
  }

  /// Whether `m·2^e ≥ 10^j`, exactly (`-4 ≤ j ≤ 16`, `-66 ≤ e ≤ 0`: every side below 2^120).
  @inline(__always)
  static func atLeastPowerOfTen(m: UInt64, e: Int, _ j: Int, _ tens: [UInt64]) -> Bool {
    // m·2^e ≥ 10^j  ⟺  m·10^(−j) ≥ 2^(−e) (j < 0)  or  m ≥ 10^j·2^(−e) (j ≥ 0).
    let shift = UInt128(truncatingIfNeeded: -e)
    if j < 0 { return product(m, tens[-j]) >= (1 as UInt128) &<< shift }
    return UInt128(m) >= UInt128(tens[j]) &<< shift
  }

  /// Whether the decimal `d·10^(−q)` rounds back to `x = m·2^e`, where `x·10^q = n·2^(−t)`
  /// (`t > 0`): `|d − x·10^q|` within half a step of `x` times `10^q`, the bound itself allowed
  /// when `m` is even (a tie rounds to the even significand). All scaled by `2^(t+2)` to stay
  /// in integers (below 2^112). The interval is symmetric: only a binade's bottom has a
  /// narrower lower half, and in this range those (2^−1 … 2^−13) are exact in 13 digits and
  /// never get here.
  @inline(__always)
  static func readsBack(_ d: UInt128, n: UInt128, t: Int, five: UInt64, m: UInt64) -> Bool {
    let scaled = d &<< UInt128(truncatingIfNeeded: t + 2), exact = n &<< 2
    let step = UInt128(five) &<< 1  // half a step of x (5^q), times 10^q, times 2^(t+2)
    let gap = scaled >= exact ? scaled - exact : exact - scaled
    return gap < step || (m & 1 == 0 && gap == step)
  }

  /// `digits` (`count` of them, trailing zeros allowed) with the first at `10^first`, as
  /// `description` lays out a number in `1e-4 ≤ |x| < 2⁵³`: `0.000ddd` or `ddd.ddd`.
  static func write(digits: UInt64, count: Int, first: Int, negative: Bool, to out: inout [UInt8]) -> Bool {
    var digits = digits, count = count
    while digits % 10 == 0 { digits /= 10; count -= 1 }
    guard first >= -4, count > first + 1 else { return false }  // exponent form, or an integer
    // The whole text in 32 bytes (at most a sign, "0.000" and 17 digits), then one append.
    var text: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    let pairs = digitPairs
    withUnsafeMutableBytes(of: &text) { raw in
      let bytes = raw.bindMemory(to: UInt8.self)
      var length = 0
      if negative { bytes[0] = UInt8(ascii: "-"); length = 1 }
      if first < 0 {
        bytes[length] = UInt8(ascii: "0"); bytes[length + 1] = UInt8(ascii: ".")
        length += 2
        for _ in 0..<(-first - 1) { bytes[length] = UInt8(ascii: "0"); length += 1 }
      }
      // The digits, two per division from the last; with an integer part they are written one
      // place to the right, and that part moved back over the gap left for the point.
      let start = first < 0 ? length : length + 1
      var v = digits, i = count
      while i >= 2 {
        let pair = Int(truncatingIfNeeded: v % 100) &* 2
        v /= 100
        i &-= 2
        bytes[start + i] = pairs[pair]; bytes[start + i + 1] = pairs[pair + 1]
      }
      if i == 1 { bytes[start] = UInt8(truncatingIfNeeded: v) &+ 0x30 }
      if first >= 0 {
        for k in 0...first { bytes[length + k] = bytes[start + k] }
        bytes[length + first + 1] = UInt8(ascii: ".")
      }
      out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[0..<(start + count)]))
    }
    return true
  }

}
