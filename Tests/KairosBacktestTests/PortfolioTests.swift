import KairosBacktest
import KairosCore
import KairosFrame
import KairosTestSupport
import Testing

/// The portfolio engine: one cash account over several assets, the gross-exposure cap, the
/// drawdown halt across assets, and multi-asset reconciliation.
@Suite struct PortfolioTests {
  func markets(_ count: Int, bars: Int) throws -> [MarketSeries] {
    try (1...count).map { k in try MarketSeries(name: "A\(k)", frame: testMarket(seed: UInt64(k), bars: bars)) }
  }

  func everythingOn() -> PortfolioConfiguration {
    var config = PortfolioConfiguration()
    config.base.fee = 0.001; config.base.fixedFee = 2; config.base.slippage = 0.0005; config.base.impact = 0.3
    config.base.stopLoss = .atrMultiple(2); config.base.allowShort = true
    config.base.risk = RiskRules(maxRiskPerTrade: 0.02, maxDrawdown: 0.15, resume: .afterBars(30))
    config.positionFraction = 0.3  // six assets × 30 % > 100 %: the gross cap has to bind
    config.maxGrossExposure = 1
    return config
  }

  @Test func aLongRunWithEverythingOnReconcilesAndRespectsTheGrossCap() throws {
    let m = try markets(6, bars: 3000)
    let targets = (1...6).map { randomTargets(3000, seed: UInt64(100 + $0)) }
    let config = everythingOn()
    let run = try PortfolioSimulator.run(markets: m, targets: targets, configuration: config)
    let breaks = Reconciliation.breaks(fills: run.fills, close: m.map { Array($0.close) }, positions: run.positions,
                                       equity: run.equity, initialCapital: config.base.initialCapital)
    #expect(breaks.isEmpty, "\(breaks.prefix(3))")
    let clips = Set(run.orders.map(\.record.clip))
    #expect(clips.isSuperset(of: [.grossExposure, .risk, .atrUnavailable]), "\(clips)")
    #expect(run.orders.contains { $0.record.reason == .stopLoss } && !run.haltBars.isEmpty)

    // Replayed from the fills alone: after every entry, gross exposure at that open ≤ the cap.
    var cash = config.base.initialCapital
    var units = [Double](repeating: 0, count: m.count), lastClose = [Double](repeating: .nan, count: m.count)
    var k = 0
    let orders = run.orders.filter { $0.record.status == .filled }
    var worst = 0.0
    for t in 0..<m[0].count {
      while k < orders.count && orders[k].record.bar == t {
        let o = orders[k], a = o.asset
        let mark = { (b: Int) in m[b].open[t].isNaN ? lastClose[b] : m[b].open[t] }
        if o.record.reason == .entry {
          let equity = cash + (0..<m.count).reduce(0.0) { $0 + (units[$1] == 0 ? 0 : units[$1] * mark($1)) }
          let gross = (0..<m.count).reduce(0.0) { $0 + (units[$1] == 0 ? 0 : abs(units[$1] * mark($1))) } + o.record.units * o.record.price
          worst = max(worst, gross / equity)
        }
        units[a] += Double(o.record.side) * o.record.units
        cash -= Double(o.record.side) * o.record.units * o.record.price + o.record.fee
        k += 1
      }
      for a in 0..<m.count where !m[a].close[t].isNaN { lastClose[a] = m[a].close[t] }
    }
    #expect(worst <= 1 + 1e-9 && worst > 0.99)

    // No entry fills while halted (resume after 30 bars: the first possible entry is h + 31).
    for h in run.haltBars {
      #expect(!orders.contains { $0.record.reason == .entry && $0.record.bar > h && $0.record.bar <= h + 30 })
    }
  }

