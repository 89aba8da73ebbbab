import ArgumentParser
import Foundation
import Kairos

/// `kairos paper`: paper trading on a feed, with durable state (docs/DESIGN.md §10).
struct PaperCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "paper",
    abstract: "Paper-trade a strategy on a feed of completed bars, with durable state.",
    subcommands: [PaperRunCommand.self, PaperStatusCommand.self, PaperExportCommand.self],
    defaultSubcommand: PaperRunCommand.self)
}

/// `kairos paper [run] --feed replay --data FILE --strategy NAME … --state DIR [--speed X]`.
struct PaperRunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Run (or resume) a paper session.",
    discussion: """
      The session drives the engine core bar by bar: a paper fill is the fill the backtest
      makes on that bar. Every bar is committed to DIR/state.sqlite with the orders it produced
      before the next is taken; killed at any moment and started again with the same --state,
      the session replays what it stored, checks it gives the stored orders, drops the bars it
      already has and goes on — no fill lost, none duplicated. Feeds: replay (a CSV file).

      Examples:
        kairos paper --feed replay --data aapl.csv --strategy sma-cross --param fast=10 --param slow=50 --state paper/
        kairos paper --feed replay --data spy.csv --strategy donchian-breakout --speed 60 --from 2011-03-01 --state paper/
        kairos paper export --state paper/ --out paper-files/
      """)

  @OptionGroup var options: StrategyOptions

  @Option(help: ArgumentHelp("The feed: replay (alpaca and binance are not built yet).", valueName: "name"))
  var feed = "replay"

  @Option(help: ArgumentHelp("A parameter, name=value (repeatable).", valueName: "name=value"))
  var param: [String] = []

  @Option(help: ArgumentHelp("The state folder (created if missing; resumed if it holds this session).", valueName: "dir"))
  var state: String

  @Option(help: "Replay speed: 0 as fast as possible (default), 1 real time, 60 a minute of bars per second.")
  var speed = 0.0

  @Option(help: ArgumentHelp("Replay: deliver the bars before this time at once (the warm-up), pace the rest by --speed.", valueName: "timestamp"))
  var from: String?

  func validate() throws {
    guard feed == "replay" else { throw ValidationError("--feed \(feed): only the replay feed is built so far (alpaca and binance come with the live feeds)") }
    guard speed >= 0 && speed.isFinite else { throw ValidationError("--speed must be 0 or more, was \(speed)") }
    if options.strategy == .model && options.config == nil && (options.model == nil || options.spec == nil || options.probabilities != nil) {
      throw ValidationError("paper --strategy model needs --model MODEL.json and --spec SPEC.yaml: each bar is scored as it arrives")
    }
    if let from, UTCCalendar.parseTimestamp(from) == nil {
      throw ValidationError("--from: '\(from)' is not a timestamp (e.g. 2012-01-03 or 2012-01-03T14:30:00Z)")
    }
  }

  func run() throws {
    Interruption.install()
    let run = try ResolvedRun(options)
    guard run.dataPaths.count == 1 else { throw ValidationError("paper trading takes one data file (one symbol) so far") }
    var values = run.file?.params ?? [:]
    for (k, v) in try parseParameters(param) { values[k] = v }
    let runner = StrategyRunner(kind: run.kind, configuration: run.configuration, confirmation: run.confirmation)
    _ = try asUsage { try runner.resolve(values) }
    var model: (LinearModel, String)? = nil
    if run.kind == .model {
      guard let modelPath = run.modelPath, let specPath = run.specPath, run.probabilitiesPath == nil else {
        throw ValidationError("paper --strategy model needs --model MODEL.json and --spec SPEC.yaml: each bar is scored as it arrives")
      }
      guard let spec = try? String(contentsOfFile: specPath, encoding: .utf8) else { throw FeatureError.unreadableSpec(file: specPath, reason: "no such file or not UTF-8") }
      model = (try LinearModel.load(path: modelPath), spec)
    }
    let (path, market, _) = try run.loadMarkets()[0]
    let session = try PaperSession(folder: state, symbol: market.name, runner: runner, parameters: values,
                                   configuration: run.configuration.resolved(for: market.timestamps), model: model)
    let paceFrom = from.flatMap(UTCCalendar.parseTimestamp)
    let feed = try ReplayFeed(symbol: market.name, frame: try run.read.ohlcv(path), speed: speed, paceFrom: paceFrom)
    let resumed = session.processed
    let counts = try PaperLoop.run(session: session, feed: feed) { Interruption.isRequested }
    note("\(counts.processed) bars processed, \(counts.orders) orders, \(counts.dropped) already stored"
         + (resumed > 0 ? " (resumed after \(resumed) bars)" : "") + (counts.interrupted ? "; interrupted, state kept" : "") + " → \(state)")
    if counts.interrupted { throw ExitCode(130) }
  }
}

/// `kairos paper export --state DIR --out DIR`: the backtest files of what a session traded.
struct PaperExportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Write the backtest files (equity, trades, orders, metrics) of a paper session.",
    discussion: """
      The files are the ones kairos backtest writes; for a replayed file they are the
      backtest's, byte for byte. Everything is read from the state folder.

      Example:
        kairos paper export --state paper/ --out paper-files/
      """)

  @Option(help: ArgumentHelp("The state folder of a session.", valueName: "dir")) var state: String
  @Option(help: ArgumentHelp("The folder to write.", valueName: "dir")) var out: String

  func validate() throws { try outputFolder(out) }

  func run() throws {
    let session = try PaperSession.reopen(folder: state)
    let files = try session.files()
    try OutputFolder.write(files, manifest: .init(command: CommandLine.arguments, dataFiles: [], settings: ["state": state], now: nowNanoseconds()), to: out)
    note("\(session.processed) bars, \(files.count) files → \(out)")
  }
}

/// `kairos paper status --state DIR`: where a session stands, from its folder alone.
struct PaperStatusCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "status",
    abstract: "Show a paper session's position, equity, P&L and drawdown.",
    discussion: """
      Read from the state folder (the session may be running: SQLite's WAL lets a reader in).

      Example:
        kairos paper status --state paper/
      """)

  @Option(help: ArgumentHelp("The state folder of a session.", valueName: "dir")) var state: String

  func run() throws {
    let s = try PaperSession.reopen(folder: state).status
    let f = { (x: Double) in String(format: "%.2f", x) }
    print("""
      symbol      \(s.symbol)
      bars        \(s.bars)\(s.lastBar.map { ", last \(UTCCalendar.iso8601($0))" } ?? "")
      position    \(CSVWriter.format(s.position)) units
      equity      \(f(s.equity)) (P&L \(f(s.pnl)))
      drawdown    \(String(format: "%.2f", 100 * s.drawdown)) %
      orders      \(s.orders), \(s.trades) closed trades
      """)
  }
}
