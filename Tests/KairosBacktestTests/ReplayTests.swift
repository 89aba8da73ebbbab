import Foundation
import KairosBacktest
import KairosCore
import KairosFeatures
import KairosFrame
import KairosIO
import KairosModels
import KairosTestSupport
import Testing

/// Replay equals backtest, bit for bit: every bar of a series fed one at a time through the
/// engine core (streaming strategy, streaming engine inputs, no access to later bars), against
/// the whole-history backtest over precomputed columns (which runs its quiet stretches through
/// `EngineCore.runQuiet`): the records, the equity curve and every metric.
@Suite struct ReplayTests {
  static let week = try! BarInterval(1, .week)
  static let strategies: [(StrategyKind, [String: Double], BarInterval?)] = [
    (.smaCross, ["fast": 5, "slow": 20], nil),
    (.emaCross, ["fast": 8, "slow": 30], nil),
    (.rsiReversion, ["window": 10, "lower": 40, "upper": 60], nil),
    (.bollingerReversion, ["window": 15, "k": 1.2], nil),
    (.donchianBreakout, ["window": 12], nil),
    (.model, ["threshold": 0.52, "smoothing": 3], nil),
    (.smaCross, ["fast": 5, "slow": 20, "vol_lookback": 60, "vol_low": 0.2, "vol_high": 0.9], nil),
    (.emaCross, ["fast": 5, "slow": 20, "er_window": 10, "er_min": 0.15], nil),
    (.donchianBreakout, ["window": 10, "chop_window": 14, "chop_max": 58], nil),
    (.smaCross, ["fast": 3, "slow": 8], week),
    (.model, ["threshold": 0.51, "smoothing": 2], week),
    (.emaCross, ["fast": 3, "slow": 10, "er_window": 10, "er_min": 0.1], week),
  ]

  /// Probabilities for the model strategy: a bounded random walk with gaps.
  static func probabilities(_ n: Int, seed: UInt64) -> [Double] {
    var random = SplitMix64(seed: seed)
    var p = 0.5
    return (0..<n).map { t in
      p = min(0.95, max(0.05, p + 0.04 * (random.nextUniform() - 0.5)))
      return t % 83 == 40 ? .nan : p
    }
  }

  /// What a run recorded and its summary.
  struct Run {
    let recording: FullRecording
    let summary: PerformanceSummary
    var trades: [TradeRecord] { recording.trades }
    /// Where this run first differs from `other` (nil: the same bits).
    func difference(from other: Run) -> String? {
      ReplayTests.firstDifference(recording, other.recording)
        ?? zip(Metrics.names, zip(Metrics.all.map { $0.value(summary) }, Metrics.all.map { $0.value(other.summary) }))
          .first { $0.1.0.bitPattern != $0.1.1.bitPattern }.map { "metric \($0.0): \($0.1.0) against \($0.1.1)" }
    }
  }

  /// Where two recordings first differ, and how (nil: the same bits) — one record, not the
  /// whole arrays, in a failed test's message.
  static func firstDifference(_ a: FullRecording, _ b: FullRecording) -> String? {
    let (x, y) = (bits(a), bits(b))
    let (ao, bo, at, bt) = (a.orders.count, b.orders.count, a.trades.count, b.trades.count)
    for k in 0..<min(ao, bo) where x[k] != y[k] { return "order \(k): \(a.orders[k]) against \(b.orders[k])" }
    for i in 0..<min(at, bt) where x[ao + i] != y[bo + i] { return "trade \(i): \(a.trades[i]) against \(b.trades[i])" }
    if ao != bo || at != bt { return "\(ao) orders, \(at) trades against \(bo), \(bt) (the first ones equal)" }
    for (s, series) in ["equity", "return", "position"].enumerated() {
      let (u, v) = (x[ao + at + s], y[bo + bt + s])
      guard u != v else { continue }
      guard let t = u.indices.first(where: { $0 < v.count && u[$0] != v[$0] }) else { return "\(series): \(u.count) values against \(v.count)" }
      return "\(series) at bar \(t): \(Double(bitPattern: u[t])) against \(Double(bitPattern: v[t]))"
    }
    return nil
  }

