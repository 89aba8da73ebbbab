import ArgumentParser
import Foundation
import Kairos
import KairosFeeds
import KairosMonitor

/// `kairos paper`: paper trading on a feed, with durable state (docs/DESIGN.md §10).
struct PaperCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "paper",
    abstract: "Paper-trade a strategy on a feed of completed bars, with durable state.",
    subcommands: [PaperRunCommand.self, PaperStatusCommand.self, PaperExportCommand.self],
    defaultSubcommand: PaperRunCommand.self)
}

/// `kairos paper [run] --feed replay|alpaca|binance … --strategy NAME … --state DIR`.
struct PaperRunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Run (or resume) a paper session.",
    discussion: """
      The session drives the engine core bar by bar: a paper fill is the fill the backtest
      makes on that bar. Every bar is committed to DIR/state.sqlite with the orders it filled,
      the order it decided (the intent, durable before its fill) and the book, before the next
      is taken; killed at any moment and started again with the same --state, the session
      replays what it stored, checks it gives the stored orders and book, fetches the bars it
      missed and goes on — no fill lost, none duplicated. Events: DIR/events.jsonl.

      Feeds:
        replay   the bars of --data FILE, at --speed (0 as fast as possible)
        alpaca   Alpaca market data v2 (APCA_API_KEY_ID, APCA_API_SECRET_KEY in the environment);
                 the stream's gaps and the bars missed while away come from its REST bars
        binance  Binance spot klines (only closed klines are bars); backfill from /api/v3/klines
      A live feed needs --symbols and --interval; --feed-url and --rest-url point it at another
      server. It reconnects by itself (backoff with jitter); no bar for --stale-after seconds
      of open market marks it stale (shown by kairos paper status, logged).

      Examples:
        kairos paper --feed replay --data aapl.csv --strategy sma-cross --param fast=10 --param slow=50 --state paper/
        kairos paper --feed replay --data spy.csv --strategy donchian-breakout --speed 60 --warmup 500 --state paper/
        kairos paper --feed alpaca --symbols AAPL --interval 1m --strategy sma-cross --warmup 100 --state paper-aapl/
        kairos paper --feed binance --symbols BTCUSDT --interval 1m --strategy rsi-reversion --state paper-btc/
        kairos paper --config paper.yaml        (keys: feed, symbols, interval, state, feed_url, …, dashboard, alert_webhook, alert_format, alert: [KIND=ROUTE])
        kairos paper --data aapl.csv --strategy sma-cross --param max_dd=0.1 --state paper/ --dashboard 127.0.0.1:8080 --alert-webhook http://127.0.0.1:9000/hook
        kairos paper status --state paper/
        kairos paper export --state paper/ --out paper-files/
      """)

  @OptionGroup var options: StrategyOptions

  @Option(help: ArgumentHelp("The feed: replay (a file; the default), alpaca or binance.", valueName: "name"))
  var feed: FeedKind?

  @Option(help: ArgumentHelp("A parameter, name=value (repeatable).", valueName: "name=value"))
  var param: [String] = []

  @Option(help: ArgumentHelp("The state folder (created if missing; resumed if it holds this session).", valueName: "dir"))
  var state: String?

  @Option(help: ArgumentHelp("Live feeds: the symbols to trade, comma-separated (several: one account, as kairos portfolio).", valueName: "symbol[,symbol…]"))
  var symbols: String?

  /// Several symbols: the portfolio's sizing (as `kairos portfolio`).
  @OptionGroup var sizing: PortfolioSizingOptions

  @Option(help: ArgumentHelp("Live feeds: the bar interval (1m, 5m, 1h, 1d).", valueName: "interval"))
  var interval: String?

  @Option(name: .customLong("feed-url"), help: ArgumentHelp("Live feeds: the websocket URL (default: the venue's).", valueName: "url"))
  var feedURL: String?

  @Option(name: .customLong("rest-url"), help: ArgumentHelp("Live feeds: the REST base URL of the backfill (default: the venue's).", valueName: "url"))
  var restURL: String?

  @Option(help: "Replay speed: 0 as fast as possible (default), 1 real time, 60 a minute of bars per second.")
  var speed: Double?

  @Option(help: ArgumentHelp("Bars of warm-up: replay delivers them at once whatever --speed; a new live session first fetches that many past bars.", valueName: "n"))
  var warmup: Int?

  @Option(help: ArgumentHelp("Replay: deliver the bars before this time at once (the warm-up); live: fetch the bars from this time first.", valueName: "timestamp"))
  var from: String?

  @Option(help: ArgumentHelp("Stop after the bar that starts at or after this time; 'end' (replay's default): at the feed's end.", valueName: "time|end"))
  var until: String?

  @Option(name: .customLong("stale-after"), help: ArgumentHelp("Live feeds: seconds of open market without a bar before the feed is stale (default: 3 bar intervals, at most 3 sessions).", valueName: "seconds"))
  var staleAfter: Double?

  @Flag(name: .customLong("model-risk"), help: "The model strategy under model risk: retrain every N bars on the past (from --spec), monitor, fall back while degraded.")
  var modelRisk = false

  @OptionGroup var schedule: ModelRiskOptions

  @OptionGroup(title: "Monitoring") var monitoring: MonitorOptions

  enum FeedKind: String, ExpressibleByArgument, CaseIterable, Decodable { case replay, alpaca, binance }

  /// The keys of `kairos paper --config PAPER.yaml` beside the backtest's (flags win).
  struct ConfigKeys: Decodable {
    var feed: FeedKind?, symbols: String?, interval: String?, state: String?, feed_url: String?, rest_url: String?
    var speed: Double?, warmup: Int?, from: String?, until: String?, stale_after: Double?
    var dashboard: String?, alert_webhook: String?, alert_format: WebhookChannel.Format?, alert: [String]?
    static let names = ["feed", "symbols", "interval", "state", "feed_url", "rest_url", "speed", "warmup", "from", "until", "stale_after",
                        "dashboard", "alert_webhook", "alert_format", "alert"]
  }

  /// These options with the --config file's paper keys where a flag is not given.
  func merged() throws -> PaperRunCommand {
    guard let path = options.config else { return self }
    let file = try decodeYAML(ConfigKeys.self, path: path, schema: YAMLSchema.keys(RunConfigFile.baseKeys + RunSettings.keys + ConfigKeys.names))
    var me = self
    me.feed = feed ?? file.feed; me.symbols = symbols ?? file.symbols; me.interval = interval ?? file.interval; me.state = state ?? file.state
    me.feedURL = feedURL ?? file.feed_url; me.restURL = restURL ?? file.rest_url; me.speed = speed ?? file.speed; me.warmup = warmup ?? file.warmup
    me.from = from ?? file.from; me.until = until ?? file.until; me.staleAfter = staleAfter ?? file.stale_after
    me.monitoring.dashboard = monitoring.dashboard ?? file.dashboard; me.monitoring.webhook = monitoring.webhook ?? file.alert_webhook
    if let format = file.alert_format, monitoring.format == .json { me.monitoring.format = format }
    me.monitoring.routes = (file.alert ?? []) + monitoring.routes  // flags after the file's: they win
    try asUsage { try me.monitoring.validate() }
    return me
  }

  func validate() throws {
    try check(configLoaded: false)
  }

  /// The checks of the options; with a --config file, again after its keys are merged (its
  /// values may complete what the flags leave out).
  func check(configLoaded: Bool) throws {
    let feed = self.feed ?? .replay, speed = self.speed ?? 0
    if configLoaded || options.config == nil {
      guard state != nil else { throw ValidationError("give the state folder: --state DIR (or state: in --config)") }
    }
    guard speed >= 0 && speed.isFinite else { throw ValidationError("--speed must be 0 or more, was \(speed)") }
    if modelRisk {
      guard options.strategy == .model, options.spec != nil, options.model == nil, options.probabilities == nil else {
        throw ValidationError("--model-risk runs --strategy model from --spec SPEC.yaml alone (it fits its own models; no --model or --probabilities)")
      }
    } else if options.strategy == .model && options.config == nil && (options.model == nil || options.spec == nil || options.probabilities != nil) {
      throw ValidationError("paper --strategy model needs --model MODEL.json and --spec SPEC.yaml: each bar is scored as it arrives (or --model-risk with --spec)")
    }
    if let from, UTCCalendar.parseTimestamp(from) == nil {
      throw ValidationError("--from: '\(from)' is not a timestamp (e.g. 2012-01-03 or 2012-01-03T14:30:00Z)")
    }
    if let until, until != "end", UTCCalendar.parseTimestamp(until) == nil {
      throw ValidationError("--until: '\(until)' is not a timestamp or 'end'")
    }
    if let warmup, warmup < 0 { throw ValidationError("--warmup must be 0 or more bars, was \(warmup)") }
    if let staleAfter, !(staleAfter > 0 && staleAfter.isFinite) { throw ValidationError("--stale-after must be a positive number of seconds") }
    if options.config != nil && !configLoaded { return }  // the feed's settings may come from the file
    switch feed {
    case .replay:
      for (flag, given) in [("--symbols", symbols != nil), ("--interval", interval != nil), ("--feed-url", feedURL != nil), ("--rest-url", restURL != nil)] where given {
        throw ValidationError("\(flag) is for the live feeds (alpaca, binance); the replay feed reads --data")
      }
    case .alpaca, .binance:
      guard options.data == nil else { throw ValidationError("--data is for --feed replay; a live feed brings its bars (give --symbols and --interval)") }
      guard let symbols, !symbols.isEmpty else { throw ValidationError("--feed \(feed.rawValue) needs --symbols SYMBOL") }
      let list = symbols.split(separator: ",", omittingEmptySubsequences: false)
      guard !list.contains(where: \.isEmpty), Set(list).count == list.count else { throw ValidationError("--symbols: '\(symbols)' has an empty or repeated symbol") }
      guard let interval else { throw ValidationError("--feed \(feed.rawValue) needs --interval (e.g. 1m)") }
      do { _ = try BarInterval(parsing: interval) } catch { throw ValidationError("--interval: \(error)") }
      if until == "end" { throw ValidationError("--until end: a live feed has no end; give a time, or stop it with Ctrl-C") }
      for (flag, url) in [("--feed-url", feedURL), ("--rest-url", restURL)] {
        if let url, URL(string: url)?.host == nil { throw ValidationError("\(flag): '\(url)' is not a URL with a host") }
      }
    }
  }

  func run() throws {
    let me = try merged()
    try asUsage { try me.check(configLoaded: true) }
    try me.runMerged()
  }

  func runMerged() throws {
    Interruption.install()
    let (feed, state) = (self.feed ?? .replay, self.state!)
    let run = try ResolvedRun(options, needsData: feed == .replay, specOnly: modelRisk, extraKeys: ConfigKeys.names)
    var values = run.file?.params ?? [:]
    for (k, v) in try parseParameters(param) { values[k] = v }
    let runner = StrategyRunner(kind: run.kind, configuration: run.configuration, confirmation: run.confirmation)
    _ = try asUsage { try runner.resolve(values) }
    var model: (LinearModel, String)? = nil
    var plan: ModelRiskPlan? = nil
    if modelRisk {
      guard let specPath = run.specPath, let spec = try? String(contentsOfFile: specPath, encoding: .utf8) else {
        throw FeatureError.unreadableSpec(file: run.specPath ?? "--spec", reason: "no such file or not UTF-8")
      }
      _ = try asUsage { try ModelRiskBacktest.horizon(of: try FeatureSpec.parse(yaml: spec, name: specPath)) }
      plan = schedule.plan(specYAML: spec)
    } else if run.kind == .model {
      guard let modelPath = run.modelPath, let specPath = run.specPath, run.probabilitiesPath == nil else {
        throw ValidationError("paper --strategy model needs --model MODEL.json and --spec SPEC.yaml: each bar is scored as it arrives")
      }
      guard let spec = try? String(contentsOfFile: specPath, encoding: .utf8) else { throw FeatureError.unreadableSpec(file: specPath, reason: "no such file or not UTF-8") }
      model = (try LinearModel.load(path: modelPath), spec)
    }
    let from = self.from.flatMap(UTCCalendar.parseTimestamp)
    let until = self.until.flatMap(UTCCalendar.parseTimestamp)
    // A run that fails before its first bar leaves the state folder as it found it.
    let snapshot = StateSnapshot(folder: state)
    var session: (any PaperTrading)? = nil
    let running = MonitorOptions.Running()
    defer { running.finish() }
    do {
      let counts = try self.run(run, runner: runner, values: values, model: model, plan: plan, from: from, until: until, running: running) { session = $0 }
      if counts.interrupted { throw ExitCode(130) }
    } catch {
      // An error that stops the session is an alert (a broken book has its own kind).
      if !(error is ExitCode), let journal = session?.journal {
        if running.outbox == nil { running.outbox = try? monitoring.outbox(for: journal); journal.outbox = running.outbox }
        let broken = (error as? LiveError).map { if case .brokenBook = $0 { true } else { false } } ?? false
        journal.raise([Alert(kind: broken ? .brokenBook : .sessionError, severity: .critical, key: "session", message: "the session stopped: \(error)", barTime: session?.lastBarStart)])
      }
      // (A broken book is not a bad setting: its report stays in the log.)
      var brokenBook = false
      if case .brokenBook? = error as? LiveError { brokenBook = true }
      if session.map({ $0.processed == $0.resumedAt }) ?? true, !(error is ExitCode), !brokenBook { snapshot.restore() }
      throw error
    }
  }

  /// Opens the session and its feed, runs it, writes the files at the feed's end.
  func run(_ run: ResolvedRun, runner: StrategyRunner, values: [String: Double], model: (LinearModel, String)?, plan: ModelRiskPlan?,
           from: Int64?, until: Int64?, running: MonitorOptions.Running, opened: (any PaperTrading) -> Void) throws -> PaperLoop.Counts {
    let (feed, state, speed) = (self.feed ?? .replay, self.state!, self.speed ?? 0)
    let session: any PaperTrading, source: any BarFeed
    /// One symbol: the single-asset engine; several: one account over all (kairos portfolio).
    func open(_ names: [String], _ configuration: BacktestConfiguration) throws -> any PaperTrading {
      if plan != nil && names.count > 1 { throw ValidationError("--model-risk runs on one symbol") }
      if names.count == 1 {
        return try PaperSession(folder: state, symbol: names[0], runner: runner, parameters: values, configuration: configuration, model: model, modelRisk: plan)
      }
      return try asUsage {
        try PortfolioPaperSession(folder: state, symbols: names, runner: runner, parameters: values, configuration: configuration,
                                  positionFraction: sizing.positionFraction, maxGrossExposure: sizing.maxGross)
      }
    }
    if feed == .replay {
      let loaded = try run.loadMarkets()
      let union = Array(Set(loaded.flatMap(\.market.timestamps))).sorted()
      session = try open(loaded.map(\.market.name), run.configuration.resolved(for: union))
      let frames = try loaded.map { (symbol: $0.market.name, frame: try run.read.ohlcv($0.path)) }
      if let single = session as? PaperSession { try single.checkReplaySource(frames[0].frame) }
      let paceFrom = from ?? warmup.flatMap { $0 < union.count ? union[$0] : nil }
      source = try ReplayFeed(series: frames, speed: speed, paceFrom: paceFrom)
    } else {
      let names = symbols!.split(separator: ",").map(String.init), step = try BarInterval(parsing: interval!).nanoseconds
      let calendar = run.configuration.calendar ?? (feed == .alpaca ? .nyse : .always)
      var configuration = run.configuration
      configuration.calendar = calendar
      if configuration.periodsPerYear == nil { configuration.periodsPerYear = PeriodsPerYear.value(spacing: step, calendar: calendar) }
      session = try open(names, configuration)
      let venue: any BarVenue = feed == .alpaca
        ? try AlpacaVenue(symbols: names, interval: step, streamURL: feedURL, restURL: restURL)
        : try BinanceVenue(symbols: names, interval: step, streamURL: feedURL, restURL: restURL)
      let now = nowNanoseconds()
      let start = from ?? warmup.map { now - Int64($0) * step }
      let stale = staleAfter ?? 3 * Double(Swift.min(step, calendar.sessionLength)) / 1e9
      var settings = VenueFeed.Settings(interval: step, from: start, staleAfter: stale, calendar: calendar)
      settings.resumeAfter = session.lastBarStarts
      source = VenueFeed(venue: venue, symbols: names, settings: settings)
    }
    opened(session)
    try monitoring.start(session, into: running)
    let resumed = session.processed
    let monitor = running.source
    // After each event, on the loop's thread: the dashboard's version, the report's refresh.
    let refresher = ReportRefresher(folder: state)
    nonisolated(unsafe) let live = session
    let afterEvent: @Sendable () -> Void = { monitor?.bump(); refresher.afterEvent(live) }
    let counts = try PaperLoop.run(session: session, feed: source, until: until, lock: monitor?.lock, afterEvent: afterEvent) { Interruption.isRequested }
    if counts.reachedUntil { try session.take(.state(.ended, detail: "reached --until \(self.until ?? "")")) }
    DailyLedger.flushPages()
    var summary = "\(counts.processed) bars processed, \(counts.orders) orders, \(counts.dropped) already stored"
      + (resumed > 0 ? " (resumed after \(resumed) bars)" : "") + (counts.interrupted ? "; interrupted, state kept" : "")
      + (counts.latency.map { "; bar to decision: median \(Int(($0.median * 1e6).rounded())) µs, p99 \(Int(($0.p99 * 1e6).rounded())) µs" } ?? "") + " → \(state)"
    // The feed's end (or --until): the backtest files of the session, in its folder.
    if !counts.interrupted && session.processed > 0 {
      let files = try session.files()
      try OutputFolder.write(files, manifest: .init(command: CommandLine.arguments, dataFiles: [], settings: ["state": state], now: nowNanoseconds()), to: state)
      summary += " (\(files.map(\.0).joined(separator: ", ")) written"
      // The full report of the session's fills beside the daily rows (reports/full/report.html).
      refresher.wait()
      do { try SessionReport.write(session: session, folder: state); summary += "; report in reports/full/)" }
      catch { summary += ")"; note("kairos: warning: the session's report could not be made: \(error)") }
    }
    note(summary)
    return counts
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
    let session = try PaperSessions.reopen(folder: state)
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
    let s = try PaperSessions.reopen(folder: state).status
    let money = HumanNumber.money
    let feed = s.feed.map { f in "\(f.state == "live" ? "live" : f.state.uppercased()) since \(f.since)\(f.detail.isEmpty ? "" : ": \(f.detail)")" } ?? "not reported"
    let halt = s.haltAt.map { String(format: ", halts at %.1f %%", 100 * $0) } ?? ""
    let now = nowNanoseconds()
    var lines = ["feed        \(feed)", "bars        \(s.bars)"] + (s.model.map { ["model       \($0)"] } ?? [])
    for (k, symbol) in s.symbols.enumerated() {
      let last = s.lastBars[k].map { "last bar \(UTCCalendar.iso8601($0)) (\(Self.age(now - $0)) ago)" } ?? "no bar yet"
      let order = s.openOrders[k].map { ", open order: \($0 > 0 ? "long" : $0 < 0 ? "short" : "flat") at the next bar" } ?? ""
      lines.append("\(symbol.padding(toLength: Swift.max(12, symbol.count + 1), withPad: " ", startingAt: 0))\(CSVWriter.format(s.positions[k])) units\(order); \(last)")
    }
    lines += ["cash        \(money(s.cash))", "equity      \(money(s.equity))", "P&L         \(money(s.pnl)) total, \(money(s.pnlToday)) today",
              "drawdown    \(String(format: "%.2f", 100 * s.drawdown)) %\(halt)\(s.halted ? " — HALTED" : "")",
              "orders      \(s.orders), \(s.trades) closed trades"]
    print(lines.joined(separator: "\n"))
  }

  /// An age for people: 42 s, 7 min, 3 h, 12 d.
  static func age(_ ns: Int64) -> String {
    let s = Double(ns) / 1e9
    return s < 120 ? String(format: "%.0f s", s) : s < 7200 ? String(format: "%.0f min", s / 60) : s < 172_800 ? String(format: "%.0f h", s / 3600) : String(format: "%.0f d", s / 86_400)
  }
}
