import Dispatch
import Foundation
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

/// Consecutive rows of one asset, finished: what a sweep hands to its consumer, in row order.
public struct SweepChunk: Sendable {
  public let asset: Int
  /// The combinations of the rows (grid indexes).
  public let combinations: Range<Int>
  /// `combinations.count × Metrics.names.count` values, row-major.
  public let metrics: [Double]
  /// The rows encoded by the run's `encode` (on the worker that computed them), or empty.
  public let text: [UInt8]
}

/// Runs a parameter grid over one or more assets, spread over the cores, with flat memory.
///
/// Per asset, the rows (or the part of them a shard owns) are cut in blocks of at most
/// `blockSize` combinations. For each block the combinations' parameters are resolved (once
/// for every asset when the grid fits in one block) and every indicator they read is computed
/// once (`IndicatorCache`, shared by all combinations of the asset); then the block's chunks go
/// over the workers, which take them from a counter (so they stay busy to the end), run the
/// engine with one metric accumulator each, and encode their rows when asked. The finished
/// chunks reach `consume` in row order on the calling thread as soon as each is done, while the
/// workers go on (writing overlaps computing). Memory is the input, the indicators and one
/// block — never time × combinations or one object per combination — and each row is computed
/// by itself, so the result has the same bits for any number of threads, block size or shard.
public struct SweepRunner: Sendable {
  public let runner: StrategyRunner
  public let grid: ParameterGrid
  /// Combinations per block (resolved parameters and rows held at once).
  public var blockSize = 32_768
  /// The most configurations a worker keeps, one per value tuple of the axes they depend on.
  static let settingLimit = 4_096
  /// Each asset's periods per year (`BacktestConfiguration.annualization(for:)` of its bars),
  /// when the caller has them already — `SweepJob` does, for the summary; nil: inferred for
  /// each asset when its rows start (the calendar detection reads every timestamp).
  public var periodsPerYear: [Double]? = nil

  /// Checks the grid before any work, without resolving every combination (ten million
  /// would take seconds): the parameter names and the first combination in full; every value
  /// of the strategy's own parameters against its range; every value of the other axes
  /// (costs, stops, filters: checked one by one) in the first combination. The checks across
  /// strategy parameters (`fast < slow` without a constraint) run as the blocks are resolved:
  /// the first invalid combination stops the sweep before anything is written.
  public init(runner: StrategyRunner, grid: ParameterGrid) throws(BacktestError) {
    self.runner = runner
    self.grid = grid
    let first = grid.parameters(0)
    _ = try runner.resolve(first)
    for axis in grid.axes where axis.values.count > 1 {
      if let parameter = runner.kind.definition.parameters.first(where: { $0.name == axis.name }) {
        for v in axis.values { try parameter.check(v) }
      } else {
        var p = first
        for v in axis.values { p[axis.name] = v; _ = try runner.resolve(p) }
      }
    }
  }

  /// Runs the grid and keeps every row (tests and small sweeps; see the streaming overload).
  public func run(
    caches: [IndicatorCache], threads: Int,
    progress: (@Sendable (Int, Int) -> Void)? = nil,
    cancelled: @escaping @Sendable () -> Bool = { false }
  ) throws(BacktestError) -> SweepResult {
    var metrics: [Double] = []
    try run(caches: caches, threads: threads, progress: progress, cancelled: cancelled) { chunk in metrics.append(contentsOf: chunk.metrics) }
    return SweepResult(assets: caches.map(\.market.name), grid: grid, metrics: metrics)
  }