  /// The exact bits of everything the engine recorded.
  static func bits(_ r: FullRecording) -> [[UInt64]] {
    r.orders.map { [UInt64($0.bar), UInt64(bitPattern: Int64($0.side)), $0.units.bitPattern, $0.price.bitPattern, $0.fee.bitPattern,
                    UInt64(OrderReasonCode.of($0.reason)), UInt64($0.status == .filled ? 1 : 0),
                    UInt64(ClipCode.of($0.clip))] }
      + r.trades.map { [UInt64($0.entryBar), UInt64($0.exitBar), $0.entryPrice.bitPattern, $0.exitPrice.bitPattern, $0.units.bitPattern,
                        $0.pnl.bitPattern, $0.returnValue.bitPattern, UInt64(OrderReasonCode.of($0.exitReason))] }
      + [r.equity.map(\.bitPattern), r.returns.map(\.bitPattern), r.positions.map(\.bitPattern)]
  }

  /// The whole-history backtest.
  static func backtest(_ frame: Frame, _ kind: StrategyKind, _ p: [String: Double], _ confirmation: BarInterval?,
                       _ config: BacktestConfiguration, probabilities: [Double]) throws -> Run {
    let runner = StrategyRunner(kind: kind, configuration: config, confirmation: confirmation)
    let resolved = try runner.resolve(p)
    let cache = IndicatorCache(market: try MarketSeries(name: "X", frame: frame))
    if kind == .model { cache.probabilities = Column(probabilities) }
    cache.prepare(runner.indicators(resolved))
    var recording = FullRecording()
    var accumulator = PerformanceAccumulator(initialEquity: config.initialCapital, periodsPerYear: config.annualization(for: frame.index.timestamps))
    let summary = try runner.run(resolved, cache: cache, accumulator: &accumulator, recorder: &recording)
    return Run(recording: recording, summary: summary)
  }

  /// The same run bar by bar, as the live loop will drive it.
  /// With `scorer`, the model's probability of each bar comes from the bar itself (features
  /// streamed and scored as it arrives) instead of `probabilities`.
  static func replay(_ frame: Frame, _ kind: StrategyKind, _ p: [String: Double], _ confirmation: BarInterval?,
                     _ config: BacktestConfiguration, probabilities: [Double], scorer: ModelScorer? = nil) throws -> Run {
    var scorer = scorer
    let runner = StrategyRunner(kind: kind, configuration: config, confirmation: confirmation)
    let resolved = try runner.resolve(p)
    var strategy = try runner.stream(resolved)
    var core = EngineCore(configuration: try config.applying(resolved),
                          accumulator: PerformanceAccumulator(initialEquity: config.initialCapital, periodsPerYear: config.annualization(for: frame.index.timestamps)),
                          recorder: FullRecording())
    var engineInputs = DecisionInputsState()
    let columns = ["open", "high", "low", "close", "volume"].map { Array(frame[$0]!) }
    for t in 0..<frame.rowCount {
      // Only bar t is read here.
      let bar = OHLCVBar(open: columns[0][t], high: columns[1][t], low: columns[2][t], close: columns[3][t], volume: columns[4][t])
      let inputs = engineInputs.update(bar)
      let probability = scorer.map { _ in
        scorer!.update(["open": bar.open, "high": bar.high, "low": bar.low, "close": bar.close, "volume": bar.volume])
      } ?? probabilities[t]
      let target = strategy.update(bar, time: frame.index[t], probability: probability)
      core.atOpen(bar: t, bar.prices)
      core.atClose(bar: t, bar.prices, target: target) { inputs }
    }
    return Run(recording: core.recorder, summary: core.finish())
  }

  @Test(arguments: 0..<strategies.count)
  func replayEqualsBacktestOnRandomDataWithMissingBars(strategy: Int) throws {
    let (kind, p, confirmation) = Self.strategies[strategy]
    for seed in [1, 2] as [UInt64] {
      let frame = testMarket(seed: seed, bars: 700)
      let probabilities = Self.probabilities(frame.rowCount, seed: seed)
      var traded = 0
      for (name, apply) in EngineExactnessTests.options {
        var config = BacktestConfiguration()
        apply(&config)
        let a = try Self.backtest(frame, kind, p, confirmation, config, probabilities: probabilities)
        let b = try Self.replay(frame, kind, p, confirmation, config, probabilities: probabilities)
        #expect(a.difference(from: b) == nil, "\(kind.rawValue) \(p) \(confirmation.map(\.description) ?? ""), \(name), seed \(seed)")
        traded += a.trades.count
      }
      #expect(traded > 20, "\(kind.rawValue): the case should trade")
    }
  }

