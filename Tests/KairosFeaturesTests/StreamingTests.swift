import KairosCore
import KairosFeatures
import KairosTestSupport
import Testing

/// The streaming indicators against naive oracles, and their shared arithmetic.
@Suite struct StreamingTests {
  func series(_ n: Int, seed: UInt64, nans: Bool = true) -> [Double] {
    var random = SplitMix64(seed: seed)
    var price = 100.0
    return (0..<n).map { t in
      price *= 1 + 0.02 * (random.nextUniform() - 0.5)
      if nans && t % 97 == 50 { return .nan }
      return t % 211 < 8 ? 100 : price  // constant runs
    }
  }

  @Test func quantizationEqualsTheGenericConversion() {
    var random = SplitMix64(seed: 3)
    for k in 0..<20_000 {
      let magnitude = Double(k % 60) - 20  // 2^-20 ... 2^39
      var x = (random.nextUniform() * 2 - 1) * (k % 60 == 0 ? 1 : 2.0 * Double.pow2(magnitude))
      if k % 7 == 0 { x = x.rounded() + (k % 14 == 0 ? 0.5 : 1 - 0x1p-40) }  // ties and near-integers
      let generic = Int128((x * 0x1p64).rounded(.toNearestOrEven))
      #expect(FixedPoint.quantize(x) == generic, "x = \(x)")
      // Back to a double: within an ulp, plus 2⁻⁵² absolute from the fraction's dropped bits.
      #expect(abs(FixedPoint.double(generic) - x) <= x.ulp + 0x1p-52, "x = \(x)")
    }
  }

  @Test func bankGivesTheStreamingMeanBitForBit() {
    let x = series(3000, seed: 8)
    let bank = MovingAverageBank(Column(x))
    for w in [1, 2, 5, 20, 137, 300] {
      let folded = Column(x).streamed(RollingMeanState(window: w))
      #expect(Array(bank.movingAverage(window: w)).map(\.bitPattern) == Array(folded).map(\.bitPattern), "window \(w)")
      #expect(close(folded, NaiveOracle.rollingMean(x, w), rtol: 1e-14, atol: 0), "window \(w)")
    }
  }

  @Test func windowStatesAgreeWithNaiveOracles() {
    let x = series(1500, seed: 2)
    for w in [2, 14, 20, 63] {
      #expect(close(Column(x).streamed(RollingDeviationState(window: w)), NaiveOracle.rollingStd(x, w), rtol: 1e-12, atol: 1e-14))
      #expect(close(Column(x).streamed(RollingSumState(window: w)), NaiveOracle.rollingSum(x, w), rtol: 1e-14, atol: 0))
      #expect(Array(Column(x).streamed(RollingExtremumState(window: w, maximum: true))).map(\.bitPattern) == NaiveOracle.rollingMax(x, w).map(\.bitPattern))
      #expect(Array(Column(x).streamed(RollingExtremumState(window: w, maximum: false))).map(\.bitPattern) == NaiveOracle.rollingMin(x, w).map(\.bitPattern))
      #expect(close(Column(x).streamed(RollingPercentileRankState(window: w)), NaiveOracle.rollingRank(x, w), rtol: 0, atol: 0))
    }
    // A constant window has a deviation of exactly 0 (as pandas), not rounding noise.
    let flat = [Double](repeating: 0.1, count: 50)
    #expect(Array(Column(flat).streamed(RollingDeviationState(window: 20)))[19...].allSatisfy { $0 == 0 })
  }

  @Test func recursiveStatesAgreeWithNaiveOracles() {
    let x = series(800, seed: 6, nans: false)
    #expect(close(Column(x).streamed(EMAState(span: 12)), NaiveOracle.ema(x, span: 12), rtol: 1e-13, atol: 0))
    #expect(close(Column(x).streamed(RSIState(period: 14)), NaiveOracle.rsi(x, 14), rtol: 1e-12, atol: 1e-12))
    let high = x.map { $0 * 1.01 }, low = x.map { $0 * 0.99 }
    let atr = streamed(ATRState(period: 14), count: x.count) { HighLowClose(high: high[$0], low: low[$0], close: x[$0]) }
    #expect(close(atr, NaiveOracle.atr(high: high, low: low, close: x, 14), rtol: 1e-12, atol: 0))
  }
}

extension Double {
  static func pow2(_ e: Double) -> Double { Double(sign: .plus, exponent: Int(e), significand: 1) }
}
