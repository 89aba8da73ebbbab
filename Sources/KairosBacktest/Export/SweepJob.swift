import Foundation
import KairosCore
import KairosFrame
import KairosIO

/// One call: a sweep of `grid` over several assets written to a result matrix — what
/// `kairos sweep` does. The matrix (docs/DESIGN.md §6: `asset`, the grid's parameters, the
/// metrics of §5) streams to its file one asset at a time, so memory holds one asset's
/// indicators and rows however many assets; the file appears only when complete. Beside it go
/// `RESULTS.json` (a summary with the best rows by Sharpe) and, when asked, the equity curves
/// of the best rows (`RESULTS.equity.csv`).
public struct SweepJob: Sendable {
  public let runner: StrategyRunner
  public let grid: ParameterGrid
  /// The assets; `probabilities[a]` feeds the model strategy on asset `a` (nil otherwise).
  public let markets: [MarketSeries]
  public let probabilities: [Column<Double>?]
  /// The validated sweep (every combination's parameters resolved once, at `init`).
  let sweep: SweepRunner

  /// What the job wrote and found.
  public struct Outcome: Sendable {
    /// The best rows by Sharpe (as many as asked, at least one).
    public let best: [BestRows.Row]
    /// The rows swept, and the rows written (`--top`: at most K).
    public let rows: Int, rowsWritten: Int
    public let seconds: Double
    /// Σ bars × combinations over the rows swept.
    public let barCombinations: Double
    public let threads: Int
    /// The files written: the matrix, the summary (none when the matrix went to standard
    /// output, or for a shard), the equity curves, the aggregate, a shard's manifest.
    public let resultsPath: String, summaryPath: String?, equityPath: String?, aggregatePath: String?, manifestPath: String?
    /// The grid and the assets the rows are of (to name the best rows).
    public let grid: ParameterGrid
    public let assets: [String]
  }

  /// What to write besides the matrix, and which rows.
  public struct Output: Sendable {
    /// Best rows by Sharpe kept for the summary and the return value.
    public var keep = 10
    /// How many of them get an equity curve in `RESULTS.equity.csv` (0: none).
    public var equityTop = 0
    /// Write only the best `top` rows by `by` (in §6 order); nil: every row.
    public var top: Int? = nil
    public var by = "sharpe"
    /// The axes of the per-axis aggregate of `by` (`RESULTS.aggregate.csv`); nil: none.
    public var aggregate: [String]? = nil
    /// Run only this shard's rows; the matrix is then a part, with `PART.manifest.json`.
    public var shard: SweepShard? = nil
    public init() {}
  }

  /// - Throws: `BacktestError` for a grid with an invalid combination.
  public init(runner: StrategyRunner, grid: ParameterGrid, markets: [MarketSeries], probabilities: [Column<Double>?]? = nil) throws(BacktestError) {
    var sweep = try SweepRunner(runner: runner, grid: grid)  // validates the grid
    for market in markets {
      var longest: [String: Double] = [:]
      for axis in grid.axes where runner.windowParameters.contains(axis.name) { longest[axis.name] = axis.values.max() }
      try runner.checkWindows(longest, bars: market.count, asset: market.name)
    }
    self.runner = runner
    self.grid = grid
    self.markets = markets
    self.probabilities = probabilities ?? markets.map { _ in nil }
    // Inferred once, for the runs, the summary and the equity curves.
    sweep.periodsPerYear = markets.map { runner.configuration.annualization(for: $0.timestamps) }
    self.sweep = sweep
  }

  /// The rows a run covers: all of them, or a shard's.
  public func rows(_ output: Output = Output()) -> Range<Int> {
    let total = markets.count * grid.combinations.count
    return output.shard?.rows(of: total) ?? 0..<total
  }

