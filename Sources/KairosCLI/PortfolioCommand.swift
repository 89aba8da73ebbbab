import ArgumentParser
import Foundation
import Kairos

/// `kairos portfolio --data A.csv,B.csv --strategy NAME --out DIR`: one strategy on several
/// assets sharing one cash account, with the gross-exposure cap and the drawdown halt across
/// assets.
struct PortfolioCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "portfolio",
    abstract: "Run one rule strategy on several assets with one cash account and the risk manager across assets.",
    discussion: """
      The assets are aligned on the union of their timestamps (a missing bar never fills). Each
      entry is sized at --position-fraction of equity (default 1 / number of assets) and clipped
      by risk_per_trade (with a stop), by --max-gross (Σ |position value| / equity, default 1)
      and by the cash; the drawdown halt (max_dd) flattens every asset and blocks entries.
      Parameters: the strategy's own and fee, fixed_fee, slippage, impact, stop_atr, stop_pct,
      risk_per_trade, max_dd, dd_resume_bars, dd_resume_recovery. Fills at the next open.
      Writes DIR/equity.csv (equity, return, gross and net exposure, position_<asset>),
      orders.csv and trades.csv (with an asset column), metrics.json and manifest.json;
      kairos report reads the folder (reconciliation across assets, weights, concentration).

      Examples:
        kairos portfolio --data spy.csv,qqq.csv,iwm.csv --strategy sma-cross --param fast=20 --param slow=100 --fee 0.0005 --out pf/
        kairos portfolio --data a.csv,b.csv --strategy donchian-breakout --param stop_atr=2 --param risk_per_trade=0.01 --param max_dd=0.2 --max-gross 1.5 --shorts --out pf/
      """)

  @OptionGroup var options: StrategyOptions

  @Option(help: ArgumentHelp("A parameter, name=value (repeatable).", valueName: "name=value"))
  var param: [String] = []

  @OptionGroup var sizing: PortfolioSizingOptions

  @Option(help: ArgumentHelp("The folder to write.", valueName: "dir"))
  var out: String?

  func run() throws {
    let run = try ResolvedRun(options)
    guard let out = try (out ?? run.file?.out).map(outputFolder) else { throw ValidationError("give the output folder: --out DIR") }
    guard run.confirmation == nil else { throw ValidationError("--confirm is not supported by the portfolio engine") }
    var values = run.file?.params ?? [:]
    for (k, v) in try parseParameters(param) { values[k] = v }
    _ = try asUsage { try StrategyRunner(kind: run.kind, configuration: run.configuration).resolve(values) }  // before any work
    let loaded = try run.loadMarkets()
    // Every error of this call is about the options given: bad usage.
    let result = try asUsage {
      try portfolioBacktest(run.kind, parameters: values, on: loaded.map(\.market), configuration: run.configuration,
                            positionFraction: sizing.positionFraction, maxGrossExposure: sizing.maxGross)
    }
    var settings = run.settings
    for (k, v) in result.parameters { settings["param." + k] = CSVWriter.format(v) }
    settings["max_gross"] = CSVWriter.format(sizing.maxGross)
    settings["position_fraction"] = CSVWriter.format(sizing.positionFraction ?? 1 / Double(loaded.count))
    let dataFiles = zip(run.dataPaths, loaded).map { RunFolder.dataFile($0.0, rows: $0.1.market.count) }
    try OutputFolder.write(try result.files(), manifest: .init(command: CommandLine.arguments, dataFiles: dataFiles, settings: settings, now: nowNanoseconds()), to: out)
    print(BacktestFiles.table(result.run.summary))
    let clipped = result.run.orders.filter { $0.record.clip == .grossExposure }.count
    note("\(loaded.count) assets, \(result.run.trades.count) trades, \(result.run.orders.count) orders (\(clipped) clipped by the gross cap)"
         + (result.run.haltBars.isEmpty ? "" : ", halted \(result.run.haltBars.count)×") + " → \(out)")
  }
}

/// The sizing of several assets on one account, shared by `kairos portfolio` and `kairos paper`.
struct PortfolioSizingOptions: ParsableArguments {
  @Option(name: .customLong("position-fraction"), help: "Several assets: each entry's value as a fraction of equity (default 1 / assets).")
  var positionFraction: Double?

  @Option(name: .customLong("max-gross"), help: "Several assets: the largest gross exposure, Σ |position value| / equity.")
  var maxGross = 1.0
}
