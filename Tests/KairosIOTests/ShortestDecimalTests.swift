import KairosCore
import Testing
@testable import KairosIO

/// `ShortestDecimal` against the reference it replaces, `Double.description`, on the numbers
/// where digit choice is hardest: every binade of its range, the bottoms of binades (an
/// asymmetric rounding interval), neighbours of powers of ten, decimals of 1 to 17 digits and
/// their neighbouring doubles, and halves (exact ties at the 16th or 17th digit).
@Suite struct ShortestDecimalTests {
  /// The writer's bytes for `x` (`nil` when it leaves `x` to `description`).
  func shortest(_ x: Double) -> String? {
    var bytes: [UInt8] = []
    guard ShortestDecimal.append(x, to: &bytes) else {
      #expect(bytes.isEmpty, "\(x): bytes written before declining")
      return nil
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  func check(_ x: Double, _ handled: inout Int) {
    checkWriteNumber(x)
    guard let text = shortest(x) else { return }
    handled += 1
    #expect(text == x.description, "\(x.bitPattern)")
    #expect(Double(text)?.bitPattern == x.bitPattern, "\(text) reads back to another double")
  }

  /// `CSVWriter.writeNumber` (which writes through `ShortestDecimal.write`) gives the text of
  /// its definition — the integer digits, or `description` — and writes nothing past its
  /// `numberCapacity` (its words may spill past the text, never past that).
  func checkWriteNumber(_ x: Double) {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: CSVWriter.numberCapacity + 16) { buffer in
      buffer.initialize(repeating: 0xAA)
      let n = CSVWriter.writeNumber(x, to: buffer.baseAddress!)
      let text = String(decoding: buffer[0..<n], as: UTF8.self)
      let expected = x.isNaN ? "NaN" : x == x.rounded(.towardZero) && Swift.abs(x) <= 9_007_199_254_740_992
        ? (x == 0 && x.sign == .minus ? "-0" : String(Int64(x))) : x.description
      #expect(text == expected, "\(x.bitPattern)")
      #expect(buffer[CSVWriter.numberCapacity...].allSatisfy { $0 == 0xAA }, "\(x.bitPattern): wrote past the capacity")
    }
  }

  @Test func agreesWithDescription() {
    var random = SplitMix64(seed: 2026)
    var handled = 0
    var values: [Double] = []
    // Random significands in every binade of the range, and each binade's bottom and top.
    for exponent in -14...52 {
      let bottom = Double(sign: .plus, exponent: exponent, significand: 1)
      values += [bottom, bottom.nextUp, bottom.nextDown, bottom * 2 - bottom.ulp]
      for _ in 0..<3_000 {
        values.append(Double(sign: .plus, exponent: exponent, significand: 1 + Double(random.next() >> 11) / 9_007_199_254_740_992))
      }
    }
    // Decimals of 1 to 17 digits at every decimal exponent, and their neighbours.
    for _ in 0..<60_000 {
      let digits = 1 + Int(random.next() % 17)
      var d: UInt64 = 1 + random.next() % 9
      for _ in 1..<digits { d = d * 10 + random.next() % 10 }
      let point = Int(random.next() % 21) - 4  // the decimal exponent of the first digit
      let x = Double("\(d)e\(point - digits + 1)")!
      values += [x, x.nextUp, x.nextDown]
    }
    // Powers of ten, their neighbours, halves and metric-like values.
    for k in -4...15 {
      let p = Double("1e\(k)")!
      values += [p, p.nextUp, p.nextDown, p + 0.5, p * 9.999999999999999]
    }
    for _ in 0..<20_000 { values.append(Double(random.next() % 1_000_000_000_000) / 1_024 + 0.5) }
    values += [0.1, 0.2, 0.3, 2.0 / 3, 0.0001, 0.0001.nextDown, 4_503_599_627_370_495.5, 1e15 + 0.125, 9_007_199_254_740_991.5.nextDown]
    for x in values {
      check(x, &handled)
      check(-x, &handled)
    }
    // The fast path must cover most of these (a writer that always declines would pass above).
    #expect(handled > values.count, "handled \(handled) of \(2 * values.count)")
  }

  /// Outside its range the writer declines, so the caller's general formatter keeps the
  /// exponent form and the integers.
  @Test func declinesOutsideItsRange() {
    for x in [0, 1, -3, 1e-5, 0.0001.nextDown, 9_007_199_254_740_992, 1e300, .nan, .infinity, -.infinity, .leastNonzeroMagnitude] as [Double] {
      #expect(shortest(x) == nil, "\(x)")
    }
    // The caller's formats for those: the longest texts it writes stay within the capacity.
    for x in [-2.2250738585072014e-308, -1.7976931348623157e308, -9_007_199_254_740_992, -0.0, -.infinity, .nan, -1e-5, -0.00012345678901234567] as [Double] {
      checkWriteNumber(x)
    }
  }
}
