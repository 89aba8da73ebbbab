import KairosBacktest
import KairosFrame
import KairosTestSupport
import Synchronization
import Testing

@Suite struct GridTests {
  @Test func parsesAxesInLexicographicOrder() throws {
    let grid = try ParameterGrid(["fast=5:15:5", "slow=10,20", "k=0.1:0.3:0.1"], where: "fast<slow")
    #expect(grid.names == ["fast", "slow", "k"])
    #expect(grid.axes[2].values == [0.1, 0.2, 0.3])
    #expect(grid.combinations.first == [5, 10, 0.1] && grid.combinations.count == 4 * 3)
    #expect(Array(grid.combinations) == grid.combinations.sorted { $0.lexicographicallyPrecedes($1) })
    #expect(!grid.combinations.contains { $0[0] >= $0[1] })
    #expect(try ParameterGrid(["fast=5:100", "slow=10:300:5"], where: "fast<slow").combinations.count == 4790)
  }

  @Test func badGridsAreExplained() {
    func message(_ specs: [String], _ constraint: String? = nil) -> String {
      do { _ = try ParameterGrid(specs, where: constraint); return "no error" } catch { return error.description }
    }
    #expect(message(["fast"]).contains("expected NAME=a:b[:step]"))
    #expect(message(["fast=5:a"]).contains("'a' in 'fast=5:a' is not a number"))
    #expect(message(["fast=9:5"]).contains("the range is empty"))
    #expect(message(["fast=1:5:0"]).contains("step must be positive"))
    #expect(message(["fast=1:5", "fast=2"]).contains("appears twice"))
    #expect(message(["fast=1:5"], "fast<slow").contains("'slow' is neither a grid parameter"))
    #expect(message(["fast=5:9", "slow=1:4"], "fast<slow").contains("no combination"))
  }
}

@Suite struct SweepTests {
  func caches(seed: UInt64) throws -> [IndicatorCache] {
    try SyntheticMarket(seed: seed, bars: 800, assets: 2).generate().map { try IndicatorCache(market: MarketSeries(name: $0.name, frame: $0.frame)) }
  }

  /// An SMA-cross runner with a 10 bp fee.
  func smaRunner(confirmation: BarInterval? = nil) -> StrategyRunner {
    var config = BacktestConfiguration()
    config.fee = 0.001
    return StrategyRunner(kind: .smaCross, configuration: config, confirmation: confirmation)
  }

  /// The metrics' bits of combination `k` of `grid` backtested alone on `cache`'s asset.
  func singleRun(_ runner: StrategyRunner, _ grid: ParameterGrid, _ k: Int, on cache: IndicatorCache) throws -> [UInt64] {
    let p = try runner.resolve(grid.parameters(k))
    cache.prepare(runner.indicators(p))
    var accumulator = PerformanceAccumulator(initialEquity: runner.configuration.initialCapital, periodsPerYear: 252, capacity: cache.market.count)
    var recorder = NoRecording()
    return Metrics.values(try runner.run(p, cache: cache, accumulator: &accumulator, recorder: &recorder)).map(\.bitPattern)
  }

  @Test func identicalBitsForAnyThreadCountAndEqualToSingleRuns() throws {
    let runner = smaRunner()
    let grid = try ParameterGrid(["fast=3:20:1", "slow=10:60:5", "stop_atr=0,2"], where: "fast<slow")
    let sweep = try SweepRunner(runner: runner, grid: grid)
    let one = try sweep.run(caches: try caches(seed: 4), threads: 1)
    let two = try sweep.run(caches: try caches(seed: 4), threads: 2)
    #expect(one.metrics.map(\.bitPattern) == two.metrics.map(\.bitPattern))
    #expect(one.rowCount == 2 * grid.combinations.count && one.assets == ["SYN1", "SYN2"])
    // Row 37 of asset 2 equals a single backtest of that combination.
    let cache = try caches(seed: 4)[1]
    #expect(Array(one.row(grid.combinations.count + 37)).map(\.bitPattern) == (try singleRun(runner, grid, 37, on: cache)))
  }

  /// A block resolves only the heads of its runs of rows with one signal, in parts over the
  /// threads: blocks and parts that cut such a run (its head in an earlier block or part) give
  /// the same bits as one part, and those equal single backtests.
  @Test func blocksAndPartsThatCutARunOfOneSignal() throws {
    let runner = smaRunner()
    let grid = try ParameterGrid(["fast=2:30", "slow=10:70:2", "stop_atr=0,1.5"], where: "fast<slow")
    var sweep = try SweepRunner(runner: runner, grid: grid)
    let reference = try sweep.run(caches: try caches(seed: 5), threads: 1)  // one part per block
    #expect(grid.combinations.count > 1_024)  // two parts per block on two threads
    for size in [sweep.blockSize, 1_000, 7] {
      sweep.blockSize = size
      let result = try sweep.run(caches: try caches(seed: 5), threads: 2)
      #expect(result.metrics.map(\.bitPattern) == reference.metrics.map(\.bitPattern), "block size \(size)")
    }
    let cache = try caches(seed: 5)[0]
    for k in [0, 1, 2, 511, 512, 513, 1_000, 1_001, grid.combinations.count - 1] {
      #expect(reference.row(k).map(\.bitPattern) == (try singleRun(runner, grid, k, on: cache)), "row \(k)")
    }
  }

