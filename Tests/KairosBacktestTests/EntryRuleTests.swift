import Foundation
import KairosBacktest
import KairosFrame
import KairosTestSupport
import Testing

/// `--lot-size` and `--trigger cross` (docs/DESIGN.md §4) against their definitions, written
/// out naively here.
@Suite struct EntryRuleTests {
  @Test func crossTriggerEntersOnTheFirstCrossAfterTheWarmUp() throws {
    let frame = testMarket(seed: 5, bars: 600)
    let market = try MarketSeries(name: "X", frame: frame)
    let close = Array(frame["close"]!)
    let fast = NaiveOracle.rollingMean(close, 10), slow = NaiveOracle.rollingMean(close, 30)
    // The naive definition: the first bar where fast − slow changes sign against the previous
    // bar, both defined (a cross), is when the rule first acts; it fills at the next open.
    let firstCross = (1..<close.count).first { t in
      !fast[t - 1].isNaN && !slow[t - 1].isNaN && !fast[t].isNaN && !slow[t].isNaN && (fast[t - 1] > slow[t - 1]) != (fast[t] > slow[t])
    }!
    let firstDefined = (0..<close.count).first { !fast[$0].isNaN && !slow[$0].isNaN }!
    var config = BacktestConfiguration()
    for allowShort in [false, true] {
      config.allowShort = allowShort
      config.trigger = .cross
      let crossed = try backtest(.smaCross, parameters: ["fast": 10, "slow": 30], on: market, configuration: config)
      // Long/flat: the first cross may be downward (nothing to do): the first entry is then the
      // next upward cross. With shorts, the first cross always trades.
      let firstUp = (firstCross..<close.count).first { t in fast[t - 1] <= slow[t - 1] && fast[t] > slow[t] }!
      let expected = allowShort ? firstCross + 1 : firstUp + 1
      #expect(crossed.recording.orders.first?.bar == expected, "shorts \(allowShort)")
      config.trigger = .level
      let level = try backtest(.smaCross, parameters: ["fast": 10, "slow": 30], on: market, configuration: config)
      #expect(level.recording.orders.first!.bar <= firstDefined + 1 + (allowShort ? 0 : firstUp - firstDefined))
      #expect(level.recording.orders.first!.bar < crossed.recording.orders.first!.bar || fast[firstDefined] <= slow[firstDefined])
    }
  }

  @Test func lotsRoundDownAndAnEntryOfNoLotIsRefused() throws {
    let market = try MarketSeries(name: "X", frame: testMarket(seed: 3, bars: 400))
    var config = BacktestConfiguration()
    config.lotSize = 7
    config.fee = 0.002
    let run = try backtest(.smaCross, parameters: ["fast": 5, "slow": 20], on: market, configuration: config)
    let entries = run.recording.orders.filter { $0.reason == .entry && $0.status == .filled }
    #expect(!entries.isEmpty && entries.allSatisfy { $0.units.truncatingRemainder(dividingBy: 7) == 0 && $0.units > 0 })
    // All-in with the fee: one lot more would not have been affordable.
    #expect(run.recording.trades.allSatisfy { $0.units >= 7 })
    config.lotSize = 1e9
    let none = try backtest(.smaCross, parameters: ["fast": 5, "slow": 20], on: market, configuration: config)
    #expect(none.recording.trades.isEmpty)
    #expect(!none.recording.orders.isEmpty && none.recording.orders.allSatisfy { $0.status == .rejected && $0.clip == .lot })
  }
}
