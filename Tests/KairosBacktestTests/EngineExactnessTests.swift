import Foundation
import KairosBacktest
import KairosFrame
import KairosIO
import KairosTestSupport
import Testing

/// Market data with the awkward parts: gaps in prices (NaN bars), trends and reversals.
func testMarket(seed: UInt64, bars: Int = 600, missing: Bool = true) -> Frame {
  var frame = SyntheticMarket(seed: seed, bars: bars).generate()[0].frame
  if missing {
    var random = SplitMix64(seed: seed ^ 99)
    for name in ["open", "high", "low", "close"] {
      var values = Array(frame[name]!)
      for t in stride(from: 50, to: bars, by: 97) where random.next() % 2 == 0 { values[t] = .nan }
      try! frame.setColumn(name, Column(values))
    }
  }
  return frame
}

func randomTargets(_ n: Int, seed: UInt64) -> [Int8] {
  var random = SplitMix64(seed: seed)
  var state: Int8 = 0
  return (0..<n).map { _ in
    if random.next() % 9 == 0 { state = Int8(Int(random.next() % 3) - 1) }
    return state
  }
}

func engineEquity(_ frame: Frame, targets: [Int8], config: BacktestConfiguration) throws -> (FullRecording, PerformanceSummary) {
  let market = try MarketSeries(name: "TEST", frame: frame)
  var recording = FullRecording()
  var accumulator = PerformanceAccumulator(initialEquity: config.initialCapital, periodsPerYear: config.annualization(for: market.timestamps), capacity: market.count)
  let summary = targets.withUnsafeBufferPointer { d in
    var rule = ArraySignal(direction: d.baseAddress!)
    return Simulator.run(market: market, rule: &rule, configuration: config, accumulator: &accumulator, recorder: &recording)
  }
  return (recording, summary)
}

@Suite struct EngineExactnessTests {
  nonisolated(unsafe) static let options: [(String, (inout BacktestConfiguration) -> Void)] = [
    ("defaults", { _ in }),
    ("next-close", { $0.fill = .nextClose }),
    ("fees", { $0.fee = 0.001; $0.fixedFee = 5 }),
    ("slippage", { $0.slippage = 0.0005 }),
    ("impact", { $0.impact = 0.5; $0.fee = 0.0005 }),
    ("shorts", { $0.allowShort = true; $0.fee = 0.001 }),
    ("stop-atr", { $0.stopLoss = .atrMultiple(2); $0.takeProfit = .atrMultiple(3) }),
    ("stop-atr alone, shorts", { $0.stopLoss = .atrMultiple(1.5); $0.allowShort = true; $0.fee = 0.001 }),
    ("stop-pct shorts next-close", { $0.stopLoss = .fraction(0.03); $0.takeProfit = .fraction(0.05); $0.allowShort = true; $0.fill = .nextClose }),
    ("fixed-fractional", { $0.sizing = .fixedFractional(risk: 0.02, atrMultiple: 2); $0.stopLoss = .atrMultiple(2) }),
    ("volatility-target leverage", { $0.sizing = .volatilityTarget(annualVolatility: 0.4); $0.limits.maxLeverage = 2 }),
    ("limits", { $0.limits.maxPositionFraction = 0.5; $0.limits.maxUnits = 300; $0.fee = 0.001 }),
    ("risk manager", { $0.stopLoss = .atrMultiple(2); $0.risk = RiskRules(maxRiskPerTrade: 0.02, maxDrawdown: 0.1, resume: .afterBars(20)); $0.fee = 0.001 }),
    ("halt with recovery, shorts", { $0.allowShort = true; $0.risk = RiskRules(maxDrawdown: 0.08, resume: .recovery(0.95)) }),
    ("whole shares, fees", { $0.lotSize = 1; $0.fee = 0.002 }),
    ("lots of 100, shorts, impact", { $0.lotSize = 100; $0.allowShort = true; $0.impact = 0.3 }),
    ("cross trigger, lots, shorts", { $0.trigger = .cross; $0.lotSize = 10; $0.allowShort = true; $0.fee = 0.001 }),
  ]