  /// A sweep takes a combination's setting (configuration and gate) once for the rows that
  /// agree on every axis but the strategy's own: every row still equals its single run —
  /// with a filter axis, an engine axis, and a confirmation (whose gate depends on the
  /// strategy's parameters, so nothing is shared).
  @Test(arguments: [
    (["fast=3:15:4", "slow=20:40:10", "vol_lookback=30,60"], nil),
    (["fast=3:15:4", "fee=0,0.002", "slow=20:40:10", "stop_atr=0,1.5"], nil),
    (["fast=3:15:4", "slow=20:40:10", "vol_lookback=30,60", "stop_atr=0,1.5", "take_pct=0,0.05", "risk=0,0.01"], nil),
    (["fast=3:15:4", "slow=20:40:10"], try! BarInterval(parsing: "1w")),
  ] as [([String], BarInterval?)])
  func everyRowEqualsItsSingleRunWhateverTheRowsShare(axes: [String], confirmation: BarInterval?) throws {
    let runner = smaRunner(confirmation: confirmation)
    let grid = try ParameterGrid(axes, where: "fast<slow")
    let swept = try SweepRunner(runner: runner, grid: grid).run(caches: try caches(seed: 9), threads: 2)
    for (a, cache) in try caches(seed: 9).enumerated() {
      for k in grid.combinations.indices {
        #expect(swept.row(a * grid.combinations.count + k).map(\.bitPattern) == (try singleRun(runner, grid, k, on: cache)), "\(axes), row \(k)")
      }
    }
  }

  @Test func cancellationStopsWithoutAResult() throws {
    let sweep = try SweepRunner(runner: StrategyRunner(kind: .smaCross, configuration: BacktestConfiguration()), grid: ParameterGrid(["fast=2:30", "slow=10:200"]))
    #expect(throws: BacktestError.cancelled) { try sweep.run(caches: try caches(seed: 1), threads: 2, cancelled: { true }) }
  }

  /// The writer runs while the workers compute: a writer's error (a full disk) stops the
  /// workers and comes back as it is, after the rows before it, in order, and no more.
  @Test func aConsumersErrorStopsTheSweep() throws {
    var runner = try SweepRunner(runner: StrategyRunner(kind: .smaCross, configuration: BacktestConfiguration()), grid: ParameterGrid(["fast=2:30", "slow=10:200"]))
    runner.blockSize = 500
    var seen: [Int] = []
    #expect(throws: BacktestError.unsupported("disk full")) {
      try runner.run(caches: try caches(seed: 2), threads: 2) { (chunk) throws(BacktestError) in
        seen.append(chunk.combinations.lowerBound)
        if seen.count == 5 { throw .unsupported("disk full") }
      }
    }
    #expect(seen.count == 5 && seen == seen.sorted() && seen.first == 0)
    // Cancelled mid-block: the rows handed on stay in order, then the sweep stops.
    let cancelled = Atomic<Bool>(false)
    var handed = 0
    #expect(throws: BacktestError.cancelled) {
      try runner.run(caches: try caches(seed: 2), threads: 2, cancelled: { cancelled.load(ordering: .relaxed) }) { (chunk) throws(BacktestError) in
        handed += chunk.combinations.count
        if handed > 100 { cancelled.store(true, ordering: .relaxed) }
      }
    }
    #expect(handed > 100 && handed < runner.grid.combinations.count * 2)
  }

  /// A combination invalid only through its engine parameters together (`risk_atr` is read
  /// only when `risk` > 0, so checking each value with the first combination's passes), after
  /// rows with the same signal: refused before any row is handed on.
  @Test func anInvalidEngineSettingIsRefusedBeforeAnyRow() throws {
    let sweep = try SweepRunner(runner: StrategyRunner(kind: .smaCross, configuration: BacktestConfiguration()),
                                grid: ParameterGrid(["fast=5,10", "slow=20", "risk=0,0.01", "risk_atr=1,-1"]))
    var handed = 0
    #expect(throws: BacktestError.invalidParameter(name: "risk_atr", reason: "must be a finite number >= 0, was -1.0")) {
      try sweep.run(caches: try caches(seed: 3), threads: 2) { _ in handed += 1 }
    }
    #expect(handed == 0)
  }

  @Test func unknownParametersAreRejectedBeforeWork() {
    #expect(throws: BacktestError.self) {
      try SweepRunner(runner: StrategyRunner(kind: .smaCross, configuration: BacktestConfiguration()), grid: ParameterGrid(["fats=2:5"]))
    }
  }
}
