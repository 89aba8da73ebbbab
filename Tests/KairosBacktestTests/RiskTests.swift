import KairosBacktest
import KairosCore
import KairosFrame
import KairosTestSupport
import Testing

/// The risk manager inside the engine.
@Suite struct RiskTests {
  /// Rises for 100 bars, then falls 1 % a day: built to crash.
  func crashingMarket() throws -> Frame {
    let n = 300
    var close: [Double] = []
    var price = 100.0
    for t in 0..<n { price *= t < 100 ? 1.005 : 0.99; close.append(price) }
    let open = [close[0]] + close.dropLast()
    let high = zip(open, close).map { max($0, $1) * 1.002 }, low = zip(open, close).map { min($0, $1) * 0.998 }
    let day = UTCCalendar.nanosecondsPerDay
    return try Frame(index: TimeIndex((0..<n).map { Int64($0 + 10_000) * day }),
                     columns: [("open", open), ("high", high), ("low", low), ("close", close), ("volume", [Double](repeating: 1e6, count: n))])
  }

  func run(_ frame: Frame, targets: [Int8], config: BacktestConfiguration) throws -> FullRecording {
    let market = try MarketSeries(name: "CRASH", frame: frame)
    var recording = FullRecording()
    var accumulator = PerformanceAccumulator(initialEquity: config.initialCapital, periodsPerYear: 252, capacity: market.count)
    _ = targets.withUnsafeBufferPointer { d in
      var rule = ArraySignal(direction: d.baseAddress!)
      return Simulator.run(market: market, rule: &rule, configuration: config, accumulator: &accumulator, recorder: &recording)
    }
    return recording
  }

  @Test func drawdownHaltTriggersAtTheFirstBreachAndBlocksEntries() throws {
    let frame = try crashingMarket()
    var config = BacktestConfiguration()
    config.risk = RiskRules(maxDrawdown: 0.2, resume: .never)
    // Always wants to be long: re-entry would happen at once without the halt.
    let recording = try run(frame, targets: [Int8](repeating: 1, count: frame.rowCount), config: config)
    // The first bar whose drawdown from the running peak (initial capital included) is deeper than 20 %.
    var peak = config.initialCapital, breach = -1
    for (t, e) in recording.equity.enumerated() {
      peak = max(peak, e)
      if e / peak - 1 < -0.2 { breach = t; break }
    }
    #expect(breach > 100)
    // Flattened at the next bar's open with reason "halt"; nothing entered afterwards.
    let halt = try #require(recording.orders.first { $0.reason == .halt })
    #expect(halt.bar == breach + 1)
    #expect(!recording.orders.contains { $0.bar > breach && $0.reason == .entry && $0.status == .filled })
    #expect(recording.positions[(breach + 1)...].allSatisfy { $0 == 0 })
    // Entries asked for while halted are refused and recorded, once per request.
    #expect(recording.orders.filter { $0.clip == .halted }.count == 1)
  }

  /// The halt rule's hard case: a long held into the crash, the rule asking for a short at the
  /// halt's close, and no open on the next bar. The exit must wait for the next valid open (not
  /// be cancelled), the short must be refused exactly once, there, and nothing may be held
  /// afterwards — in the single-asset engine, the portfolio engine and the reference.
  @Test func haltWithShortsAndAMissingOpen() throws {
    var config = BacktestConfiguration()
    config.allowShort = true
    config.risk = RiskRules(maxDrawdown: 0.2, resume: .never)
    let clean = try crashingMarket()
    let long = [Int8](repeating: 1, count: clean.rowCount)
    let h = try #require(try run(clean, targets: long, config: config).orders.first { $0.reason == .halt }).bar - 1
    var open = Array(clean["open"]!)
    open[h + 1] = .nan
    var frame = clean
    try frame.setColumn("open", Column(open))
    let targets = long.indices.map { $0 < h ? Int8(1) : -1 }

    let single = try run(frame, targets: targets, config: config)
    #expect(single.orders.filter { $0.reason == .halt }.map(\.bar) == [h + 2])
    #expect(single.orders.filter { $0.clip == .halted }.map { [$0.bar, Int($0.side)] } == [[h + 2, -1]])
    #expect(single.positions[(h + 2)...].allSatisfy { $0 == 0 } && single.positions[h + 1] > 0)
    #expect(!single.orders.contains { $0.bar > h && $0.reason == .entry && $0.status == .filled })

    let reference = ReferenceBacktester(open: open, high: Array(frame["high"]!), low: Array(frame["low"]!), close: Array(frame["close"]!),
                                        volume: Array(frame["volume"]!), config: config).run(targets: targets)
    #expect(maxRelativeError(single.equity, reference.equity) <= 1e-12)
    #expect(reference.refusals == [h + 2])

    var portfolio = PortfolioConfiguration()
    portfolio.base = config
    portfolio.positionFraction = 1
    let p = try PortfolioSimulator.run(markets: [try MarketSeries(name: "CRASH", frame: frame)], targets: [targets], configuration: portfolio)
    #expect(p.haltBars == [h])
    #expect(p.orders.filter { $0.record.reason == .halt }.map(\.record.bar) == [h + 2])
    #expect(p.orders.filter { $0.record.clip == .halted }.map { [$0.record.bar, Int($0.record.side)] } == [[h + 2, -1]])
    #expect(p.positions[0][(h + 2)...].allSatisfy { $0 == 0 })
    #expect(maxRelativeError(p.equity, single.equity) <= 1e-12)
  }

