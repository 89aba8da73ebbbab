import ArgumentParser
import Foundation
import Kairos

/// `kairos sweep [run] …` and `kairos sweep merge PARTS… --out RESULTS.csv`.
struct SweepCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sweep",
    abstract: "Backtest every combination of a parameter grid; merge the parts of a sharded sweep.",
    subcommands: [SweepRunCommand.self, SweepMergeCommand.self],
    defaultSubcommand: SweepRunCommand.self)
}

/// `kairos sweep --data FILE[,FILE…] --strategy NAME --grid k=a:b[:step] … --out RESULTS.csv`.
struct SweepRunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Backtest every combination of a parameter grid on one or more assets; write the result matrix.",
    discussion: """
      One row per (asset, combination): asset, the swept parameters, then total_return, cagr,
      volatility, sharpe, sortino, max_drawdown, calmar, var_95, cvar_95, win_rate,
      profit_factor, avg_win, avg_loss, expectancy, trades, exposure, turnover. Rows: assets in
      the order given, combinations in lexicographic order of the grid (first parameter
      slowest); the same bits for any --threads. Memory holds one asset's indicators and rows at
      a time, never time × combinations. Also writes RESULTS.json (a summary). Without --grid,
      a sensible default grid for the strategy. Ctrl-C stops cleanly and writes nothing.

      --top K --by METRIC writes only the K best rows (ties in row order), in row order.
      --aggregate fast,slow writes RESULTS.aggregate.csv: per asset and (fast, slow), over the
      other axes, the rows and the best, median and worst value of the --by metric (heatmaps).
      --shard i/n runs the i-th (0-based) of n contiguous ranges of the rows and writes a part
      plus PART.manifest.json; `kairos sweep merge` joins the parts into the file the unsharded
      run writes, byte for byte (Slurm and Dask scripts: scripts/).

      Examples:
        kairos sweep --data aapl.csv --strategy sma-cross --out results.csv
        kairos sweep --data a.csv,b.csv --strategy sma-cross --grid fast=5:100 --grid slow=10:300:5 --where "fast<slow" --fee 0.001 --out r.csv
        kairos sweep --data aapl.csv --strategy rsi-reversion --grid window=7:21:7 --grid stop_atr=0,2,3 --out r.csv --threads 2
        kairos sweep --config sweep.yaml --equity-top 5 --export
        kairos sweep --data a.csv --strategy sma-cross --grid fast=2:201 --grid slow=5:504 --grid stop_atr=0:6.2:0.05 --where "fast<slow" --top 1000 --by sharpe --aggregate fast,slow --out r.csv
        kairos sweep --config sweep.yaml --shard 0/4 --out parts/part-0.csv
      """)

  @OptionGroup var options: StrategyOptions

  @Option(help: ArgumentHelp("A grid axis: name=a:b[:step] or name=v1,v2,… (repeatable).", valueName: "axis"))
  var grid: [String] = []

  @Option(name: .customLong("where"), help: ArgumentHelp("A constraint, e.g. \"fast<slow\" (comparisons joined by 'and').", valueName: "expr"))
  var constraint: String?

  @Option(help: ArgumentHelp("A fixed parameter for every combination, name=value (repeatable); written as a column of the results.", valueName: "name=value"))
  var param: [String] = []

  @Option(help: ArgumentHelp("The result matrix (CSV).", valueName: "path"))
  var out: String?

  @Option(help: "Worker threads (default: all cores).")
  var threads: Int?

  @Option(name: .customLong("equity-top"), help: ArgumentHelp("Also write the equity curves of the K best rows by Sharpe (RESULTS.equity.csv).", valueName: "K"))
  var equityTop: Int = 0

  @OptionGroup var selection: SweepSelectionOptions

  @Option(help: ArgumentHelp("Run the i-th (0-based) of n contiguous ranges of the rows; write a part and its manifest.", valueName: "i/n"))
  var shard: String?

  @Flag(help: "No progress bar.")
  var quiet = false

  func validate() throws {
    if let threads, !(1...1024).contains(threads) { throw ValidationError("--threads must be in 1...1024, was \(threads)") }
    _ = try output()
    guard equityTop >= 0 && equityTop <= 1000 else { throw ValidationError("--equity-top must be in 0...1000, was \(equityTop)") }
  }

  /// The output options, checked (usage errors).
  func output() throws -> SweepJob.Output {
    var o = SweepJob.Output()
    o.equityTop = equityTop
    selection.apply(to: &o)
    o.shard = try shard.map { text in try asUsage { try SweepShard(text) } }
    return o
  }

  func run() throws {
    Interruption.install()  // first: a signal while the data loads stops the sweep before it starts
    let run = try ResolvedRun(options)
    guard let out = out ?? run.file?.out else { throw ValidationError("give the result file: --out RESULTS.csv") }
    if out != "-" { _ = try asUsage { try SweepJob.summaryPath(for: out) } }
    if out == "-" && options.exporting.export { throw ValidationError("--export needs a results file, not --out -") }
    if out == "-" && equityTop > 0 { throw ValidationError("--equity-top needs a results file beside which the curves go, not --out -") }
    let output = try output()
    try asUsage { try SweepJob.check(output, path: out) }
    let axes = !grid.isEmpty ? grid : (run.file?.grid?.list ?? run.kind.defaultGrid)
    let constraintText = constraint ?? run.file?.where ?? (grid.isEmpty && run.file?.grid == nil ? run.kind.defaultConstraint : nil)
    var fixed = run.file?.params ?? [:]
    for (k, v) in try parseParameters(param) { fixed[k] = v }
    let parameterGrid: ParameterGrid
    do { parameterGrid = try ParameterGrid(axes, fixed: fixed, where: constraintText) } catch { throw ValidationError("\(error)") }
    let runner = StrategyRunner(kind: run.kind, configuration: run.configuration, confirmation: run.confirmation)
    let workers = threads ?? run.file?.threads ?? ProcessInfo.processInfo.activeProcessorCount
    guard (1...1024).contains(workers) else { throw ValidationError("--threads must be in 1...1024, was \(workers)") }
    let assets = try run.loadMarkets()
    let job: SweepJob
    do { job = try SweepJob(runner: runner, grid: parameterGrid, markets: assets.map(\.market), probabilities: assets.map(\.probabilities)) } catch {
      throw ValidationError("\(error)")
    }
    if let names = output.aggregate { _ = try asUsage { try SweepAggregate(grid: parameterGrid, assets: [], by: names, metric: output.by) } }
    let progress = SharedProgress(total: job.rows(output).count, label: "sweep", unit: "combinations", quiet: quiet)
    let outcome: SweepJob.Outcome
    do {
      outcome = try job.run(to: out, threads: workers, output: output,
                            progress: { done, _ in progress.update(done) }, cancelled: { Interruption.isRequested })
    } catch {
      progress.finish()
      throw error
    }
    progress.finish()
    try options.exporting.write({
      var files: [(String, [UInt8])] = [("results.csv", Array(try Data(contentsOf: URL(fileURLWithPath: out)))),
                                        ("results.json", Array(try Data(contentsOf: URL(fileURLWithPath: outcome.summaryPath ?? ""))))]
      if let equityPath = outcome.equityPath { files.append(("equity_top.csv", Array(try Data(contentsOf: URL(fileURLWithPath: equityPath))))) }
      return files
    }(), manifest: .init(command: CommandLine.arguments, dataFiles: assets.map { RunFolder.dataFile($0.path, rows: $0.market.count) },
                         settings: run.settings, now: nowNanoseconds()), command: "sweep")
    // With --out - the matrix is standard output: the table would corrupt it.
    if out != "-" && output.shard == nil { selection.printTable(outcome) }
    let extra = [outcome.equityPath, outcome.aggregatePath, outcome.manifestPath].compactMap { $0 }.map { ", \($0)" }.joined()
    note(String(format: "%@ rows%@ (%d %@ × %@ combinations%@) in %.2f s, %.3g bar·combinations/s on %d %@ → %@%@",
                HumanNumber.grouped(outcome.rows), outcome.rowsWritten < outcome.rows ? " (\(HumanNumber.grouped(outcome.rowsWritten)) written, best by \(selection.by))" : "",
                assets.count, assets.count == 1 ? "asset" : "assets", HumanNumber.grouped(parameterGrid.combinations.count),
                output.shard.map { ", shard \($0)" } ?? "", outcome.seconds, outcome.barCombinations / outcome.seconds, workers,
                workers == 1 ? "thread" : "threads", out, extra))
    let periods = Set(job.periodsPerYear.map(\.value)).sorted().map { String(format: "%.6g", $0) }
    note("annualized with \(periods.joined(separator: ", ")) periods per year" + (run.configuration.periodsPerYear == nil ? " (inferred from the timestamps; --periods-per-year overrides)" : ""))
  }
}
