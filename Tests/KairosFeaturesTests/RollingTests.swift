import Foundation
import KairosFeatures
import KairosFrame
import KairosTestSupport
import Testing

func close(_ a: Column<Double>, _ b: [Double], rtol: Double = 1e-9, atol: Double = 1e-9) -> Bool {
  allClose(Array(a), b, rtol: rtol, atol: atol)
}

@Suite struct RollingOracleTests {
  static let cases: [(window: Int, minPeriods: Int?)] = [(1, nil), (2, nil), (3, nil), (5, 2), (20, nil), (20, 5), (60, nil)]

  @Test(arguments: 0..<cases.count)
  func momentsAndExtremaMatchTheNaiveOracle(k: Int) {
    let (w, m) = Self.cases[k]
    for seed in 1...3 as ClosedRange<UInt64> {
      let x = seriesWithNaNsAndConstantRuns(count: 400, seed: seed)
      let c = Column(x)
      #expect(close(c.rollingSum(window: w, minPeriods: m), NaiveOracle.rollingSum(x, w, minPeriods: m)))
      #expect(close(c.rollingMean(window: w, minPeriods: m), NaiveOracle.rollingMean(x, w, minPeriods: m)))
      #expect(close(c.rollingStandardDeviation(window: w, minPeriods: m), NaiveOracle.rollingStd(x, w, minPeriods: m)))
      #expect(close(c.rollingMin(window: w, minPeriods: m), NaiveOracle.rollingMin(x, w, minPeriods: m), rtol: 0, atol: 0))
      #expect(close(c.rollingMax(window: w, minPeriods: m), NaiveOracle.rollingMax(x, w, minPeriods: m), rtol: 0, atol: 0))
    }
  }

