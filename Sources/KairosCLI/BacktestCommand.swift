import ArgumentParser
import Foundation
import Kairos

/// `kairos backtest --data FILE --strategy NAME --param k=v … --out DIR`.
struct BacktestCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "backtest",
    abstract: "Backtest one strategy with one set of parameters and write its equity, trades, orders and metrics.",
    discussion: """
      A signal uses data up to the close of bar t and fills at the open of t+1 (or its close
      with --fill next-close). Writes DIR/equity.csv, trades.csv, orders.csv, metrics.json and
      manifest.json. Parameters: the strategy's own (sma-cross: fast, slow; ema-cross: fast,
      slow; rsi-reversion: window, lower, upper; bollinger-reversion: window, k;
      donchian-breakout: window; model: threshold, smoothing) and any of: \(CommonParameter.names.keys.sorted().joined(separator: ", ")).

      Examples:
        kairos backtest --data aapl.csv --strategy sma-cross --param fast=10 --param slow=50 --fee 0.001 --out bt/
        kairos backtest --data aapl.csv --strategy rsi-reversion --param stop_atr=2 --shorts --out bt/
        kairos backtest --data aapl.csv --strategy model --model model.json --spec features.yaml --param threshold=0.55 --out bt/
      """)

  @OptionGroup var options: StrategyOptions

  @Option(help: ArgumentHelp("A parameter, name=value (repeatable).", valueName: "name=value"))
  var param: [String] = []

  @Option(help: ArgumentHelp("The folder to write.", valueName: "dir"))
  var out: String?

  func run() throws {
    let run = try ResolvedRun(options)
    guard run.dataPaths.count == 1 else { throw ValidationError("backtest takes one data file; use kairos sweep for several") }
    guard let out = try (out ?? run.file?.out).map(outputFolder) else { throw ValidationError("give the output folder: --out DIR") }
    var values = run.file?.params ?? [:]
    for (k, v) in try parseParameters(param) { values[k] = v }
    _ = try asUsage { try StrategyRunner(kind: run.kind, configuration: run.configuration).resolve(values) }  // before any work
    let (path, market, probabilities) = try run.loadMarkets()[0]
    let result = try backtest(run.kind, parameters: values, on: market, configuration: run.configuration,
                              confirmation: run.confirmation, probabilities: probabilities)
    let files = try result.files()
    var settings = run.settings
    for (k, v) in result.parameters { settings["param." + k] = CSVWriter.format(v) }
    let manifest = RunFolder.Manifest(command: CommandLine.arguments, dataFiles: [RunFolder.dataFile(path, rows: market.count)], settings: settings, now: nowNanoseconds())
    try OutputFolder.write(files, manifest: manifest, to: out)
    try options.exporting.write(files, manifest: manifest, command: "backtest")
    print(BacktestFiles.table(result.summary))
    note("\(result.recording.trades.count) trades, \(result.recording.orders.count) orders → \(out)")
  }
}