  @Test(arguments: 0..<options.count)
  func engineMatchesTheNaiveReference(option: Int) throws {
    let (name, apply) = Self.options[option]
    var config = BacktestConfiguration()
    apply(&config)
    for seed in [1, 2, 3] as [UInt64] {
      let frame = testMarket(seed: seed)
      let targets = randomTargets(frame.rowCount, seed: seed)
      let (recording, summary) = try engineEquity(frame, targets: targets, config: config)
      let reference = ReferenceBacktester(open: Array(frame["open"]!), high: Array(frame["high"]!), low: Array(frame["low"]!),
                                          close: Array(frame["close"]!), volume: Array(frame["volume"]!), config: config).run(targets: targets)
      let error = maxRelativeError(recording.equity, reference.equity)
      #expect(error <= 1e-12, "\(name), seed \(seed): equity differs by \(error)")
      #expect(summary.trades == reference.trades.count, "\(name): trades \(summary.trades) vs \(reference.trades.count)")
      #expect(recording.orders.filter { $0.clip == .halted }.map(\.bar) == reference.refusals, "\(name), seed \(seed): refusals")
      #expect(recording.trades.count >= 2, "\(name): the test should trade")
    }
  }

  @Test
  func realDataAgainstTheReference() throws {
    let frame = try CSVReader.readOHLCV(path: try TestPaths.sharedData("nvda_daily.csv"))
    let close = Array(frame["close"]!)
    let fast = NaiveOracle.rollingMean(close, 10), slow = NaiveOracle.rollingMean(close, 50)
    let targets: [Int8] = close.indices.map { fast[$0] > slow[$0] ? 1 : 0 }
    for (_, apply) in Self.options {
      var config = BacktestConfiguration()
      apply(&config)
      let (recording, _) = try engineEquity(frame, targets: targets, config: config)
      let reference = ReferenceBacktester(open: Array(frame["open"]!), high: Array(frame["high"]!), low: Array(frame["low"]!),
                                          close: close, volume: Array(frame["volume"]!), config: config).run(targets: targets)
      #expect(maxRelativeError(recording.equity, reference.equity) <= 1e-12)
    }
  }
}

/// The whole-history fold (`Simulator`, which runs quiet stretches through
/// `EngineCore.runQuiet`) against the core stepped bar by bar through `atOpen`/`atClose`, on
/// data with runs of one to four bars missing some or all of their prices — a stretch that ends
/// on missing closes, an entry whose bar has no close, a stop reached after a gap — under every
/// engine option: the same bits.
@Suite struct QuietStretchTests {
  /// Runs of missing prices at random places: whole bars, or a bar's close only, or its open
  /// only (a fill at an open whose close is missing marks with the last valid close).
  static func marketWithGaps(seed: UInt64, bars: Int) -> Frame {
    var frame = testMarket(seed: seed, bars: bars, missing: false)
    var random = SplitMix64(seed: seed ^ 7)
    let names = ["open", "high", "low", "close"]
    var columns = names.map { Array(frame[$0]!) }
    var t = 30
    while t < bars {
      let run = Int(random.next() % 4) + 1
      let which = random.next() % 3  // 0: the whole bar, 1: the close, 2: the open
      for k in t..<min(bars, t + run) {
        for (c, name) in names.enumerated() where which == 0 || (which == 1 && name == "close") || (which == 2 && name == "open") {
          columns[c][k] = .nan
        }
      }
      t += run + Int(random.next() % 25) + 2
    }
    for (c, name) in names.enumerated() { try! frame.setColumn(name, Column(columns[c])) }
    return frame
  }

