/// The shortest decimal that reads back to the same `Double` — the digits `Double.description`
/// prints — written straight into a byte buffer, for the numbers a result matrix is made of.
///
/// Why: a sweep writes about twenty numbers per row, and `description` costs about 1,150
/// instructions each (a general formatter, then a heap-allocated `String`); this costs about
/// 280. It covers the fractions CSV cells usually hold, `1e-4 ≤ |x| < 2⁵³`, in exact integer
/// arithmetic, and writes nothing for the rest (integers, NaN, ±inf, tiny or huge
/// magnitudes), which the caller formats as before.
///
/// How, for `x = m·2^e` (`m` the 53-bit significand): one product `n = m·5^q` (`q = 16 − k̃`,
/// `k̃ = ⌊log₁₀ 2^exponent⌋`, so `10^k̃ ≤ 10·x`) gives `x·10^q = n·2^−t` exactly, i.e.
/// `D = ⌊x·10^q⌋` (17 or 18 digits) and the bits below it. The nearest decimal of `p` digits is
/// `D` divided by `10^(17−p)` (times 10 when `D` has 18 digits), rounded by the remainder and
/// those bits — no other product. Then:
/// - with 17 digits the nearest always reads back (their step is below half a double's step);
/// - with 16 digits several may read back, and the nearest does whenever any does: if none
///   does, the answer has 17 digits;
/// - with 15 digits at most one reads back (their step exceeds a double's) and it is the
///   nearest, and a 15-digit decimal is also a 16-digit one: so 15 is tried only after 16
///   passed. `Double.description` picks the same: the shortest that reads back, the nearest
///   among those. An exact tie between two nearest decimals is left to it (writes nothing).
/// Reading back is `|decimal − x| < half the step of x` (the bound allowed for an even `m`:
/// a tie rounds to the even significand), scaled to integers below 2⁶⁴. The interval is
/// symmetric: only a binade's bottom has a narrower lower half, and in this range those
/// (2⁻¹ … 2⁻¹³) are exact in 13 digits and never reach the test.
public enum ShortestDecimal {
  /// The room `write` needs at its pointer: it may write scratch bytes past the text it returns
  /// (at most 34 bytes in all; `description`'s longest text is 24).
  public static let capacity = 40

  /// Powers of five and digit pairs, made once and read through pointers (no bounds or
  /// lazy-initialisation checks on the path that writes a row).
  struct Tables: @unchecked Sendable {
    /// 5⁰ … 5²⁷ (the largest `q` used is 21).
    let fives: UnsafeMutablePointer<UInt64>
    /// "00" … "99" as two ASCII bytes in memory order.
    let pairs: UnsafeMutablePointer<UInt16>
    init() {
      fives = .allocate(capacity: 28)
      pairs = .allocate(capacity: 100)
      var f: UInt64 = 1
      for k in 0..<28 { fives[k] = f; f &*= 5 }
      for k in 0..<100 { pairs[k] = UInt16(0x30 + k / 10) | UInt16(0x30 + k % 10) << 8 }
    }
  }
  static let tables = Tables()

  /// Writes the shortest round-trip digits of `x` at `out` in `Double.description`'s decimal
  /// layout (`0.00012`, `-3.25`, `4503599627370495.5`) when `x` is a finite non-integer with
  /// `1e-4 ≤ |x| < 2⁵³`, and returns their count; returns 0 otherwise and in the rare tie.
  /// `out` must have room for `capacity` bytes.
  @inline(__always)
  public static func write(_ x: Double, to out: UnsafeMutablePointer<UInt8>) -> Int {
    let a = Swift.abs(x)
    guard a >= 0.0001, a < 9_007_199_254_740_992, a != a.rounded(.towardZero) else { return 0 }
    // All arithmetic below is on values whose bounds are given: wrapping operators, no traps.
    let tables = self.tables
    let m = a.significandBitPattern | (1 << 52)
    let exponent = Int(truncatingIfNeeded: a.bitPattern >> 52) &- 1023  // normal: −14 … 52
    let e = exponent &- 52
    var k = (exponent &* 78_913) >> 18  // ⌊exponent·log₁₀2⌋: the first digit at 10^k or 10^(k+1)
    let q = 16 &- k  // 1 … 21
    let five = tables.fives[q]
    let (high, low) = m.multipliedFullWidth(by: five)
    let n = UInt128(high) &<< 64 | UInt128(low)  // x·10^q = n·2^−t, n < 2¹⁰³
    let t = -e &- q  // −1 … 47
    // D = ⌊x·10^q⌋ < 10^18, and the bits below it: x·10^q = D + R·2^−s.
    var D: UInt64, R: UInt64 = 0, s = 0
    if t > 0 {
      s = t
      D = UInt64(truncatingIfNeeded: n &>> UInt128(truncatingIfNeeded: t))
      R = low & ((1 &<< UInt64(truncatingIfNeeded: t)) &- 1)
    } else {
      D = UInt64(truncatingIfNeeded: n &<< UInt128(truncatingIfNeeded: -t))
    }
    let eighteenDigits = D >= 100_000_000_000_000_000
    if eighteenDigits { k &+= 1 }  // the first digit at 10^(k+1); every divisor ×10 below
    // Twice the half-step of x at this scale, times 2^s: 5^q·2^(s−t) (below 2⁴⁹).
    let radius = five &<< UInt64(truncatingIfNeeded: s &- t)
    let even = m & 1 == 0
    /// `D / divisor` rounded to the nearest, whether that was an exact tie, and whether the
    /// decimal reads back. Every quantity below 2⁵⁸: `rest < 1000`, `s ≤ 47`.
    @inline(__always) func nearest(_ divisor: UInt64) -> (value: UInt64, tie: Bool, readsBack: Bool) {
      let (whole, rest) = D.quotientAndRemainder(dividingBy: divisor)
      let fraction = rest &<< UInt64(truncatingIfNeeded: s) | R  // × 2^−s: below one divisor
      let unit = divisor &<< UInt64(truncatingIfNeeded: s)
      let doubled = fraction &<< 1
      let up = doubled > unit
      if fraction == 0 { return (whole, false, true) }  // exact
      let gap = (up ? unit &- fraction : fraction) &<< 1  // twice |decimal − x·10^q|, × 2^s
      return (up ? whole &+ 1 : whole, doubled == unit, gap < radius || (even && gap == radius))
    }
    // The divisors as literals in each of the two cases, so that each division is a multiply
    // and a shift, not a hardware divide (about 40 cycles each, two per number).
    @inline(__always) func shortest(_ scale: UInt64) -> (digits: UInt64, count: Int)? {
      let sixteen = nearest(10 &* scale)
      if sixteen.tie { return nil }
      if sixteen.readsBack {
        let fifteen = nearest(100 &* scale)
        return !fifteen.tie && fifteen.readsBack ? (fifteen.value, 15) : (sixteen.value, 16)
      }
      let seventeen = nearest(scale)
      return seventeen.tie ? nil : (seventeen.value, 17)
    }
    guard let found = eighteenDigits ? shortest(10) : shortest(1) else { return 0 }
    var digits = found.digits
    let count = found.count
    var first = k
    let top: UInt64 = count == 15 ? 1_000_000_000_000_000 : count == 16 ? 10_000_000_000_000_000 : 100_000_000_000_000_000
    if digits == top { digits = top / 10; first &+= 1 }  // rounded up to 10^p
    return lay(digits: digits, count: count, first: first, negative: x < 0, to: out)
  }