  /// Checks the output options against each other and the path, before any work.
  public static func check(_ output: Output, path: String) throws(BacktestError) {
    if let top = output.top, top < 1 { throw .invalidParameter(name: "top", reason: "must be at least 1, was \(top)") }
    guard Metrics.names.contains(output.by) else {
      throw .invalidParameter(name: "by", reason: "unknown metric '\(output.by)'; expected one of \(Metrics.names.joined(separator: ", "))")
    }
    if path == "-" && output.equityTop > 0 { throw .invalidParameter(name: "equity-top", reason: "needs a results file: with --out - there is no folder for the curves") }
    if path == "-" && output.aggregate != nil { throw .invalidParameter(name: "aggregate", reason: "needs a results file beside which the aggregate goes, not --out -") }
    if let shard = output.shard {
      if path == "-" { throw .invalidParameter(name: "shard", reason: "a shard writes a part file and its manifest: give --out PART.csv, not -") }
      for (name, given) in [("top", output.top != nil), ("aggregate", output.aggregate != nil), ("equity-top", output.equityTop > 0)] where given {
        throw .invalidParameter(name: name, reason: "applies to the whole sweep: give it to `kairos sweep merge`, not to shard \(shard)")
      }
    }
  }

  /// Runs the sweep and writes its files next to `path`; `-` streams the matrix to standard
  /// output (and writes no summary).
  ///
  /// - Parameters:
  ///   - progress: (rows done, rows) from worker threads.
  ///   - cancelled: polled between chunks; stops with `BacktestError.cancelled`, nothing written.
  public func run(to path: String, threads: Int, output: Output = Output(),
                  progress: (@Sendable (Int, Int) -> Void)? = nil, cancelled: @escaping @Sendable () -> Bool = { false }) throws -> Outcome {
    try Self.check(output, path: path)
    let toStandardOutput = path == "-"
    let summaryPath = toStandardOutput || output.shard != nil ? nil : try Self.summaryPath(for: path)
    let started = DispatchTime.now().uptimeNanoseconds
    let caches = zip(markets, probabilities).map { market, p -> IndicatorCache in
      let cache = IndicatorCache(market: market)
      cache.probabilities = p
      return cache
    }
    let rows = rows(output)
    let sink = try SweepSink(path: path, grid: grid, assets: markets.map(\.name), keep: Swift.max(output.keep, output.equityTop, 1),
                             top: output.top, by: output.by, aggregate: output.aggregate, digest: output.shard != nil)
    let written: (best: [BestRows.Row], bytes: Int, sha256: String?)
    do {
      // The rows are encoded on the workers, in parallel with the sweep (none with --top: only
      // K rows are written, at the end).
      let names = markets.map(\.name), grid = self.grid
      let encode: (@Sendable (Int, Range<Int>, UnsafeBufferPointer<Double>) -> [UInt8])? = output.top != nil ? nil : { @Sendable a, combinations, metrics in
        SweepSink.encode(asset: names[a], grid: grid, combinations: combinations, metrics: metrics)
      }
      try sweep.run(caches: caches, threads: threads, rows: rows, encode: encode, progress: progress, cancelled: cancelled) { (chunk) throws(BacktestError) in
        do {
          try chunk.metrics.withUnsafeBufferPointer { try sink.add(asset: chunk.asset, combinations: chunk.combinations, metrics: $0, text: encode == nil ? nil : chunk.text) }
        } catch let error as BacktestError { throw error } catch { throw .unsupported("\(error)") }
      }
      written = try sink.finish()
    } catch {
      sink.abort()
      throw error
    }
    let best = written.best
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
    let barCombinations = barCombinations(rows)
    if let summaryPath {
      try AtomicFile.write(summaryJSON(best: best, seconds: seconds, barCombinations: barCombinations, threads: threads), to: summaryPath)
    }
    var manifestPath: String? = nil
    if let shard = output.shard {
      manifestPath = SweepPartManifest.path(forPart: path)
      let manifest = SweepPartManifest(
        shard: shard.index, shards: shard.count, firstRow: rows.lowerBound, endRow: rows.upperBound, rowCount: rows.count,
        totalRows: markets.count * grid.combinations.count, combinations: grid.combinations.count, assets: markets.map(\.name),
        gridFingerprint: SweepFingerprint.grid(runner: runner, grid: grid),
        dataFingerprint: SweepFingerprint.data(markets: markets, probabilities: probabilities),
        part: URL(fileURLWithPath: path).lastPathComponent, bytes: written.bytes, sha256: written.sha256 ?? "",
        strategy: runner.kind.rawValue, axes: grid.axisSpecs, constraint: grid.constraint?.text, periodsPerYear: periodsPerYear.map(\.value),
        seconds: seconds, threads: threads, barCombinations: barCombinations)
      try AtomicFile.write(manifest.encoded(), to: manifestPath!)
    }
    var equityPath: String? = nil
    if output.equityTop > 0 {
      equityPath = URL(fileURLWithPath: path).deletingPathExtension().appendingPathExtension("equity.csv").path
      try AtomicFile.write(try equityCurves(best.prefix(output.equityTop)), to: equityPath!)
    }
    return Outcome(best: Array(best.prefix(Swift.max(output.keep, 1))), rows: rows.count, rowsWritten: output.top.map { Swift.min($0, rows.count) } ?? rows.count,
                   seconds: seconds, barCombinations: barCombinations, threads: threads, resultsPath: path, summaryPath: summaryPath,
                   equityPath: equityPath, aggregatePath: sink.aggregatePath, manifestPath: manifestPath, grid: grid, assets: markets.map(\.name))
  }