  @Test func aCorruptedFillIsABreakAtItsBarAndAsset() throws {
    let m = try markets(4, bars: 1500)
    let run = try PortfolioSimulator.run(markets: m, targets: (1...4).map { randomTargets(1500, seed: UInt64($0)) }, configuration: everythingOn())
    var fills = run.fills
    let k = fills.count / 2
    fills[k].units *= 1.01
    let breaks = Reconciliation.breaks(fills: fills, close: m.map { Array($0.close) }, positions: run.positions,
                                       equity: run.equity, initialCapital: 100_000)
    #expect(breaks.first?.bar == fills[k].bar && breaks.first?.asset == fills[k].asset && breaks.first?.what == "position")
  }

  @Test func theHaltTriggersAtTheFirstBreachAcrossAssetsAndBlocksEntries() throws {
    // Two assets rise for 100 bars, then fall 1 % a day.
    let n = 300, day = UTCCalendar.nanosecondsPerDay
    let m = try (0..<2).map { k -> MarketSeries in
      var close: [Double] = [], price = 100.0 + Double(k)
      for t in 0..<n { price *= t < 100 ? 1.005 : 0.99; close.append(price) }
      let open = [close[0]] + close.dropLast()
      let frame = try Frame(index: TimeIndex((0..<n).map { Int64($0 + 10_000) * day }),
                            columns: [("open", open), ("high", zip(open, close).map { max($0, $1) * 1.002 }),
                                      ("low", zip(open, close).map { min($0, $1) * 0.998 }), ("close", close), ("volume", [Double](repeating: 1e6, count: n))])
      return try MarketSeries(name: "C\(k)", frame: frame)
    }
    var config = PortfolioConfiguration()
    config.base.risk = RiskRules(maxDrawdown: 0.2)
    config.positionFraction = 0.5
    let run = try PortfolioSimulator.run(markets: m, targets: [[Int8](repeating: 1, count: n), [Int8](repeating: 1, count: n)], configuration: config)
    var peak = config.base.initialCapital
    let first = run.equity.indices.first { t in peak = max(peak, run.equity[t]); return run.equity[t] / peak - 1 < -0.2 }
    #expect(first != nil && run.haltBars == [first!])
    let h = first!
    #expect(!run.orders.contains { $0.record.status == .filled && $0.record.reason == .entry && $0.record.bar > h })
    #expect(run.orders.filter { $0.record.reason == .halt }.map(\.record.bar) == [h + 1, h + 1])
    #expect(run.positions.allSatisfy { $0[(h + 1)...].allSatisfy { $0 == 0 } })
  }

  @Test func oneAssetEqualsTheSingleAssetEngine() throws {
    // Same costs (no proportional fee, where all-in sizing and a position fraction of 1 agree).
    for seed in [1, 2, 3] as [UInt64] {
      let frame = testMarket(seed: seed, bars: 1200)
      let targets = randomTargets(1200, seed: seed + 7)
      var single = BacktestConfiguration()
      single.slippage = 0.001; single.stopLoss = .atrMultiple(2); single.allowShort = true
      let (recording, _) = try engineEquity(frame, targets: targets, config: single)
      var config = PortfolioConfiguration()
      config.base = single
      config.positionFraction = 1
      let run = try PortfolioSimulator.run(markets: [try MarketSeries(name: "X", frame: frame)], targets: [targets], configuration: config)
      let differs = run.equity.indices.first { !isClose(run.equity[$0], recording.equity[$0], rtol: 1e-10) }
      #expect(differs == nil, "seed \(seed): first difference at bar \(differs ?? -1)")
      #expect(run.orders.filter { $0.record.status == .filled }.count == recording.orders.filter { $0.status == .filled }.count)
    }
  }

  @Test func badInputIsATypedError() throws {
    let m = try markets(2, bars: 100)
    #expect(throws: BacktestError.self) { try PortfolioSimulator.run(markets: m, targets: [[0]], configuration: PortfolioConfiguration()) }
    let short = try MarketSeries(name: "S", frame: testMarket(seed: 9, bars: 50))
    #expect(throws: BacktestError.self) { try PortfolioSimulator.run(markets: [m[0], short], targets: [[Int8](repeating: 0, count: 100), [Int8](repeating: 0, count: 50)], configuration: PortfolioConfiguration()) }
  }
}
