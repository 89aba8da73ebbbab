import ArgumentParser
import Foundation
import Kairos

/// `kairos sweep --data FILE[,FILE…] --strategy NAME --grid k=a:b[:step] … --out RESULTS.csv`.
struct SweepCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sweep",
    abstract: "Backtest every combination of a parameter grid on one or more assets; write the result matrix.",
    discussion: """
      One row per (asset, combination): asset, the swept parameters, then total_return, cagr,
      volatility, sharpe, sortino, max_drawdown, calmar, var_95, cvar_95, win_rate,
      profit_factor, avg_win, avg_loss, expectancy, trades, exposure, turnover. Rows: assets in
      the order given, combinations in lexicographic order of the grid (first parameter
      slowest); the same bits for any --threads. Memory holds one asset's indicators and rows at
      a time, never time × combinations. Also writes RESULTS.json (a summary). Without --grid,
      a sensible default grid for the strategy. Ctrl-C stops cleanly and writes nothing.

      Examples:
        kairos sweep --data aapl.csv --strategy sma-cross --out results.csv
        kairos sweep --data a.csv,b.csv --strategy sma-cross --grid fast=5:100 --grid slow=10:300:5 --where "fast<slow" --fee 0.001 --out r.csv
        kairos sweep --data aapl.csv --strategy rsi-reversion --grid window=7:21:7 --grid stop_atr=0,2,3 --out r.csv --threads 2
        kairos sweep --config sweep.yaml --equity-top 5 --export
      """)

  @OptionGroup var options: StrategyOptions

  @Option(help: ArgumentHelp("A grid axis: name=a:b[:step] or name=v1,v2,… (repeatable).", valueName: "axis"))
  var grid: [String] = []

  @Option(name: .customLong("where"), help: ArgumentHelp("A constraint, e.g. \"fast<slow\" (comparisons joined by 'and').", valueName: "expr"))
  var constraint: String?

  @Option(help: ArgumentHelp("A fixed parameter for every combination, name=value (repeatable).", valueName: "name=value"))
  var param: [String] = []

  @Option(help: ArgumentHelp("The result matrix (CSV).", valueName: "path"))
  var out: String?

  @Option(help: "Worker threads (default: all cores).")
  var threads: Int?

  @Option(name: .customLong("equity-top"), help: ArgumentHelp("Also write the equity curves of the K best rows by Sharpe (RESULTS.equity.csv).", valueName: "K"))
  var equityTop: Int = 0

  @Option(help: "Rows of the best-combinations table printed at the end.")
  var top: Int = 10

  @Flag(help: "No progress bar.")
  var quiet = false

  func validate() throws {
    if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, was \(threads)") }
    guard equityTop >= 0 && equityTop <= 1000 else { throw ValidationError("--equity-top must be in 0...1000, was \(equityTop)") }
  }

  func run() throws {
    let run = try ResolvedRun(options)
    guard let out = out ?? run.file?.out else { throw ValidationError("give the result file: --out RESULTS.csv") }
    let axes = !grid.isEmpty ? grid : (run.file?.grid?.list ?? run.kind.defaultGrid)
    let constraintText = constraint ?? run.file?.where ?? (grid.isEmpty && run.file?.grid == nil ? run.kind.defaultConstraint : nil)
    let parameterGrid: ParameterGrid
    do { parameterGrid = try ParameterGrid(axes, where: constraintText) } catch { throw ValidationError("\(error)") }
    var fixed = run.file?.params ?? [:]
    for (k, v) in try parseParameters(param) { fixed[k] = v }
    let runner = StrategyRunner(kind: run.kind, configuration: try run.configuration.applying(fixed), confirmation: run.confirmation)
    let sweep: SweepRunner
    do { sweep = try SweepRunner(runner: runner, grid: parameterGrid) } catch { throw ValidationError("\(error)") }
    let workers = threads ?? run.file?.threads ?? ProcessInfo.processInfo.activeProcessorCount
    let assets = try run.loadMarkets()
    let caches = assets.map { asset -> IndicatorCache in
      let cache = IndicatorCache(market: asset.market)
      cache.probabilities = asset.probabilities
      return cache
    }
    let total = assets.count * parameterGrid.combinations.count
    let progress = SharedProgress(total: total, label: "sweep", quiet: quiet)
    Interruption.install()
    let started = nowNanoseconds()
    // Rows go to a temporary file as each asset completes; it is renamed into place at the end.
    let temporary = URL(fileURLWithPath: out).deletingLastPathComponent().appendingPathComponent(".\(URL(fileURLWithPath: out).lastPathComponent).partial-\(getpid())").path
    try FileManager.default.createDirectory(atPath: URL(fileURLWithPath: temporary).deletingLastPathComponent().path, withIntermediateDirectories: true)
    guard FileManager.default.createFile(atPath: temporary, contents: nil), let handle = FileHandle(forWritingAtPath: temporary) else {
      throw CSVError.cannotWrite(file: out, reason: "cannot create \(temporary)")
    }
    var header: [UInt8] = []
    TableWriter.append(["asset"] + parameterGrid.names + Metrics.names, to: &header)
    handle.write(Data(header))
    var keeper = try BestRows(by: "sharpe", count: Swift.max(top, equityTop, 1))
    do {
      try sweep.run(caches: caches, threads: workers, progress: { done, _ in progress.update(done) }, cancelled: { Interruption.isRequested }) { a, rows in
        var bytes: [UInt8] = []
        let m = Metrics.names.count
        for k in 0..<parameterGrid.combinations.count {
          let values = Array(rows[(k * m)..<((k + 1) * m)])
          TableWriter.append([assets[a].market.name] + parameterGrid.combinations[k].map(CSVWriter.format) + values.map(CSVWriter.format), to: &bytes)
          keeper.add(asset: a, combination: k, metrics: values)  // keeps only what the summary and --equity-top need
        }
        handle.write(Data(bytes))
      }
    } catch {
      try? handle.close()
      unlink(temporary)
      progress.finish()
      throw error
    }
    progress.finish()
    try handle.synchronize()
    try handle.close()
    guard rename(temporary, out) == 0 else { unlink(temporary); throw CSVError.cannotWrite(file: out, reason: String(cString: strerror(errno))) }
    let best = keeper.rows
    let seconds = Double(nowNanoseconds() - started) / 1e9
    let barCombinations = Double(assets.reduce(0) { $0 + $1.market.count } * parameterGrid.combinations.count)
    let summaryPath = URL(fileURLWithPath: out).deletingPathExtension().appendingPathExtension("json").path
    let summary = summaryJSON(run: run, grid: parameterGrid, assets: assets.map(\.market.name), best: best, seconds: seconds, barCombinations: barCombinations, threads: workers)
    try AtomicFile.write(summary, to: summaryPath)
    var equityPath: String? = nil
    var equityBytes: [UInt8] = []
    if equityTop > 0 {
      equityBytes = try equityCurves(best.prefix(equityTop), runner: runner, grid: parameterGrid, assets: assets)
      equityPath = URL(fileURLWithPath: out).deletingPathExtension().appendingPathExtension("equity.csv").path
      try AtomicFile.write(equityBytes, to: equityPath!)
    }
    if options.export {
      let now = nowNanoseconds()
      let folder = try RunFolder(root: options.exportDirectory, command: "sweep", now: now)
      try folder.write("results.csv", bytes: Array(try Data(contentsOf: URL(fileURLWithPath: out))))
      try folder.write("results.json", bytes: summary)
      if equityTop > 0 { try folder.write("equity_top.csv", bytes: equityBytes) }
      try folder.finish(version: KairosVersion.current, command: CommandLine.arguments, seed: nil,
                        dataFiles: assets.map { RunFolder.dataFile($0.path, rows: $0.market.count) }, settings: run.settings, now: now)
      note("run folder: \(folder.path)")
    }
    print(Self.table(best.prefix(top), grid: parameterGrid, assets: assets.map(\.market.name)))
    note(String(format: "%d rows (%d assets × %d combinations) in %.2f s, %.3g bar·combinations/s on %d threads → %@%@",
                total, assets.count, parameterGrid.combinations.count, seconds, barCombinations / seconds, workers, out, equityPath.map { ", \($0)" } ?? ""))
  }

  func summaryJSON(run: ResolvedRun, grid: ParameterGrid, assets: [String], best: [BestRows.Row],
                   seconds: Double, barCombinations: Double, threads: Int) -> [UInt8] {
    func number(_ x: Double) -> String { x.isFinite ? CSVWriter.format(x) : "\"\(CSVWriter.format(x))\"" }
    let bestRows = best.prefix(10).map { row -> String in
      let parameters = zip(grid.names, grid.combinations[row.combination]).map { "\"\($0)\": \(number($1))" }.joined(separator: ", ")
      let metrics = zip(Metrics.names, row.metrics).map { "\"\($0)\": \(number($1))" }.joined(separator: ", ")
      return "    {\"asset\": \"\(assets[row.asset])\", \"parameters\": {\(parameters)}, \"metrics\": {\(metrics)}}"
    }
    let text = """
      {
        "strategy": "\(run.kind.rawValue)",
        "grid": [\(grid.axes.map { "\"\($0.name)\"" }.joined(separator: ", "))],
        "constraint": \(grid.constraint.map { "\"\($0.text)\"" } ?? "null"),
        "assets": [\(assets.map { "\"\($0)\"" }.joined(separator: ", "))],
        "combinations": \(grid.combinations.count),
        "rows": \(assets.count * grid.combinations.count),
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

  func equityCurves(_ rows: ArraySlice<BestRows.Row>, runner: StrategyRunner, grid: ParameterGrid,
                    assets: [(path: String, market: MarketSeries, probabilities: Column<Double>?)]) throws -> [UInt8] {
    var out: [UInt8] = []
    TableWriter.append(["timestamp", "asset", "combination", "equity"], to: &out)
    for row in rows {
      let market = assets[row.asset].market
      let cache = IndicatorCache(market: market)
      cache.probabilities = assets[row.asset].probabilities
      let p = try runner.resolve(grid.parameters(row.combination))
      cache.prepare(runner.indicators(p))
      var recording = FullRecording()
      var accumulator = PerformanceAccumulator(initialEquity: runner.configuration.initialCapital, periodsPerYear: runner.configuration.periodsPerYear, capacity: market.count)
      _ = try runner.run(p, cache: cache, accumulator: &accumulator, recorder: &recording)
      let label = zip(grid.names, grid.combinations[row.combination]).map { "\($0)=\(CSVWriter.format($1))" }.joined(separator: " ")
      let dateOnly = market.timestamps.allSatisfy(UTCCalendar.isMidnight)
      for (t, e) in recording.equity.enumerated() {
        TableWriter.append([UTCCalendar.iso8601(market.timestamps[t], dateOnly: dateOnly), market.name, label, CSVWriter.format(e)], to: &out)
      }
    }
    return out
  }

  static func table(_ rows: ArraySlice<BestRows.Row>, grid: ParameterGrid, assets: [String]) -> String {
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