  /// Σ bars × combinations over `rows`.
  func barCombinations(_ rows: Range<Int>) -> Double {
    let c = grid.combinations.count
    return markets.enumerated().reduce(0.0) { total, asset in
      let lo = Swift.max(rows.lowerBound, asset.offset * c), hi = Swift.min(rows.upperBound, (asset.offset + 1) * c)
      return total + Double(Swift.max(0, hi - lo)) * Double(asset.element.count)
    }
  }

  /// Each asset's periods per year (given, or inferred from its bars), in asset order.
  public var periodsPerYear: [(asset: String, value: Double)] { Array(zip(markets.map(\.name), sweep.periodsPerYear ?? [])) }

  /// Where the summary of results at `path` goes (`RESULTS.json` beside them).
  ///
  /// - Throws: `BacktestError.invalidParameter` when that is `path` itself (a `.json` result
  ///   file would be overwritten by its summary).
  public static func summaryPath(for path: String) throws(BacktestError) -> String {
    let summary = URL(fileURLWithPath: path).deletingPathExtension().appendingPathExtension("json").path
    guard summary != URL(fileURLWithPath: path).path else {
      throw .invalidParameter(name: "out", reason: "\(path): the summary goes to RESULTS.json beside the results, so the results cannot be a .json file; use e.g. results.csv")
    }
    return summary
  }

  /// `RESULTS.json`: the strategy, grid, constraint, assets, counts, speed and the ten best rows.
  func summaryJSON(best: [BestRows.Row], seconds: Double, barCombinations: Double, threads: Int) -> [UInt8] {
    Self.summaryJSON(strategy: runner.kind.rawValue, grid: grid, assets: markets.map(\.name), periodsPerYear: periodsPerYear.map(\.value),
                     best: best, seconds: seconds, barCombinations: barCombinations, threads: threads)
  }