  /// Runs the rows `rows` (of the §6 order, asset-major; default all) and hands them to
  /// `consume` chunk by chunk, in row order.
  /// - Parameters:
  ///   - caches: one cache per asset (their probabilities set for `model`); an asset with no
  ///     row in `rows` is never prepared.
  ///   - threads: worker threads.
  ///   - encode: turns a chunk's rows into bytes on the worker (asset, combinations, metrics).
  ///   - progress: called with (rows done, rows) as rows are handed to `consume`.
  ///   - cancelled: polled between chunks; `true` stops with `BacktestError.cancelled`.
  ///   - consume: called on the calling thread with each finished chunk, in row order.
  public func run(
    caches: [IndicatorCache], threads: Int, rows: Range<Int>? = nil,
    encode: (@Sendable (Int, Range<Int>, UnsafeBufferPointer<Double>) -> [UInt8])? = nil,
    progress: (@Sendable (Int, Int) -> Void)? = nil,
    cancelled: @escaping @Sendable () -> Bool = { false },
    consume: (SweepChunk) throws(BacktestError) -> Void
  ) throws(BacktestError) {
    let combinations = grid.combinations.count
    if let given = periodsPerYear, given.count != caches.count || !given.allSatisfy({ $0 > 0 && $0.isFinite }) {
      throw .invalidParameter(name: "periodsPerYear", reason: "needs one positive number per asset (\(caches.count)), was \(given)")
    }
    let rows = rows ?? 0..<(caches.count * combinations)
    let total = rows.count
    let done = Atomic<Int>(0)
    var resolved: (block: Range<Int>, combinations: ResolvedBlock)? = nil
    // The key of the axes a row's configuration (and its checks) depends on: all but the
    // strategy's own parameters; nil when they have too many value tuples to keep each.
    let settingKey = grid.valueKey(on: runner.settingAxes(of: grid).configuration, limit: Self.settingLimit)
    for (index, cache) in caches.enumerated() {
      let first = Swift.max(rows.lowerBound - index * combinations, 0)
      let last = Swift.min(rows.upperBound - index * combinations, combinations)
      guard first < last else { continue }
      if cancelled() { throw .cancelled }
      // The periods per year of this asset's bars, inferred once (not per combination).
      var configuration = runner.configuration
      if let known = periodsPerYear?[index] { configuration.periodsPerYear = known } else { configuration = configuration.resolved(for: cache.market.timestamps) }
      let strategy = StrategyRunner(kind: runner.kind, configuration: configuration, confirmation: runner.confirmation)
      defer { cache.release() }
      var start = first
      while start < last {
        let block = start..<Swift.min(last, start + blockSize)
        // A grid that fits in one block is resolved once for all assets.
        if resolved?.block != block { resolved = (block, try resolve(block, threads: threads, setting: settingKey)) }
        try runBlock(block, resolved!.combinations, settingKey: settingKey, asset: index, cache: cache, strategy: strategy, threads: threads, encode: encode, cancelled: cancelled) { (chunk) throws(BacktestError) in
          progress?(done.add(chunk.combinations.count, ordering: .relaxed).newValue, total)
          try consume(chunk)
        }
        start = block.upperBound
      }
    }
  }

  /// Whether combinations share their rule's targets (`SignalTrack`): when the last axis that
  /// varies (the one that varies fastest in row order) is of engine parameters (e.g.
  /// `stop_atr`), neighbouring rows differ only in those, and each worker takes a track once
  /// for a run of them. Otherwise neighbouring rows have rules of their own, and the engine
  /// asks each rule bar by bar (a track would be one more pass).
  public var sharesTracks: Bool {
    grid.axes.lastIndex(where: { $0.values.count > 1 }).map { !grid.signalAxes.contains($0) } ?? false
  }

  /// The parameters of a block's combinations and the indicators they read.
  ///
  /// Only a *head* — a combination whose signal axes differ from the one before it — keeps its
  /// resolved map; the combinations after it differ from it only in engine parameters
  /// (`CommonParameter.engineOnly`) and build their map from it when they need one, which in a
  /// grid with an engine axis is seldom (their configurations are taken by key, their track is
  /// the head's). Ten million maps, each hashing a dozen names, cost more than the bars of a
  /// short history.
  struct ResolvedBlock: Sendable {
    let block: Range<Int>
    /// The resolved map of each head (empty for the other combinations), by block index.
    let heads: [[String: Double]]
    /// The block index of each combination's head.
    let head: [Int32]
    let indicators: Set<IndicatorKey>
    /// The grid's axes of engine parameters.
    let engineAxes: [Int]

    /// The resolved parameters of the combination at block index `i`: its head's with its own
    /// engine parameters (what `StrategyRunner.resolve` gives for it: defaults are only ever
    /// added for a strategy's own parameters).
    func parameters(_ i: Int, grid: ParameterGrid) -> [String: Double] {
      let h = Int(head[i])
      if h == i { return heads[i] }
      var p = heads[h]
      for a in engineAxes { p[grid.axes[a].name] = grid.combinations.value(block.lowerBound + i, axis: a) }
      return p
    }
  }

