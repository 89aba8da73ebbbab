import Foundation
import KairosBacktest
import KairosFrame
import KairosTestSupport
import Testing

/// Changing every price after bar t must change no signal, order or fill at or before t.
@Suite struct LookAheadTests {
  nonisolated(unsafe) static let cases: [(StrategyKind, [String: Double], BarInterval?)] = [
    (.smaCross, ["fast": 5, "slow": 20], nil), (.emaCross, ["fast": 5, "slow": 20], nil),
    (.rsiReversion, ["window": 7, "lower": 35, "upper": 65], nil), (.bollingerReversion, ["window": 10, "k": 1.5], nil),
    (.donchianBreakout, ["window": 10], nil), (.model, ["threshold": 0.52, "smoothing": 3], nil),
    (.smaCross, ["fast": 5, "slow": 20, "vol_lookback": 50, "vol_low": 0.1, "vol_high": 0.9], nil),
    (.smaCross, ["fast": 5, "slow": 20, "er_window": 10, "er_min": 0.2], nil),
    (.smaCross, ["fast": 5, "slow": 20, "chop_window": 14, "chop_max": 60], nil),
    (.smaCross, ["fast": 3, "slow": 8], try! BarInterval(parsing: "1w")),
    (.model, ["threshold": 0.52, "smoothing": 2], try! BarInterval(parsing: "1w")),
    (.rsiReversion, ["window": 7, "lower": 35, "upper": 65, "stop_atr": 2, "take_atr": 3], nil),
  ]

  func run(_ frame: Frame, probabilities: [Double], _ c: (StrategyKind, [String: Double], BarInterval?), shorts: Bool) throws -> ([Int8], FullRecording) {
    var config = BacktestConfiguration()
    config.allowShort = shorts
    config.fee = 0.001
    let runner = StrategyRunner(kind: c.0, configuration: config, confirmation: c.2)
    let market = try MarketSeries(name: "X", frame: frame)
    let cache = IndicatorCache(market: market)
    cache.probabilities = Column(probabilities)
    let p = try runner.resolve(c.1)
    cache.prepare(runner.indicators(p))
    var recording = FullRecording()
    var accumulator = PerformanceAccumulator(initialEquity: config.initialCapital, periodsPerYear: 252, capacity: market.count)
    _ = try runner.run(p, cache: cache, accumulator: &accumulator, recorder: &recording)
    return (try runner.targets(p, cache: cache), recording)
  }

  @Test(arguments: 0..<cases.count)
  func nothingAtOrBeforeTDependsOnLaterPrices(k: Int) throws {
    let c = Self.cases[k]
    let frame = SyntheticMarket(seed: 21, bars: 700).generate()[0].frame
    let close = Array(frame["close"]!)
    // A causal "model": probability from the last 5-bar return.
    let probabilities = close.indices.map { t in t < 5 ? Double.nan : 1 / (1 + exp(-50 * (close[t] / close[t - 5] - 1))) }
    for shorts in [false, true] {
      let (targets, recording) = try run(frame, probabilities: probabilities, c, shorts: shorts)
      #expect(recording.orders.count >= 4, "\(c.0) \(c.1) should trade")
      for t in [200, 411, 650] {
        var changed = frame
        for name in ["open", "high", "low", "close", "volume"] {
          var values = Array(frame[name]!)
          for i in (t + 1)..<values.count { values[i] *= name == "volume" ? 3 : 0.7 + 0.6 * Double(i % 7) / 6 }
          try changed.setColumn(name, Column(values))
        }
        var changedProbabilities = probabilities
        for i in (t + 1)..<changedProbabilities.count { changedProbabilities[i] = 1 - changedProbabilities[i] }
        let (targets2, recording2) = try run(changed, probabilities: changedProbabilities, c, shorts: shorts)
        #expect(Array(targets[...t]) == Array(targets2[...t]), "\(c.0) \(c.1): a signal at or before \(t) changed")
        // Orders filled at bar b were decided at b − 1: every order up to bar t must be the same.
        #expect(recording.orders.filter { $0.bar <= t } == recording2.orders.filter { $0.bar <= t }, "\(c.0) \(c.1): an order at or before \(t) changed")
        #expect(Array(recording.equity[...t]) == Array(recording2.equity[...t]))
      }
    }
  }
}