  static func perBar(_ frame: Frame, targets: [Int8], config: BacktestConfiguration) throws -> (FullRecording, PerformanceSummary) {
    let m = try MarketSeries(name: "TEST", frame: frame)
    m.prepareImpactInputs(for: config)
    let impact = config.readsImpactInputs
    var core = EngineCore(configuration: config,
                          accumulator: PerformanceAccumulator(initialEquity: config.initialCapital, periodsPerYear: config.annualization(for: m.timestamps)),
                          recorder: FullRecording())
    for t in 0..<m.count {
      let b = BarPrices(open: m.open[t], high: m.high[t], low: m.low[t], close: m.close[t])
      core.atOpen(bar: t, b)
      core.atClose(bar: t, b, target: targets[t]) {
        DecisionInputs(atr: m.atr[t], sigma20: impact ? m.sigma20[t] : .nan, averageVolume20: impact ? m.averageVolume20[t] : .nan)
      }
    }
    return (core.recorder, core.finish())
  }

  @Test(arguments: 0..<EngineExactnessTests.options.count)
  func wholeHistoryEqualsBarByBar(option: Int) throws {
    let (name, apply) = EngineExactnessTests.options[option]
    var config = BacktestConfiguration()
    apply(&config)
    var traded = 0
    // With gaps, and with every price there (the quiet loops' copies for complete closes).
    for seed in [3, 4, 5] as [UInt64] {
      for frame in [Self.marketWithGaps(seed: seed, bars: 1500), testMarket(seed: seed, bars: 1500, missing: false)] {
        let targets = randomTargets(frame.rowCount, seed: seed)
        let (a, s) = try engineEquity(frame, targets: targets, config: config)
        let (b, u) = try Self.perBar(frame, targets: targets, config: config)
        #expect(ReplayTests.firstDifference(a, b) == nil, "\(name), seed \(seed)")
        #expect(Metrics.all.map { $0.value(s).bitPattern } == Metrics.all.map { $0.value(u).bitPattern }, "\(name), seed \(seed)")
        traded += a.trades.count
      }
    }
    #expect(traded > 10, "\(name): the case should trade")
  }
}

/// The stop and target pre-test on a bar's reach (`BarPrices.lowReach`, `highReach`, and the
/// columns of them the quiet loop reads) against its definition: the open or the range
/// reaches a level. Every mix of missing prices, levels above, below and at each price, and
/// no level (`NaN`).
@Suite struct LevelReachTests {
  @Test func reachTestEqualsTheFourComparisons() throws {
    let prices: [Double] = [.nan, 90, 100, 110]
    let levels: [Double] = [.nan, 85, 90, 95, 100, 105, 110, 115]
    var checked = 0, reached = 0
    for open in prices {
      for high in prices {
        for low in prices {
          let b = BarPrices(open: open, high: high, low: low, close: 100)
          for stop in levels {
            for target in levels {
              for long in [true, false] {
                let definition = long
                  ? (b.low <= stop || b.high >= target || b.open <= stop || b.open >= target)
                  : (b.high >= stop || b.low <= target || b.open >= stop || b.open <= target)
                #expect(PositionBook.levelsReached(b, long: long, stop: stop, target: target) == definition,
                        "open \(open) high \(high) low \(low) stop \(stop) target \(target) long \(long)")
                checked += 1
                reached += definition ? 1 : 0
              }
            }
          }
        }
      }
    }
    #expect(checked == 8192 && reached > 1000 && reached < checked - 1000)
  }

  @Test func marketSeriesReachColumnsAreTheBarsReach() throws {
    let market = try MarketSeries(name: "TEST", frame: QuietStretchTests.marketWithGaps(seed: 9, bars: 800))
    var missingOpens = 0
    for t in 0..<market.count {
      let b = BarPrices(open: market.open[t], high: market.high[t], low: market.low[t], close: market.close[t])
      #expect(market.lowReach[t].bitPattern == b.lowReach.bitPattern && market.highReach[t].bitPattern == b.highReach.bitPattern, "bar \(t)")
      if b.open.isNaN && !b.low.isNaN {
        missingOpens += 1
        #expect(market.lowReach[t] == b.low && market.highReach[t] == b.high)
      }
      if !b.open.isNaN && !b.low.isNaN { #expect(market.lowReach[t] == min(b.open, b.low) && market.highReach[t] == max(b.open, b.high)) }
    }
    #expect(missingOpens > 5, "the data should have bars without an open")
  }
}
