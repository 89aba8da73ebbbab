import Foundation
import KairosBacktest
import KairosFrame
import KairosIO
import Testing

/// Defaults and validation of the run settings live in one place: every command and config
/// file goes through `RunSettings.configuration()`.
@Suite struct RunSettingsTests {
  @Test func defaultsFlagsOverFileAndErrorsNameTheSetting() throws {
    let c = try RunSettings().configuration()
    #expect(c == BacktestConfiguration())
    let file = RunSettings(fee: 0.002, fill: "next-close", capital: 5_000)
    let merged = try RunSettings(fee: 0.001, shorts: true).merged(over: file).configuration()
    #expect(merged.fee == 0.001 && merged.fill == .nextClose && merged.initialCapital == 5_000 && merged.allowShort && merged.periodsPerYear == nil)
    for (bad, name) in [(RunSettings(fee: -1), "fee"), (RunSettings(slippage: .nan), "slippage"), (RunSettings(fill: "tomorrow"), "fill"),
                        (RunSettings(capital: 0), "capital"), (RunSettings(periodsPerYear: .infinity), "periods_per_year"),
                        (RunSettings(calendar: "lse"), "calendar")] {
      #expect(throws: BacktestError.self) { try bad.configuration() }
      do { _ = try bad.configuration() } catch { #expect(error.description.hasPrefix("parameter \(name):"), "\(error)") }
    }
  }

  @Test func manifestSettingsSpellEveryCost() throws {
    var c = BacktestConfiguration()
    c.fee = 0.001
    c.fill = .nextClose
    #expect(c.manifestSettings == ["fee": "0.001", "fixed_fee": "0", "slippage": "0", "impact": "0", "fill": "next-close",
                                   "shorts": "false", "capital": "100000", "periods_per_year": "inferred", "calendar": "detected",
                                   "lot_size": "fractional", "trigger": "level"])
    c.periodsPerYear = 252
    c.calendar = .nyse
    #expect(c.manifestSettings["periods_per_year"] == "252" && c.manifestSettings["calendar"] == "nyse")
  }
}

/// The sweep job streams the same matrix an in-memory sweep encodes, appears only when
/// complete, and leaves nothing behind when cancelled.
@Suite struct SweepJobTests {
  @Test func theFileEqualsTheInMemoryMatrixAndTheSummaryIsJSON() throws {
    let markets = try [("a\"b", 1), ("c", 2)].map { name, seed in
      try MarketSeries(name: name, frame: SyntheticMarket(seed: UInt64(seed), bars: 400).generate()[0].frame)
    }
    let grid = try ParameterGrid(["fast=5:15:5", "slow=20,40"])
    let runner = StrategyRunner(kind: .smaCross, configuration: BacktestConfiguration())
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sweepjob-\(UUID().uuidString)").path
    var output = SweepJob.Output()
    output.keep = 3
    output.equityTop = 2
    let outcome = try SweepJob(runner: runner, grid: grid, markets: markets).run(to: directory + "/r.csv", threads: 2, output: output)
    let memory = try SweepRunner(runner: runner, grid: grid).run(caches: markets.map { IndicatorCache(market: $0) }, threads: 1)
    #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/r.csv")) == Data(memory.csv()))
    #expect(outcome.best.count == 3 && outcome.rows == 12)
    #expect(outcome.best.map(\.metrics) == (try memory.best(by: "sharpe", count: 3)).map(\.metrics))
    let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory + "/r.json"))) as! [String: Any]
    #expect(summary["assets"] as? [String] == ["a\"b", "c"] && summary["rows"] as? Int == 12)
    let curves = try String(contentsOfFile: directory + "/r.equity.csv", encoding: .utf8)
    #expect(curves.split(separator: "\n").count == 1 + 2 * 400)
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["r.csv", "r.equity.csv", "r.json"])

    let cancelled = directory + "/cancelled.csv"
    #expect(throws: BacktestError.cancelled) {
      _ = try SweepJob(runner: runner, grid: grid, markets: markets).run(to: cancelled, threads: 1, cancelled: { true })
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["r.csv", "r.equity.csv", "r.json"])
  }
}
