import Dispatch
import KairosCore
import KairosFrame
import Synchronization

/// The result matrix of a sweep (DESIGN.md §6): one row per (asset, combination), assets in the
/// order given, combinations in the grid's lexicographic order.
public struct SweepResult: Sendable {
  public let assets: [String]
  public let grid: ParameterGrid
  /// `assets.count × grid.combinations.count` rows of `Metrics.names.count` values, row-major.
  public let metrics: [Double]

  public var metricCount: Int { Metrics.names.count }
  public var rowCount: Int { assets.count * grid.combinations.count }

  /// The metrics of row `row` (asset-major).
  public func row(_ row: Int) -> ArraySlice<Double> { metrics[(row * metricCount)..<((row + 1) * metricCount)] }
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

  /// Runs the grid.
  /// - Parameters:
  ///   - caches: one prepared-or-not cache per asset (their probabilities set for `model`).
  ///   - threads: worker threads (all cores by default).
  ///   - progress: called from worker threads with (combinations done, total); must be thread-safe.
  ///   - cancelled: polled between chunks; a `true` stops the sweep with `BacktestError.cancelled`.
  public func run(
    caches: [IndicatorCache], threads: Int,
    progress: (@Sendable (Int, Int) -> Void)? = nil,
    cancelled: @escaping @Sendable () -> Bool = { false }
  ) throws(BacktestError) -> SweepResult {
    let combinations = grid.combinations.count
    let metricCount = Metrics.names.count
    var metrics = [Double](repeating: .nan, count: caches.count * combinations * metricCount)
    let total = caches.count * combinations
    let done = Atomic<Int>(0)
    let failure = Mutex<BacktestError?>(nil)
    let resolved = try (0..<combinations).map { (k) throws(BacktestError) in try runner.resolve(grid.parameters(k)) }
    // Shared precomputation: every indicator of every combination, once per asset.
    let keys = Set(resolved.flatMap(runner.indicators))
    for cache in caches { cache.prepare(keys) }
    // One work list over (asset, chunk of combinations); workers take the next chunk from an
    // atomic counter, so they stay busy to the end. Rows are written by index: the result does
    // not depend on which worker ran what.
    let chunk = max(1, min(64, combinations / (threads * 16)))
    let chunksPerAsset = (combinations + chunk - 1) / chunk
    let work = caches.count * chunksPerAsset
    let next = Atomic<Int>(0)
    let strategy = self.runner
    metrics.withUnsafeMutableBufferPointer { buffer in
      nonisolated(unsafe) let out = buffer  // each combination writes only its own row
      let worker: @Sendable (Int) -> Void = { _ in
        var accumulators: [Int: PerformanceAccumulator] = [:]
        var recorder = NoRecording()
        while true {
          let item = next.add(1, ordering: .relaxed).oldValue
          if item >= work || cancelled() || failure.withLock({ $0 != nil }) { return }
          let a = item / chunksPerAsset, c = item % chunksPerAsset
          let cache = caches[a]
          var accumulator = accumulators[cache.market.count] ?? PerformanceAccumulator(
            initialEquity: strategy.configuration.initialCapital, periodsPerYear: strategy.configuration.periodsPerYear,
            capacity: cache.market.count)
          let range = (c * chunk)..<min(combinations, (c + 1) * chunk)
          for k in range {
            accumulator.reset()
            do throws(BacktestError) {
              let summary = try strategy.run(resolved[k], cache: cache, accumulator: &accumulator, recorder: &recorder)
              let row = (a * combinations + k) * metricCount
              for (m, statistic) in Metrics.all.enumerated() { out[row + m] = statistic.value(summary) }
            } catch {
              failure.withLock { if $0 == nil { $0 = error } }
              return
            }
          }
          accumulators[cache.market.count] = accumulator
          progress?(done.add(range.count, ordering: .relaxed).newValue, total)
        }
      }
      if threads == 1 { worker(0) } else { DispatchQueue.concurrentPerform(iterations: threads, execute: worker) }
    }
    if let error = failure.withLock({ $0 }) { throw error }
    if cancelled() { throw .cancelled }
    return SweepResult(assets: caches.map(\.market.name), grid: grid, metrics: metrics)
  }
}
