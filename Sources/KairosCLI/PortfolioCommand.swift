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

  @Option(name: .customLong("position-fraction"), help: "Each entry's value as a fraction of equity (default 1 / assets).")
  var positionFraction: Double?

  @Option(name: .customLong("max-gross"), help: "Largest gross exposure, Σ |position value| / equity.")
  var maxGross = 1.0

  @Option(help: ArgumentHelp("The folder to write.", valueName: "dir"))
  var out: String?

  /// Options the portfolio engine does not implement: refused rather than silently ignored.
  static let unsupported: Set<String> = ["take_atr", "take_pct", "risk", "risk_atr", "vol_target", "max_position", "max_leverage", "max_units",
                                         "vol_lookback", "vol_low", "vol_high", "er_window", "er_min", "chop_window", "chop_max"]

  func run() throws {
    let run = try ResolvedRun(options)
    guard let out = out ?? run.file?.out else { throw ValidationError("give the output folder: --out DIR") }
    guard run.dataPaths.count >= 2 else { throw ValidationError("a portfolio needs at least two data files: --data A.csv,B.csv") }
    guard run.kind != .model else { throw ValidationError("the portfolio command runs rule strategies; --strategy model is not supported here yet") }
    guard run.confirmation == nil else { throw ValidationError("--confirm is not supported by the portfolio engine") }
    guard run.configuration.fill == .nextOpen else { throw ValidationError("the portfolio engine fills at the next open only (--fill next-open)") }
    if let f = positionFraction, !(f > 0 && f.isFinite) { throw ValidationError("--position-fraction must be positive, was \(f)") }
    guard maxGross > 0 && maxGross.isFinite else { throw ValidationError("--max-gross must be positive, was \(maxGross)") }
    var values = run.file?.params ?? [:]
    for (k, v) in try parseParameters(param) { values[k] = v }
    if let refused = values.keys.filter(Self.unsupported.contains).sorted().first {
      throw ValidationError("parameter \(refused) is not supported by the portfolio engine (supported: the strategy's own, fee, fixed_fee, slippage, impact, stop_atr, stop_pct, risk_per_trade, max_dd, dd_resume_bars, dd_resume_recovery)")
    }
    let runner = StrategyRunner(kind: run.kind, configuration: run.configuration)
    let p = try runner.resolve(values)
    let loaded = try run.loadMarkets()
    let aligned = Frame.align(loaded.map(\.market.frame), join: .outer)
    let markets = try zip(loaded, aligned).map { try MarketSeries(name: $0.0.market.name, frame: $0.1) }
    let targets = try markets.map { market -> [Int8] in
      let cache = IndicatorCache(market: market)
      cache.prepare(runner.indicators(p))
      return try runner.targets(p, cache: cache)
    }
    var configuration = PortfolioConfiguration()
    configuration.base = try run.configuration.applying(p)
    configuration.positionFraction = positionFraction
    configuration.maxGrossExposure = maxGross
    let result = try PortfolioSimulator.run(markets: markets, targets: targets, configuration: configuration)

    let files = try Self.files(markets: markets, run: result)
    var settings = run.settings
    for (k, v) in p { settings["param." + k] = CSVWriter.format(v) }
    settings["max_gross"] = CSVWriter.format(maxGross)
    settings["position_fraction"] = CSVWriter.format(positionFraction ?? 1 / Double(markets.count))
    for (name, bytes) in files { try AtomicFile.write(bytes, to: URL(fileURLWithPath: out).appendingPathComponent(name).path) }
    let dataFiles = try zip(run.dataPaths, loaded).map { try RunFolder.dataFile($0.0, rows: $0.1.market.count) }
    let manifest = manifestBytes(command: CommandLine.arguments, dataFiles: dataFiles, settings: settings, now: nowNanoseconds(), files: files.map(\.0))
    try AtomicFile.write(manifest, to: URL(fileURLWithPath: out).appendingPathComponent("manifest.json").path)
    print(BacktestFiles.table(result.summary))
    let clipped = result.orders.filter { $0.record.clip == .grossExposure }.count
    note("\(markets.count) assets, \(result.trades.count) trades, \(result.orders.count) orders (\(clipped) clipped by the gross cap)"
         + (result.haltBars.isEmpty ? "" : ", halted \(result.haltBars.count)×") + " → \(out)")
  }

  /// equity.csv, orders.csv, trades.csv and metrics.json of a portfolio run.
  static func files(markets: [MarketSeries], run: PortfolioRun) throws -> [(String, [UInt8])] {
    let timestamps = markets[0].timestamps
    let dateOnly = timestamps.allSatisfy(UTCCalendar.isMidnight)
    func time(_ bar: Int) -> String { UTCCalendar.iso8601(timestamps[bar], dateOnly: dateOnly) }
    let f = CSVWriter.format
    var equity = Frame(index: try TimeIndex(timestamps))
    try equity.setColumn("equity", Column(run.equity))
    try equity.setColumn("return", Column(run.returns))
    try equity.setColumn("gross_exposure", Column(run.grossExposure))
    try equity.setColumn("net_exposure", Column(run.netExposure))
    for (a, market) in markets.enumerated() { try equity.setColumn("position_" + market.name, Column(run.positions[a])) }
    let orders = run.orders.map { o in
      [time(o.record.bar), markets[o.asset].name, o.record.side > 0 ? "buy" : "sell", f(o.record.units), f(o.record.price), f(o.record.fee),
       o.record.reason.rawValue, o.record.status.rawValue, o.record.clip.rawValue]
    }
    let trades = run.trades.map { a, t in
      [markets[a].name, time(t.entryBar), time(t.exitBar), f(t.entryPrice), f(t.exitPrice), f(t.units), f(t.pnl), f(t.returnValue), "\(t.exitBar - t.entryBar)", t.exitReason.rawValue]
    }
    return [
      ("equity.csv", CSVWriter.encode(equity)),
      ("trades.csv", TableWriter.encode(header: ["asset", "entry_time", "exit_time", "entry_price", "exit_price", "units", "pnl", "return", "bars_held", "exit_reason"], rows: trades)),
      ("orders.csv", TableWriter.encode(header: ["timestamp", "asset", "side", "units", "price", "fee", "reason", "status", "clipped_by"], rows: orders)),
      ("metrics.json", BacktestFiles.metricsJSON(run.summary)),
    ]
  }
}
