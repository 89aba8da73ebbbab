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
    guard let out = out ?? run.file?.out else { throw ValidationError("give the output folder: --out DIR") }
    var values = run.file?.params ?? [:]
    for (k, v) in try parseParameters(param) { values[k] = v }
    let (path, market, probabilities) = try run.loadMarkets()[0]
    let result = try backtest(run.kind, parameters: values, on: market, configuration: run.configuration,
                              confirmation: run.confirmation, probabilities: probabilities)
    let (p, recording, summary) = (result.parameters, result.recording, result.summary)
    let files = try result.files()
    let now = nowNanoseconds()
    var settings = run.settings
    for (k, v) in p { settings["param." + k] = CSVWriter.format(v) }
    // Each file is written atomically, the manifest last.
    for (name, bytes) in files { try AtomicFile.write(bytes, to: URL(fileURLWithPath: out).appendingPathComponent(name).path) }
    let manifest = manifestBytes(command: CommandLine.arguments, dataFiles: [RunFolder.dataFile(path, rows: market.count)], settings: settings, now: now, files: files.map(\.0))
    try AtomicFile.write(manifest, to: URL(fileURLWithPath: out).appendingPathComponent("manifest.json").path)
    if options.export {
      let export = try RunFolder(root: options.exportDirectory, command: "backtest", now: now)
      for (name, bytes) in files { try export.write(name, bytes: bytes) }
      try export.finish(version: KairosVersion.current, command: CommandLine.arguments, seed: nil,
                        dataFiles: [RunFolder.dataFile(path, rows: market.count)], settings: settings, now: now)
      note("run folder: \(export.path)")
    }
    print(BacktestFiles.table(summary))
    note("\(recording.trades.count) trades, \(recording.orders.count) orders → \(out)")
  }
}

/// `manifest.json` for an output folder (the run-folder manifest's fields).
func manifestBytes(command: [String], dataFiles: [RunFolder.DataFile], settings: [String: String], now: Int64, files: [String]) -> [UInt8] {
  let manifest = RunFolder.Manifest(kairos_version: KairosVersion.current, command: command,
                                    created_at: UTCCalendar.iso8601(now - now % UTCCalendar.nanosecondsPerSecond),
                                    seed: nil, data_files: dataFiles, files: files, settings: settings)
  let encoder = JSONEncoder()
  encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
  return Array((try? encoder.encode(manifest)) ?? Data()) + [0x0A]
}