  @Test func haltResumesAfterTheConfiguredBars() throws {
    let frame = try crashingMarket()
    var config = BacktestConfiguration()
    config.risk = RiskRules(maxDrawdown: 0.2, resume: .afterBars(30))
    var targets = [Int8](repeating: 1, count: frame.rowCount)
    for t in 0..<targets.count where t % 40 == 39 { targets[t] = 0 }  // the rule leaves and re-enters now and then
    let recording = try run(frame, targets: targets, config: config)
    let halt = try #require(recording.orders.first { $0.reason == .halt })
    let reentry = recording.orders.first { $0.bar > halt.bar && $0.reason == .entry && $0.status == .filled }
    #expect(reentry != nil && reentry!.bar >= halt.bar + 29)
  }

  @Test func riskPerTradeClipsTheEntry() throws {
    let frame = SyntheticMarket(seed: 3, bars: 400).generate()[0].frame
    var config = BacktestConfiguration()
    config.stopLoss = .atrMultiple(2)
    config.risk = RiskRules(maxRiskPerTrade: 0.02)
    var targets = [Int8](repeating: 0, count: frame.rowCount)
    for t in 50..<120 { targets[t] = 1 }
    let recording = try run(frame, targets: targets, config: config)
    let entry = try #require(recording.orders.first { $0.reason == .entry && $0.status == .filled })
    #expect(entry.clip == .risk)
    let market = try MarketSeries(name: "X", frame: frame)
    let distance = 2 * market.atr[entry.bar - 1]
    // The loss at the stop is 2 % of the equity at the entry (all cash before it).
    #expect(isClose(entry.units * distance, 0.02 * config.initialCapital, rtol: 1e-12))
  }

  @Test func riskRulesAreSweepableParameters() throws {
    let runner = StrategyRunner(kind: .smaCross, configuration: BacktestConfiguration())
    let grid = try ParameterGrid(["fast=5,10", "slow=30", "max_dd=0.01,0.5", "stop_atr=2", "risk_per_trade=0.01"])
    let caches = try SyntheticMarket(seed: 9, bars: 600).generate().map { try IndicatorCache(market: MarketSeries(name: $0.name, frame: $0.frame)) }
    let result = try SweepRunner(runner: runner, grid: grid).run(caches: caches, threads: 2)
    let exposure = Metrics.names.firstIndex(of: "exposure")!
    func same(_ a: [Double], _ b: [Double]) -> Bool { zip(a, b).allSatisfy { $0.0 == $0.1 || ($0.0.isNaN && $0.1.isNaN) } }
    // Each row equals the single backtest with the same rules (the sweep applies them) ...
    for row in 0..<result.rowCount {
      let values = grid.combinations[result.combination(ofRow: row)]
      let p = try runner.resolve(Dictionary(uniqueKeysWithValues: zip(grid.names, values)))
      let cache = caches[result.asset(ofRow: row)]
      cache.prepare(runner.indicators(p))
      var accumulator = PerformanceAccumulator(initialEquity: 100_000, periodsPerYear: 252, capacity: cache.market.count)
      var recorder = NoRecording()
      let summary = try runner.run(p, cache: cache, accumulator: &accumulator, recorder: &recorder)
      #expect(same(Metrics.values(summary), result.row(row)), "row \(row)")
    }
    // ... and the tight limit halts: strictly less exposure than the loose one, for every asset
    // and fast window (max_dd is the fastest axis: rows come in pairs 0.01, 0.5).
    for row in stride(from: 0, to: result.rowCount, by: 2) {
      #expect(result.row(row)[exposure] < result.row(row + 1)[exposure], "row \(row)")
    }
    #expect(throws: BacktestError.self) { try BacktestConfiguration().applying(["max_dd": 1.5]) }
  }
}

@Suite struct ReconciliationTests {
  func runWithEverythingOn(seed: UInt64) throws -> (Frame, FullRecording, BacktestConfiguration) {
    let frame = testMarket(seed: seed, bars: 800)
    var config = BacktestConfiguration()
    config.fee = 0.001; config.fixedFee = 2; config.slippage = 0.0005; config.impact = 0.3
    config.stopLoss = .atrMultiple(2); config.takeProfit = .atrMultiple(4); config.allowShort = true
    config.risk = RiskRules(maxRiskPerTrade: 0.02, maxDrawdown: 0.15, resume: .afterBars(30))
    let (recording, _) = try engineEquity(frame, targets: randomTargets(frame.rowCount, seed: seed), config: config)
    return (frame, recording, config)
  }

  func fills(_ recording: FullRecording) -> [Reconciliation.Fill] {
    recording.orders.filter { $0.status == .filled }.map { .init(bar: $0.bar, units: Double($0.side) * $0.units, price: $0.price, fee: $0.fee) }
  }

  @Test func everythingOnReconcilesWithZeroBreaks() throws {
    for seed in [1, 2, 3, 4, 5] as [UInt64] {
      let (frame, recording, config) = try runWithEverythingOn(seed: seed)
      #expect(recording.orders.count > 10)
      let breaks = Reconciliation.breaks(fills: fills(recording), close: Array(frame["close"]!), positions: recording.positions,
                                         equity: recording.equity, initialCapital: config.initialCapital)
      #expect(breaks.isEmpty, "seed \(seed): \(breaks.prefix(3))")
    }
  }

  @Test func aCorruptedFillIsABreakAtItsBar() throws {
    let (frame, recording, config) = try runWithEverythingOn(seed: 2)
    var corrupted = fills(recording)
    let k = corrupted.count / 2
    corrupted[k].units *= 1.01
    let breaks = Reconciliation.breaks(fills: corrupted, close: Array(frame["close"]!), positions: recording.positions,
                                       equity: recording.equity, initialCapital: config.initialCapital)
    #expect(breaks.first?.bar == corrupted[k].bar)
    #expect(breaks.first?.what == "position")
  }
}