  /// The model strategy from the bars alone: features streamed, scored, smoothed and
  /// thresholded bar by bar, against the backtest on the whole-history probabilities.
  @Test func modelStrategyFromBarsEqualsBacktest() throws {
    let frame = testMarket(seed: 5, bars: 900)
    let spec = FeatureSpec(features: [FeatureDefinition(kind: "log_returns"), FeatureDefinition(kind: "zscore", window: 20),  // no Wilder state: the data has missing bars
                                      FeatureDefinition(kind: "macd"), FeatureDefinition(kind: "bollinger"), FeatureDefinition(kind: "efficiency_ratio"),
                                      FeatureDefinition(kind: "volume_zscore")],
                           target: .nextReturnSign(horizon: 1))
    let model = try LinearModel.fit(.logistic, on: try FeatureSet(spec: spec, frame: frame), l2: 1, standardize: true)
    let probabilities = Array(try model.probabilities(on: frame, spec: spec))
    #expect(probabilities.filter(\.isFinite).count > 500)
    var traded = 0
    for (name, apply) in EngineExactnessTests.options {
      var config = BacktestConfiguration()
      apply(&config)
      for p in [["threshold": 0.5, "smoothing": 3], ["threshold": 0.51, "smoothing": 1]] {
        let a = try Self.backtest(frame, .model, p, nil, config, probabilities: probabilities)
        let b = try Self.replay(frame, .model, p, nil, config, probabilities: [],
                                scorer: try ModelScorer(model: model, spec: spec, columns: ["open", "high", "low", "close", "volume"]))
        #expect(a.difference(from: b) == nil, "\(name) \(p)")
        traded += a.trades.count
      }
    }
    #expect(traded > 20)
  }

  @Test func replayEqualsBacktestOnRealData() throws {
    let frame = try CSVReader.readOHLCV(path: try TestPaths.sharedData("nvda_daily.csv"))
    let probabilities = Self.probabilities(frame.rowCount, seed: 9)
    for (kind, p, confirmation) in Self.strategies {
      for option in [0, 6, 11, 12] {
        var config = BacktestConfiguration()
        EngineExactnessTests.options[option].1(&config)
        let a = try Self.backtest(frame, kind, p, confirmation, config, probabilities: probabilities)
        let b = try Self.replay(frame, kind, p, confirmation, config, probabilities: probabilities)
        #expect(a.difference(from: b) == nil, "\(kind.rawValue) \(p), \(EngineExactnessTests.options[option].0)")
      }
    }
  }