  /// Every combination of `block` checked in parallel (each part a contiguous range, writing
  /// its own slots and gathering the indicators of its heads; the sets are joined at the end).
  /// The first invalid combination stops it.
  ///
  /// A combination is resolved (every check of `StrategyRunner.resolve`) when it is a head or
  /// when its values on `setting`'s axes (all but the strategy's own parameters) are new in its
  /// part. The others pass unresolved, and would pass resolved: `resolve` checks the strategy's
  /// own parameters among themselves (as its head has them) and the others by themselves or
  /// among themselves (as a combination resolved before has them), never one with the other.
  func resolve(_ block: Range<Int>, threads: Int, setting: ParameterGrid.ValueKey?) throws(BacktestError) -> ResolvedBlock {
    let count = block.count
    let failure = Mutex<BacktestError?>(nil)
    var heads = [[String: Double]](repeating: [:], count: count)
    var head = [Int32](repeating: -1, count: count)
    let runner = self.runner, grid = self.grid, signalAxes = grid.signalAxes
    let keys = Mutex(Set<IndicatorKey>())
    heads.withUnsafeMutableBufferPointer { headBuffer in
      head.withUnsafeMutableBufferPointer { markBuffer in
        nonisolated(unsafe) let out = headBuffer, marks = markBuffer
        let parts = Swift.min(threads, Swift.max(1, count / 256))
        DispatchQueue.concurrentPerform(iterations: parts) { part in
          var needed = Set<IndicatorKey>()
          var checked = Set<Int>()  // setting keys resolved in this part
          defer { keys.withLock { $0.formUnion(needed) } }
          for i in (part * count / parts)..<((part + 1) * count / parts) {
            let row = block.lowerBound + i
            let isHead = i == 0 || !grid.sameSignal(row, row - 1, signalAxes: signalAxes)
            let newSetting = setting.map { checked.insert($0(row, of: grid)).inserted } ?? true
            guard isHead || newSetting else { continue }
            do throws(BacktestError) {
              let p = try runner.resolve(grid.parameters(row))
              if isHead {
                out[i] = p
                marks[i] = Int32(i)
                needed.formUnion(runner.indicators(p))
              }
            } catch {
              failure.withLock { if $0 == nil { $0 = error } }
              return
            }
          }
        }
      }
    }
    if let error = failure.withLock({ $0 }) { throw error }
    // Each combination's head: the last head at or before it (index 0 is one).
    var last: Int32 = 0
    for i in 0..<count { if head[i] >= 0 { last = head[i] } else { head[i] = last } }
    return ResolvedBlock(block: block, heads: heads, head: head, indicators: keys.withLock { $0 },
                         engineAxes: grid.axes.indices.filter { !signalAxes.contains($0) })
  }