  /// The summary of a sweep's rows (also recomputed by `SweepMerge` from merged parts).
  static func summaryJSON(strategy: String, grid: ParameterGrid, assets: [String], periodsPerYear: [Double], best: [BestRows.Row],
                          seconds: Double, barCombinations: Double, threads: Int, shards: Int? = nil) -> [UInt8] {
    func number(_ x: Double) -> String { x.isFinite ? CSVWriter.format(x) : "\"\(CSVWriter.format(x))\"" }
    func string(_ s: String) -> String { JSONText.quoted(s) }
    let bestRows = best.prefix(10).map { row -> String in
      let parameters = zip(grid.names, grid.combinations[row.combination]).map { "\(string($0)): \(number($1))" }.joined(separator: ", ")
      let metrics = zip(Metrics.names, row.metrics).map { "\(string($0)): \(number($1))" }.joined(separator: ", ")
      return "    {\"asset\": \(string(assets[row.asset])), \"parameters\": {\(parameters)}, \"metrics\": {\(metrics)}}"
    }
    let text = """
      {
        "strategy": \(string(strategy)),
        "grid": [\(grid.axes.map { string($0.name) }.joined(separator: ", "))],
        "constraint": \(grid.constraint.map { string($0.text) } ?? "null"),
        "assets": [\(assets.map { string($0) }.joined(separator: ", "))],
        "combinations": \(grid.combinations.count),
        "rows": \(assets.count * grid.combinations.count),
        "periods_per_year": {\(zip(assets, periodsPerYear).map { "\(string($0)): \(number($1))" }.joined(separator: ", "))},
        "seconds": \(number(seconds)),
        "bar_combinations_per_second": \(number(barCombinations / seconds)),
        "threads": \(threads),\(shards.map { "\n  \"shards\": \($0)," } ?? "")
        "best_by_sharpe": [
      \(bestRows.joined(separator: ",\n"))
        ]
      }

      """
    return Array(text.utf8)
  }

  /// The equity curves of `rows` (timestamp, asset, combination label, equity), re-run with the
  /// full recording.
  func equityCurves(_ rows: ArraySlice<BestRows.Row>) throws -> [UInt8] {
    var out: [UInt8] = []
    TableWriter.append(["timestamp", "asset", "combination", "equity"], to: &out)
    let periods = periodsPerYear
    for row in rows {
      let market = markets[row.asset]
      let cache = IndicatorCache(market: market)
      cache.probabilities = probabilities[row.asset]
      let p = try runner.resolve(grid.parameters(row.combination))
      cache.prepare(runner.indicators(p))
      var recording = FullRecording()
      var accumulator = PerformanceAccumulator(initialEquity: runner.configuration.initialCapital, periodsPerYear: periods[row.asset].value,
                                               capacity: market.count)
      _ = try runner.run(p, cache: cache, accumulator: &accumulator, recorder: &recording)
      let label = zip(grid.names, grid.combinations[row.combination]).map { "\($0)=\(CSVWriter.format($1))" }.joined(separator: " ")
      let time = BacktestFiles.timeFormatter(market.timestamps)
      for (t, e) in recording.equity.enumerated() { TableWriter.append([time(t), market.name, label, CSVWriter.format(e)], to: &out) }
    }
    return out
  }

  /// The best rows as a text table (asset, parameters, a few metrics).
  public static func table(_ rows: ArraySlice<BestRows.Row>, grid: ParameterGrid, assets: [String]) -> String {
    let shown = ["total_return", "cagr", "sharpe", "max_drawdown", "trades"]
    let indexes = shown.map { Metrics.names.firstIndex(of: $0)! }
    let header = ["asset"] + grid.names + shown
    var lines = [header.map { $0.padding(toLength: 13, withPad: " ", startingAt: 0) }.joined()]
    for row in rows {
      let cells = [assets[row.asset]] + grid.combinations[row.combination].map(CSVWriter.format) + indexes.map { String(format: "%.4g", row.metrics[$0]) }
      lines.append(cells.map { $0.padding(toLength: 13, withPad: " ", startingAt: 0) }.joined())
    }
    return lines.joined(separator: "\n")
  }
}

extension SweepResult {
  /// The result matrix (docs/DESIGN.md §6) of an in-memory sweep, as bytes.
  public func csv() -> [UInt8] {
    let c = grid.combinations.count, m = metricCount
    return metrics.withUnsafeBufferPointer { all in
      assets.enumerated().reduce(SweepSink.header(grid)) { bytes, asset in
        bytes + SweepSink.encode(asset: asset.element, grid: grid, combinations: 0..<c,
                                 metrics: UnsafeBufferPointer(rebasing: all[(asset.offset * c * m)..<((asset.offset + 1) * c * m)]))
      }
    }
  }
}