  /// Eight decimal digits of `x < 10⁸` at `p`, two per table read.
  @inline(__always)
  static func eight(_ x: UInt32, to p: UnsafeMutableRawPointer, _ pairs: UnsafeMutablePointer<UInt16>) {
    let a = x / 10_000, b = x % 10_000
    p.storeBytes(of: pairs[Int(a / 100)], toByteOffset: 0, as: UInt16.self)
    p.storeBytes(of: pairs[Int(a % 100)], toByteOffset: 2, as: UInt16.self)
    p.storeBytes(of: pairs[Int(b / 100)], toByteOffset: 4, as: UInt16.self)
    p.storeBytes(of: pairs[Int(b % 100)], toByteOffset: 6, as: UInt16.self)
  }

  /// `digits` (`count` of them, trailing zeros allowed) with the first at `10^first`, as
  /// `description` lays out a number in `1e-4 ≤ |x| < 2⁵³`: `0.000ddd` or `ddd.ddd`. Returns
  /// the length, or 0 for the exponent form or an integer (left to the caller).
  @inline(__always)
  static func lay(digits: UInt64, count: Int, first: Int, negative: Bool, to out: UnsafeMutablePointer<UInt8>) -> Int {
    var digits = digits, count = count
    while digits % 10 == 0 { digits /= 10; count &-= 1 }
    guard first >= -4, count > first &+ 1 else { return 0 }
    // The digits right-aligned in 17 places (after leading zeros), then copied in 8-byte words:
    // the integer part, the point, the rest (`out` has room for the words' spill).
    var scratch: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0)
    return withUnsafeMutableBytes(of: &scratch) { raw -> Int in
      let text = raw.baseAddress!, pairs = tables.pairs
      let high = digits / 100_000_000
      text.storeBytes(of: UInt8(truncatingIfNeeded: high / 100_000_000) &+ 0x30, as: UInt8.self)
      eight(UInt32(truncatingIfNeeded: high % 100_000_000), to: text + 1, pairs)
      eight(UInt32(truncatingIfNeeded: digits % 100_000_000), to: text + 9, pairs)
      let source = text + (17 &- count)
      let o = UnsafeMutableRawPointer(out)
      var length = 0
      if negative { out[0] = UInt8(ascii: "-"); length = 1 }
      if first < 0 {
        // "0.000" stored whole; the length moves past "0." and the −first − 1 zeros kept.
        o.storeBytes(of: 0x3030_3030_2E30 as UInt64, toByteOffset: length, as: UInt64.self)
        length &+= 1 &- first
        copy(source, to: o + length, words: 3)
        return length &+ count
      }
      let whole = first &+ 1  // 1 … 16 digits before the point, 1 … 16 after
      copy(source, to: o + length, words: 2)
      copy(source + whole, to: o + (length &+ whole &+ 1), words: 2)
      out[length &+ whole] = UInt8(ascii: ".")
      return length &+ count &+ 1
    }
  }

  /// `words` 8-byte words from `source` to `target`, unaligned.
  @inline(__always)
  static func copy(_ source: UnsafeMutableRawPointer, to target: UnsafeMutableRawPointer, words: Int) {
    for w in 0..<words {
      target.storeBytes(of: source.loadUnaligned(fromByteOffset: 8 &* w, as: UInt64.self), toByteOffset: 8 &* w, as: UInt64.self)
    }
  }

  /// Appends what `write` writes; returns `false` and appends nothing where it writes nothing.
  public static func append(_ x: Double, to out: inout [UInt8]) -> Bool {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { buffer in
      let n = write(x, to: buffer.baseAddress!)
      out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[0..<n]))
      return n > 0
    }
  }
}