  /// One block of one asset: prepare its indicators, then the chunks over the workers, then
  /// `consume` in order.
  func runBlock(
    _ block: Range<Int>, _ resolved: ResolvedBlock, settingKey: ParameterGrid.ValueKey?, asset: Int, cache: IndicatorCache, strategy: StrategyRunner, threads: Int,
    encode: (@Sendable (Int, Range<Int>, UnsafeBufferPointer<Double>) -> [UInt8])?,
    cancelled: @escaping @Sendable () -> Bool,
    consume: (SweepChunk) throws(BacktestError) -> Void
  ) throws(BacktestError) {
    let metricCount = Metrics.names.count
    let count = block.count
    let chunk = Swift.max(1, Swift.min(64, count / (threads * 16)))
    let chunks = (count + chunk - 1) / chunk
    let failure = Mutex<BacktestError?>(nil)
    if cancelled() { throw .cancelled }
    // Shared precomputation: every indicator of the block, once for this asset.
    cache.prepare(resolved.indicators, threads: threads)
    let periodsPerYear = strategy.configuration.annualization(for: cache.market.timestamps)
    // The chunks over the workers, in the background; rows are written by index, so the
    // result does not depend on who ran what. Meanwhile, on this thread, each chunk goes to
    // `consume` in row order as soon as it is done: writing overlaps the computing.
    var metrics = [Double](repeating: .nan, count: count * metricCount)
    var texts = [[UInt8]](repeating: [], count: encode == nil ? 0 : chunks)
    let next = Atomic<Int>(0), stop = Atomic<Bool>(false), running = Atomic<Int>(threads)
    // Chunk c's semaphore is signalled when it is done; when the last worker leaves, every
    // chunk's once more, so that a wait never outlives a failure or a cancellation.
    let finished = (0..<chunks).map { _ in DispatchSemaphore(value: 0) }
    let shareTracks = sharesTracks, signalAxes = grid.signalAxes, settingAxes = strategy.settingAxes(of: grid)
    let group = DispatchGroup()
    try metrics.withUnsafeMutableBufferPointer { (buffer) throws(BacktestError) in
      try texts.withUnsafeMutableBufferPointer { (textBuffer) throws(BacktestError) in
        nonisolated(unsafe) let out = buffer, text = textBuffer
        let worker: @Sendable () -> Void = {
          defer { if running.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 { finished.forEach { $0.signal() } } }
          var accumulator = PerformanceAccumulator(
            initialEquity: strategy.configuration.initialCapital, periodsPerYear: periodsPerYear, capacity: cache.market.count)
          var recorder = NoRecording()
          // The last configuration, gate and track taken and the rows (grid indexes) they are of.
          var configuration: (row: Int, value: BacktestConfiguration)? = nil
          // Every configuration made, by setting key: a stop axis that varies fastest changes
          // the configuration on every row, among a few values.
          var configurations: [Int: BacktestConfiguration] = [:]
          var gate: (row: Int, value: [Int8]?)? = nil
          var track: (row: Int, track: SignalTrack)? = nil
          while true {
            let c = next.add(1, ordering: .relaxed).oldValue
            if c >= chunks || stop.load(ordering: .relaxed) || cancelled() { return }
            let range = (c * chunk)..<Swift.min(count, (c + 1) * chunk)
            for i in range {
              accumulator.reset()
              do throws(BacktestError) {
                let summary: PerformanceSummary
                let row = block.lowerBound + i
                // The row's map, built at most once, and only if something below misses.
                var built: [String: Double]? = nil
                func parameters() -> [String: Double] {
                  if built == nil { built = resolved.parameters(i, grid: grid) }
                  return built!
                }
                if configuration.map({ !grid.sameValues(row, $0.row, on: settingAxes.configuration) }) ?? true {
                  let key = settingKey?(row, of: grid)
                  if let key, let known = configurations[key] {
                    configuration = (row, known)
                  } else {
                    configuration = (row, try strategy.configuration.applying(parameters()))
                    if let key { configurations[key] = configuration!.value }
                  }
                }
                if gate.map({ !grid.sameValues(row, $0.row, on: settingAxes.gate) }) ?? true {
                  gate = (row, try strategy.gateValues(parameters(), cache: cache))
                }
                let s = StrategyRunner.RunSetting(configuration: configuration!.value, gate: gate!.value)
                if shareTracks {
                  if track.map({ !grid.sameSignal(row, $0.row, signalAxes: signalAxes) }) ?? true {
                    track = (row, try strategy.track(parameters(), setting: s, cache: cache))
                  }
                  summary = strategy.run(track: track!.track, configuration: s.configuration, cache: cache, accumulator: &accumulator, recorder: &recorder)
                } else {
                  summary = try strategy.run(parameters(), setting: s, cache: cache, accumulator: &accumulator, recorder: &recorder)
                }
                let first = i * metricCount
                for (m, statistic) in Metrics.all.enumerated() { out[first + m] = statistic.value(summary) }
              } catch {
                failure.withLock { if $0 == nil { $0 = error } }
                stop.store(true, ordering: .relaxed)
                return
              }
            }
            if let encode {
              text[c] = encode(asset, (block.lowerBound + range.lowerBound)..<(block.lowerBound + range.upperBound),
                               UnsafeBufferPointer(rebasing: out[(range.lowerBound * metricCount)..<(range.upperBound * metricCount)]))
            }
            finished[c].signal()
          }
        }
        for _ in 0..<threads { DispatchQueue.global().async(group: group, execute: worker) }
        // However this thread leaves (a consumer's error included), the workers stop and are
        // waited for before the buffers they write go away.
        defer { stop.store(true, ordering: .relaxed); group.wait() }
        for c in 0..<chunks {
          finished[c].wait()
          if let error = failure.withLock({ $0 }) { throw error }
          if cancelled() { throw .cancelled }
          let range = (c * chunk)..<Swift.min(count, (c + 1) * chunk)
          // A row counts for progress once it is handed on.
          try consume(SweepChunk(asset: asset, combinations: (block.lowerBound + range.lowerBound)..<(block.lowerBound + range.upperBound),
                                 metrics: Array(out[(range.lowerBound * metricCount)..<(range.upperBound * metricCount)]),
                                 text: encode == nil ? [] : text[c]))
        }
      }
    }
  }
}
