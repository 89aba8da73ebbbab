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
    public let rows: Int
    public let seconds: Double
    /// Σ bars × combinations over the assets.
    public let barCombinations: Double
    public let threads: Int
    /// The files written: the matrix, the summary (none when the matrix went to standard
    /// output), the equity curves (when asked).
    public let resultsPath: String, summaryPath: String?, equityPath: String?
  }

  /// - Throws: `BacktestError` for a grid with an invalid combination.
  public init(runner: StrategyRunner, grid: ParameterGrid, markets: [MarketSeries], probabilities: [Column<Double>?]? = nil) throws(BacktestError) {
    sweep = try SweepRunner(runner: runner, grid: grid)  // validates every combination
    for market in markets {
      var longest: [String: Double] = [:]
      for axis in grid.axes where runner.windowParameters.contains(axis.name) { longest[axis.name] = axis.values.max() }
      try runner.checkWindows(longest, bars: market.count, asset: market.name)
    }
    self.runner = runner
    self.grid = grid
    self.markets = markets
    self.probabilities = probabilities ?? markets.map { _ in nil }
    periodsPerYear = markets.map { ($0.name, runner.configuration.annualization(for: $0.timestamps)) }
  }

  /// Runs the sweep and writes its files next to `path`; `-` streams the matrix to standard
  /// output (and writes no summary).
  ///
  /// - Parameters:
  ///   - keep: how many best rows by Sharpe to keep for the summary and the return value.
  ///   - equityTop: how many of them get an equity curve in `RESULTS.equity.csv` (0: none).
  ///   - progress: (rows done, rows) from worker threads.
  ///   - cancelled: polled between chunks; stops with `BacktestError.cancelled`, nothing written.
  public func run(to path: String, threads: Int, keep: Int = 10, equityTop: Int = 0,
                  progress: (@Sendable (Int, Int) -> Void)? = nil, cancelled: @escaping @Sendable () -> Bool = { false }) throws -> Outcome {
    let toStandardOutput = path == "-"
    if toStandardOutput && equityTop > 0 { throw BacktestError.invalidParameter(name: "equity-top", reason: "needs a results file: with --out - there is no folder for the curves") }
    let summaryPath = toStandardOutput ? nil : try Self.summaryPath(for: path)
    let started = DispatchTime.now().uptimeNanoseconds
    let caches = zip(markets, probabilities).map { market, p -> IndicatorCache in
      let cache = IndicatorCache(market: market)
      cache.probabilities = p
      return cache
    }
    let file = try StreamingFile(path: toStandardOutput ? "/dev/stdout" : path)
    try file.append(Self.matrixHeader(grid))
    var keeper = try BestRows(by: "sharpe", count: Swift.max(keep, equityTop, 1))
    let m = Metrics.names.count
    do {
      try sweep.run(caches: caches, threads: threads, progress: progress, cancelled: cancelled) { (a, rows) throws(BacktestError) in
        for k in 0..<grid.combinations.count {
          keeper.add(asset: a, combination: k, metrics: Array(rows[(k * m)..<((k + 1) * m)]))  // keeps only what the summary and the curves need
        }
        do { try file.append(Self.matrixRows(asset: markets[a].name, grid: grid, metrics: rows)) } catch { throw .unsupported("\(error)") }
      }
      try file.commit()
    } catch {
      file.abort()
      throw error
    }
    let best = keeper.rows
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
    let barCombinations = Double(markets.reduce(0) { $0 + $1.count } * grid.combinations.count)
    if let summaryPath {
      try AtomicFile.write(summaryJSON(best: best, seconds: seconds, barCombinations: barCombinations, threads: threads), to: summaryPath)
    }
    var equityPath: String? = nil
    if equityTop > 0 {
      equityPath = URL(fileURLWithPath: path).deletingPathExtension().appendingPathExtension("equity.csv").path
      try AtomicFile.write(try equityCurves(best.prefix(equityTop)), to: equityPath!)
    }
    return Outcome(best: Array(best.prefix(Swift.max(keep, 1))), rows: markets.count * grid.combinations.count, seconds: seconds,
                   barCombinations: barCombinations, threads: threads, resultsPath: path, summaryPath: summaryPath, equityPath: equityPath)
  }

  /// Each asset's periods per year (given, or inferred from its bars), in asset order.
  public let periodsPerYear: [(asset: String, value: Double)]

  /// The header of the result matrix: `asset`, the grid's parameters, the metrics.
  static func matrixHeader(_ grid: ParameterGrid) -> [UInt8] {
    var bytes: [UInt8] = []
    TableWriter.append(["asset"] + grid.names + Metrics.names, to: &bytes)
    return bytes
  }

  /// One asset's rows of the result matrix, in grid order; `metrics` is combinations × metrics,
  /// row-major. The one encoder of these rows.
  static func matrixRows(asset: String, grid: ParameterGrid, metrics: UnsafeBufferPointer<Double>) -> [UInt8] {
    var bytes: [UInt8] = []
    let m = Metrics.names.count
    for k in 0..<grid.combinations.count {
      TableWriter.append([asset] + grid.combinations[k].map(CSVWriter.format) + metrics[(k * m)..<((k + 1) * m)].map(CSVWriter.format), to: &bytes)
    }
    return bytes
  }

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
    func number(_ x: Double) -> String { x.isFinite ? CSVWriter.format(x) : "\"\(CSVWriter.format(x))\"" }
    func string(_ s: String) -> String { JSONText.quoted(s) }
    let bestRows = best.prefix(10).map { row -> String in
      let parameters = zip(grid.names, grid.combinations[row.combination]).map { "\(string($0)): \(number($1))" }.joined(separator: ", ")
      let metrics = zip(Metrics.names, row.metrics).map { "\(string($0)): \(number($1))" }.joined(separator: ", ")
      return "    {\"asset\": \(string(markets[row.asset].name)), \"parameters\": {\(parameters)}, \"metrics\": {\(metrics)}}"
    }
    let text = """
      {
        "strategy": \(string(runner.kind.rawValue)),
        "grid": [\(grid.axes.map { string($0.name) }.joined(separator: ", "))],
        "constraint": \(grid.constraint.map { string($0.text) } ?? "null"),
        "assets": [\(markets.map { string($0.name) }.joined(separator: ", "))],
        "combinations": \(grid.combinations.count),
        "rows": \(markets.count * grid.combinations.count),
        "periods_per_year": {\(periodsPerYear.map { "\(string($0.asset)): \(number($0.value))" }.joined(separator: ", "))},
        "seconds": \(number(seconds)),
        "bar_combinations_per_second": \(number(barCombinations / seconds)),
        "threads": \(threads),
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
    for row in rows {
      let market = markets[row.asset]
      let cache = IndicatorCache(market: market)
      cache.probabilities = probabilities[row.asset]
      let p = try runner.resolve(grid.parameters(row.combination))
      cache.prepare(runner.indicators(p))
      var recording = FullRecording()
      var accumulator = PerformanceAccumulator(initialEquity: runner.configuration.initialCapital, periodsPerYear: runner.configuration.annualization(for: market.timestamps),
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
      assets.enumerated().reduce(SweepJob.matrixHeader(grid)) { bytes, asset in
        bytes + SweepJob.matrixRows(asset: asset.element, grid: grid, metrics: UnsafeBufferPointer(rebasing: all[(asset.offset * c * m)..<((asset.offset + 1) * c * m)]))
      }
    }
  }
}
