import Dispatch
import KairosCore
import KairosFrame
import Synchronization

/// The result matrix of a sweep (docs/DESIGN.md §6): one row per (asset, combination), assets in the
/// order given, combinations in the grid's lexicographic order.
public struct SweepResult: Sendable {
  public let assets: [String]
  public let grid: ParameterGrid
  /// `assets.count × grid.combinations.count` rows of `Metrics.names.count` values, row-major.
  public let metrics: [Double]

  public var metricCount: Int { Metrics.names.count }
  public var rowCount: Int { assets.count * grid.combinations.count }

  /// The metrics of row `row` (asset-major), in `Metrics.names` order.
  public func row(_ row: Int) -> [Double] { Array(metrics[(row * metricCount)..<((row + 1) * metricCount)]) }
  public func asset(ofRow row: Int) -> Int { row / grid.combinations.count }
  public func combination(ofRow row: Int) -> Int { row % grid.combinations.count }
}

/// Runs a parameter grid over one or more assets, spread over the cores.
///
/// Per asset, every indicator any combination needs is computed once (`IndicatorCache`), then
/// the combinations are split in contiguous chunks over `DispatchQueue.concurrentPerform`; each
/// worker keeps one metric accumulator and records nothing but the metrics, so memory is the
/// input plus combinations × metrics, never time × combinations. Each combination writes only
/// its own row, so the result has the same bits for any number of threads.
public struct SweepRunner: Sendable {
  public let runner: StrategyRunner
  public let grid: ParameterGrid

  public init(runner: StrategyRunner, grid: ParameterGrid) throws(BacktestError) {
    self.runner = runner
    self.grid = grid
    // Validate every combination's parameters before any work starts.
    for k in 0..<grid.combinations.count { _ = try runner.resolve(grid.parameters(k)) }
  }

  /// Runs the grid and keeps every row (tests and small sweeps; see the streaming overload).
  public func run(
    caches: [IndicatorCache], threads: Int,
    progress: (@Sendable (Int, Int) -> Void)? = nil,
    cancelled: @escaping @Sendable () -> Bool = { false }
  ) throws(BacktestError) -> SweepResult {
    var metrics: [Double] = []
    try run(caches: caches, threads: threads, progress: progress, cancelled: cancelled) { _, rows in metrics.append(contentsOf: rows) }
    return SweepResult(assets: caches.map(\.market.name), grid: grid, metrics: metrics)
  }

  /// Runs the grid one asset at a time and hands each asset's rows to `consume` as soon as
  /// they are complete, so memory holds one asset's indicators and rows, whatever the number of
  /// assets; each asset's indicators are released when it is done.
  /// - Parameters:
  ///   - caches: one cache per asset (their probabilities set for `model`).
  ///   - threads: worker threads.
  ///   - progress: called from worker threads with (combinations done, total); must be thread-safe.
  ///   - cancelled: polled between chunks; `true` stops with `BacktestError.cancelled`.
  ///   - consume: called on the calling thread with the asset index and its
  ///     `combinations × Metrics.names.count` values, row-major, in grid order.
  public func run(
    caches: [IndicatorCache], threads: Int,
    progress: (@Sendable (Int, Int) -> Void)? = nil,
    cancelled: @escaping @Sendable () -> Bool = { false },
    consume: (Int, UnsafeBufferPointer<Double>) throws(BacktestError) -> Void
  ) throws(BacktestError) {
    let combinations = grid.combinations.count
    let metricCount = Metrics.names.count
    var metrics = [Double](repeating: .nan, count: combinations * metricCount)
    let total = caches.count * combinations
    let done = Atomic<Int>(0)
    let failure = Mutex<BacktestError?>(nil)
    var resolving: [[String: Double]] = []
    resolving.reserveCapacity(combinations)
    for k in 0..<combinations {
      if k % 1024 == 0 && cancelled() { throw .cancelled }  // a large grid takes a while to resolve
      resolving.append(try runner.resolve(grid.parameters(k)))
    }
    let resolved = resolving
    let keys = Set(resolved.flatMap(runner.indicators))
    let chunk = max(1, min(64, combinations / (threads * 16)))
    let chunks = (combinations + chunk - 1) / chunk
    for (index, cache) in caches.enumerated() {
      if cancelled() { throw .cancelled }
      // The periods per year of this asset's bars, inferred once (not per combination).
      let strategy = StrategyRunner(kind: runner.kind, configuration: runner.configuration.resolved(for: cache.market.timestamps),
                                    confirmation: runner.confirmation)
      let periodsPerYear = strategy.configuration.annualization(for: cache.market.timestamps)
      // Shared precomputation: every indicator of every combination, once for this asset.
      cache.prepare(keys, threads: threads)
      let next = Atomic<Int>(0)
      metrics.withUnsafeMutableBufferPointer { buffer in
        nonisolated(unsafe) let out = buffer  // each combination writes only its own row
        let worker: @Sendable (Int) -> Void = { _ in
          var accumulator = PerformanceAccumulator(
            initialEquity: strategy.configuration.initialCapital, periodsPerYear: periodsPerYear,
            capacity: cache.market.count)
          var recorder = NoRecording()
          while true {
            // Workers take the next chunk from a counter, so they stay busy to the end; rows
            // are written by index, so the result does not depend on who ran what.
            let c = next.add(1, ordering: .relaxed).oldValue
            if c >= chunks || cancelled() || failure.withLock({ $0 != nil }) { return }
            let range = (c * chunk)..<min(combinations, (c + 1) * chunk)
            for k in range {
              accumulator.reset()
              do throws(BacktestError) {
                let summary = try strategy.run(resolved[k], cache: cache, accumulator: &accumulator, recorder: &recorder)
                let row = k * metricCount
                for (m, statistic) in Metrics.all.enumerated() { out[row + m] = statistic.value(summary) }
              } catch {
                failure.withLock { if $0 == nil { $0 = error } }
                return
              }
            }
            progress?(done.add(range.count, ordering: .relaxed).newValue, total)
          }
        }
        if threads == 1 { worker(0) } else { DispatchQueue.concurrentPerform(iterations: threads, execute: worker) }
      }
      cache.release()
      if let error = failure.withLock({ $0 }) { throw error }
      if cancelled() { throw .cancelled }
      let result = metrics.withUnsafeBufferPointer { rows in
        Result { () throws(BacktestError) in try consume(index, rows) }
      }
      try result.get()
    }
  }
}