  @Test func portfolioReplayEqualsPortfolioBacktest() throws {
    let frames = (1...3).map { testMarket(seed: UInt64($0), bars: 600) }
    let markets = try frames.map { try MarketSeries(name: "X", frame: $0) }
    let p: [String: Double] = ["fast": 5, "slow": 20]
    var config = PortfolioConfiguration()
    config.base.fee = 0.001; config.base.slippage = 0.0005; config.base.impact = 0.2; config.base.allowShort = true
    config.base.stopLoss = .atrMultiple(2)
    config.base.risk = RiskRules(maxRiskPerTrade: 0.02, maxDrawdown: 0.1, resume: .afterBars(15))
    config.maxGrossExposure = 1.5
    let runner = StrategyRunner(kind: .smaCross, configuration: config.base)
    let targets = try markets.map { m -> [Int8] in
      let cache = IndicatorCache(market: m)
      cache.prepare(runner.indicators(try runner.resolve(p)))
      return try runner.targets(try runner.resolve(p), cache: cache)
    }
    let whole = try PortfolioSimulator.run(markets: markets, targets: targets, configuration: config)

    var core = try PortfolioCore(assets: 3, configuration: config)
    var strategies = try frames.map { _ in try StreamingStrategy(kind: .smaCross, parameters: try runner.resolve(p), allowShort: true) }
    var inputs = [DecisionInputsState](repeating: DecisionInputsState(), count: 3)
    var equity: [Double] = []
    for t in 0..<600 {
      let bars = frames.map { f in OHLCVBar(open: f["open"]![t], high: f["high"]![t], low: f["low"]![t], close: f["close"]![t], volume: f["volume"]![t]) }
      let known = (0..<3).map { inputs[$0].update(bars[$0]) }
      let wanted = (0..<3).map { strategies[$0].update(bars[$0]) }
      core.atOpen(bar: t, bars.map(\.prices))
      equity.append(core.atClose(bar: t, bars.map(\.prices), targets: wanted, inputs: known).equity)
    }
    #expect(equity.map(\.bitPattern) == whole.equity.map(\.bitPattern))
    #expect(core.orders.map { [UInt64($0.asset), UInt64($0.record.bar), $0.record.units.bitPattern, $0.record.price.bitPattern] }
            == whole.orders.map { [UInt64($0.asset), UInt64($0.record.bar), $0.record.units.bitPattern, $0.record.price.bitPattern] })
    #expect(whole.orders.count > 30 && !whole.haltBars.isEmpty)
  }

  /// Finite-window indicators give the same bits from the end of their warm-up whatever bar the
  /// history starts at; recursive ones converge as stated in `StreamingIndicator`.
  @Test func laterStartsAgreeAfterTheWarmUp() throws {
    let frame = testMarket(seed: 5, bars: 1500, missing: false)
    let close = Array(frame["close"]!), high = Array(frame["high"]!), low = Array(frame["low"]!)
    let start = 437
    func compare<S: StreamingIndicator>(_ make: () -> S, warmUp: Int, _ input: (Int) -> S.Input) -> (Int, Double) {
      var full = make(), late = make()
      var firstDifference = -1, worst = 0.0
      for t in 0..<close.count {
        let a = full.update(input(t))
        guard t >= start else { continue }
        let b = late.update(input(t))
        if t >= start + warmUp {
          if a.bitPattern != b.bitPattern && firstDifference < 0 { firstDifference = t }
          worst = max(worst, abs(a - b) / abs(a))
        }
      }
      return (firstDifference, worst)
    }
    let hlc = { (t: Int) in HighLowClose(high: high[t], low: low[t], close: close[t]) }
    // Finite windows: identical bits once the window is full.
    #expect(compare({ RollingMeanState(window: 50) }, warmUp: 49, { close[$0] }).0 == -1)
    #expect(compare({ RollingDeviationState(window: 20) }, warmUp: 19, { close[$0] }).0 == -1)
    #expect(compare({ RollingExtremumState(window: 30, maximum: true) }, warmUp: 29, { high[$0] }).0 == -1)
    #expect(compare({ EfficiencyRatioState(window: 10) }, warmUp: 10, { close[$0] }).0 == -1)
    #expect(compare({ ChoppinessState(window: 14) }, warmUp: 14, hlc).0 == -1)
    #expect(compare({ RollingPercentileRankState(window: 40) }, warmUp: 39, { close[$0] }).0 == -1)
    var fullStrategy = try StreamingStrategy(kind: .smaCross, parameters: ["fast": 10, "slow": 40], allowShort: true)
    var lateStrategy = fullStrategy
    var targetsDiffer = false
    for t in 0..<close.count {
      let bar = OHLCVBar(open: close[t], high: high[t], low: low[t], close: close[t], volume: 1)
      let a = fullStrategy.update(bar)
      if t >= start { let b = lateStrategy.update(bar); if t >= start + 39 && a != b { targetsDiffer = true } }
    }
    #expect(!targetsDiffer)
    // Recursive: the seed's weight decays as (1 − α)^k; after 14 spans it is below 1e-11.
    let span = 12.0
    let (_, ema) = compare({ EMAState(span: span) }, warmUp: Int(14 * span), { close[$0] })
    #expect(ema > 0 && ema < 1e-11)
    let (_, atr) = compare({ ATRState(period: 14) }, warmUp: 14 * 30, hlc)
    #expect(atr < pow(13.0 / 14, 14 * 30 - 14) * 10)
  }
}

/// Stable codes for the records' enums (for bit-level comparison).
enum OrderReasonCode {
  static func of(_ r: OrderReason) -> Int { [.entry, .exit, .stopLoss, .takeProfit, .halt].firstIndex(of: r)! }
}
enum ClipCode {
  static func of(_ c: ClipReason) -> Int {
    [.none, .maxUnits, .maxPosition, .leverage, .risk, .halted, .atrUnavailable, .grossExposure].firstIndex(of: c)!
  }
}