  @Test(arguments: [2, 5, 20])
  func rankAndZScore(window w: Int) {
    let x = seriesWithNaNsAndConstantRuns(count: 400, seed: 9)
    let c = Column(x)
    #expect(close(c.rollingPercentileRank(window: w), NaiveOracle.rollingRank(x, w), rtol: 1e-15, atol: 0))
    let mean = NaiveOracle.rollingMean(x, w), sd = NaiveOracle.rollingStd(x, w)
    let z = c.rollingZScore(window: w)
    for i in x.indices {
      let window = x[max(0, i - w + 1)...i]
      if window.contains(where: \.isNaN) || i < w - 1 { #expect(z[i].isNaN); continue }
      if Set(window).count == 1 { #expect(z[i].isNaN); continue }  // constant: 0/0
      #expect(isClose(z[i], (x[i] - mean[i]) / sd[i], rtol: 1e-7, atol: 1e-9), "row \(i)")
    }
  }

  @Test func constantWindowsAreExact() {
    let c = Column<Double>([0.1, 0.1, 0.1, 0.1, 7.3, 7.3, 7.3])
    let sd = c.rollingStandardDeviation(window: 3)
    #expect(sd[2] == 0 && sd[3] == 0 && sd[6] == 0)
    #expect(c.rollingMean(window: 3)[6] == 7.3 && c.rollingMean(window: 3)[3] == 0.1)
  }

  @Test func longSeriesDoNotDrift() {
    // 10,000,000 bars at a level of 1e6 with a standard deviation of 1e-3. The deviation
    // recomputes each window (it depends only on the window's values), so a shorter stretch
    // shows the same; the mean's exact running sum is checked over the whole series.
    var random = RandomData(seed: 77)
    let n = 10_000_000, w = 50
    let x = (0..<n).map { _ in 1e6 + 1e-3 * random.random.nextNormal() }
    let c = Column(x)
    let mean = c.rollingMean(window: w)
    let sdRows = 9_000_000..<9_500_000
    let sd = Column(Array(x[sdRows])).rollingStandardDeviation(window: w)
    for i in stride(from: w - 1, to: n, by: 99_991) {
      let window = x[(i - w + 1)...i]
      let m = window.reduce(0, +) / Double(w)
      let s = (window.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(w - 1)).squareRoot()
      #expect(isClose(mean[i], m, rtol: 1e-9), "mean at \(i)")
      if sdRows.contains(i - w + 1) { #expect(isClose(sd[i - sdRows.lowerBound], s, rtol: 1e-9), "std at \(i)") }
    }
  }

  @Test func movingAverageBankEqualsRollingMean() {
    let x = seriesWithNaNsAndConstantRuns(count: 2000, seed: 4)
    let bank = MovingAverageBank(Column(x))
    let windows = [1, 2, 7, 50, 300]
    for (w, column) in zip(windows, bank.movingAverages(windows: windows)) {
      #expect(close(column, NaiveOracle.rollingMean(x, w), rtol: 1e-13, atol: 1e-12), "window \(w)")
      // The streaming state's bits: the bank is its O(1) form.
      #expect(zip(column, Column(x).rollingMean(window: w)).allSatisfy { $0.bitPattern == $1.bitPattern }, "window \(w)")
      // A window of equal values averages to exactly that value.
      for t in (w - 1)..<x.count where x[(t - w + 1)...t].allSatisfy({ $0 == x[t] }) {
        #expect(column[t] == x[t], "window \(w) at \(t)")
      }
    }
    #expect(bank.mean(window: 7, at: 5).isNaN)
  }
}

@Suite struct IndicatorOracleTests {
  let market = SyntheticMarket(seed: 5, bars: 600).generate()[0].frame

  @Test func emaMatchesTheRecursionAndPandasNaNRule() throws {
    let x = Array(try market.column("close"))
    for span in [1.0, 2, 12, 26, 100] {
      #expect(close(Column(x).exponentialMovingAverage(span: span), NaiveOracle.ema(x, span: span), rtol: 1e-13, atol: 0))
    }
    // pandas: pd.Series([nan, 1, nan, 3]).ewm(span=3, adjust=False).mean() == [nan, 1, 1, 2.333…]
    let gap = Column<Double>([.nan, 1, .nan, 3]).exponentialMovingAverage(span: 3)
    #expect(gap[0].isNaN && gap[1] == 1 && gap[2] == 1 && isClose(gap[3], (0.25 * 1 + 0.5 * 3) / 0.75, rtol: 1e-15))
  }

  @Test func wilderIndicatorsMatchTALibStyleOracles() throws {
    let (h, l, c) = (try market.column("high"), try market.column("low"), try market.column("close"))
    for p in [2, 14, 30] {
      #expect(close(c.relativeStrengthIndex(period: p), NaiveOracle.rsi(Array(c), p), rtol: 1e-10, atol: 1e-10))
      #expect(close(PriceBars.averageTrueRange(high: h, low: l, close: c, period: p),
                    NaiveOracle.atr(high: Array(h), low: Array(l), close: Array(c), p), rtol: 1e-10, atol: 1e-12))
    }
    let flat = Column<Double>(repeating: 5, count: 30).relativeStrengthIndex(period: 14)
    #expect(flat[14] == 0 && flat[13].isNaN)  // TA-Lib: 0 when there is no movement
  }

  @Test func otherIndicatorsAgainstDirectFormulas() throws {
    let (h, l, c) = (try market.column("high"), try market.column("low"), try market.column("close"))
    let x = Array(c)
    let er = c.efficiencyRatio(window: 10)
    for i in 10..<x.count {
      let path = (i - 9...i).map { abs(x[$0] - x[$0 - 1]) }.reduce(0, +)
      #expect(isClose(er[i], abs(x[i] - x[i - 10]) / path, rtol: 1e-9))
    }
    #expect(er[9].isNaN)
    let chop = PriceBars.choppinessIndex(high: h, low: l, close: c, window: 14)
    for i in 14..<x.count {
      var tr = 0.0, highest = -Double.infinity, lowest = Double.infinity
      for j in (i - 13)...i {
        let a: Double = h[j] - l[j], b: Double = abs(h[j] - x[j - 1]), d: Double = abs(l[j] - x[j - 1])
        tr += max(a, max(b, d))
        highest = max(highest, h[j]); lowest = min(lowest, l[j])
      }
      let range = highest - lowest
      #expect(isClose(chop[i], 100 * log10(tr / range) / log10(14), rtol: 1e-9))
    }
    #expect(chop[13].isNaN)
    let vol = c.realizedVolatility(window: 20)
    let r = (1..<x.count).map { log(x[$0] / x[$0 - 1]) }
    let expected = NaiveOracle.rollingStd([Double.nan] + r, 20).map { $0 * 252.0.squareRoot() }
    #expect(close(vol, expected, rtol: 1e-9, atol: 1e-12))
    let b = c.bollinger(window: 20, k: 2)
    let m = NaiveOracle.rollingMean(x, 20), s = NaiveOracle.rollingStd(x, 20).map { $0 * (19.0 / 20).squareRoot() }
    #expect(close(b.percentB, x.indices.map { (x[$0] - (m[$0] - 2 * s[$0])) / (4 * s[$0]) }, rtol: 1e-8, atol: 1e-10))
    #expect(close(b.bandwidth, x.indices.map { 4 * s[$0] / m[$0] }, rtol: 1e-8, atol: 1e-12))
    #expect(c.returns(periods: 2)[0].isNaN && c.returns(periods: 2)[1].isNaN)
    #expect(c.lagged(1)[1] == c[0] && c.lagged(-1)[0] == c[1] && c.lagged(-1)[x.count - 1].isNaN)
    #expect(c.differenced(3)[3] == c[3] - c[0])
  }
}
