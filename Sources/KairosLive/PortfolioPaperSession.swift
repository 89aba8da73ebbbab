import Foundation
import KairosBacktest
import KairosCore
import KairosFrame
import KairosIO

/// A paper session on several symbols sharing one cash account: `PortfolioCore` driven one
/// time at a time, as `kairos portfolio` drives it over whole histories (docs/DESIGN.md §10).
///
/// The backtest aligns the assets on the union of their timestamps, a missing bar being NaN
/// (it never fills). Bars arrive per symbol, so a time is stepped when every symbol has
/// delivered a bar at or after it (a symbol silent at that time gets a NaN bar); when the feed
/// ends, the times still waiting are stepped with what they have. A bar for a time already
/// stepped is late and dropped (logged). Every bar is committed with the orders, intents and
/// book of the times it completed; a restarted session replays its stored bars (and the ends
/// of feed it stored) through the same alignment and must find the stored orders and book.
public final class PortfolioPaperSession: PaperTrading {
  public let symbols: [String]
  public let runner: StrategyRunner
  public let parameters: [String: Double]
  let configuration: PortfolioConfiguration
  public let journal: SessionJournal
  var streams: [StreamingStrategy]
  var inputs: [DecisionInputsState]
  /// Bars received and not yet stepped, per symbol, in time order.
  var queues: [[(start: Int64, bar: OHLCVBar)]]
  /// Each symbol's last valid close (the gross exposure's marks).
  lazy var lastClose = [Double](repeating: .nan, count: symbols.count)
  var lastReceived: [Int64?]
  var core: PortfolioCore
  var run: PortfolioRun
  /// The times stepped, and each symbol's bar at each (NaN where it had none).
  public private(set) var times: [Int64] = []
  var columns: [[OHLCVBar]]
  public private(set) var processed = 0
  public private(set) var resumedAt = 0

  /// The row of a stored end of feed (the waiting times were stepped).
  static let endOfFeed = "*end*"

  public init(folder: String, symbols: [String], runner: StrategyRunner, parameters: [String: Double], configuration: BacktestConfiguration,
              positionFraction: Double? = nil, maxGrossExposure: Double = 1, logging: Bool = true) throws {
    try checkPortfolioSettings(runner.kind, parameters: parameters, assets: symbols.count, configuration: configuration,
                               positionFraction: positionFraction, maxGrossExposure: maxGrossExposure)
    guard Set(symbols).count == symbols.count else { throw BacktestError.invalidParameter(name: "symbols", reason: "a symbol is named twice") }
    guard configuration.periodsPerYear != nil else { throw BacktestError.invalidParameter(name: "periods_per_year", reason: "a live session needs it given") }
    self.symbols = symbols
    self.runner = runner
    let p = try runner.resolve(parameters)
    self.parameters = p
    var portfolio = PortfolioConfiguration()
    portfolio.base = try configuration.applying(p)
    portfolio.positionFraction = positionFraction
    portfolio.maxGrossExposure = maxGrossExposure
    self.configuration = portfolio
    let settings = PaperSession.describe(kind: runner.kind, parameters: p, configuration: configuration, symbol: symbols.joined(separator: ","))
      + " position_fraction=\(positionFraction.map(CSVWriter.format) ?? "1/n") max_gross=\(CSVWriter.format(maxGrossExposure))"
    journal = try SessionJournal(folder: folder, settings: settings, meta: {
      ["symbols": symbols.joined(separator: ","), "strategy": runner.kind.rawValue,
       "parameters": String(decoding: try JSONEncoder().encode(p), as: UTF8.self),
       "configuration": String(decoding: try JSONEncoder().encode(configuration), as: UTF8.self),
       "position_fraction": positionFraction.map(CSVWriter.format) ?? "", "max_gross": CSVWriter.format(maxGrossExposure)]
    }, logging: logging)
    journal.startLedger(initialCapital: configuration.initialCapital, calendar: configuration.calendar, symbols: symbols)
    streams = try symbols.map { _ in try runner.stream(p) }
    inputs = symbols.map { _ in DecisionInputsState() }
    queues = symbols.map { _ in [] }
    lastReceived = symbols.map { _ in nil }
    columns = symbols.map { _ in [] }
    core = try PortfolioCore(assets: symbols.count, configuration: portfolio)
    run = PortfolioRun(assets: symbols.count)
    do { try recover() } catch {
      journal.events.append("broken_book", .error, details: ["reason": "\(error)"])
      throw error
    }
    resumedAt = processed
    journal.events.append(processed == 0 ? "session_started" : "session_resumed", barTime: times.last,
                          details: ["session": journal.sessionID, "symbols": symbols.joined(separator: ","), "bars": String(processed),
                                    "orders": String(core.orders.count)])
  }

  public static func reopen(folder: String, logging: Bool = false) throws -> PortfolioPaperSession {
    let store = try SessionStore(folder: folder)
    guard let symbols = try store.meta("symbols"), let name = try store.meta("strategy"), let kind = StrategyKind(rawValue: name),
          let parameters = try store.meta("parameters"), let configuration = try store.meta("configuration"),
          let fraction = try store.meta("position_fraction"), let gross = try store.meta("max_gross").flatMap(Double.init) else {
      throw LiveError.state(folder: folder, reason: "its settings are incomplete")
    }
    let c = try JSONDecoder().decode(BacktestConfiguration.self, from: Data(configuration.utf8))
    return try PortfolioPaperSession(folder: folder, symbols: symbols.split(separator: ",").map(String.init), runner: StrategyRunner(kind: kind, configuration: c),
                                     parameters: try JSONDecoder().decode([String: Double].self, from: Data(parameters.utf8)), configuration: c,
                                     positionFraction: Double(fraction), maxGrossExposure: gross, logging: logging)
  }

  /// The time up to which every symbol has delivered (what `--until` waits for).
  public var lastBarStart: Int64? { lastReceived.contains(nil) ? nil : lastReceived.compactMap { $0 }.min() }
  public var lastBarStarts: [String: Int64] {
    var starts: [String: Int64] = [:]
    for (s, t) in zip(symbols, lastReceived) where t != nil { starts[s] = t }
    return starts
  }

  /// One step's results: orders (with their position in the order sequence), intents.
  struct Stepped {
    var orders: [(id: String, symbol: String, ordinal: Int, record: OrderRecord)] = []
    var intents: [(id: String, symbol: String, target: Int8)] = []
    /// What the alert rules see after each time stepped.
    var observed: [BarObservation] = []
  }

  /// Takes bar `start` of symbol `a` into its queue and steps every time now complete.
  func receive(_ a: Int, start: Int64, bar: OHLCVBar) -> Stepped {
    queues[a].append((start, bar))
    lastReceived[a] = start
    processed += 1
    var stepped = Stepped()
    while queues.allSatisfy({ !$0.isEmpty }) { step(into: &stepped) }
    return stepped
  }

  /// The end of the feed: every waiting time stepped with what it has.
  func drain() -> Stepped {
    var stepped = Stepped()
    while queues.contains(where: { !$0.isEmpty }) { step(into: &stepped) }
    return stepped
  }

  /// Steps the earliest waiting time.
  func step(into stepped: inout Stepped) {
    let t = queues.compactMap { $0.first?.start }.min()!
    let missing = OHLCVBar(open: .nan, high: .nan, low: .nan, close: .nan, volume: .nan)
    var bars: [OHLCVBar] = [], targets: [Int8] = [], decisions: [DecisionInputs] = []
    for a in symbols.indices {
      let bar = queues[a].first?.start == t ? queues[a].removeFirst().bar : missing
      bars.append(bar)
      decisions.append(inputs[a].update(bar))
      targets.append(streams[a].update(bar, time: t, probability: .nan))
      columns[a].append(bar)
    }
    let before = core.orders.count, k = times.count
    let pendingBefore = core.books.map { $0.hasPending ? $0.pending : nil as Int8? }
    times.append(t)
    run.step(&core, bar: k, bars.map(\.prices), targets: targets, inputs: decisions)
    for (j, o) in core.orders[before...].enumerated() {
      stepped.orders.append((orderID(o, index: before + j), symbols[o.asset], before + j, o.record))
    }
    for a in symbols.indices where bars[a].close.isFinite { lastClose[a] = bars[a].close }
    let equity = run.equity.last ?? configuration.base.initialCapital
    let gross = symbols.indices.reduce(0.0) { $0 + (core.books[$1].units == 0 ? 0 : Swift.abs(core.books[$1].units * lastClose[$1])) } / equity
    stepped.observed.append(.init(time: t, day: journal.day(of: t), equity: equity, cash: core.cash, peak: core.halt.peak,
                                  limit: configuration.base.risk.maxDrawdown, halted: core.halt.halted, grossExposure: gross,
                                  symbols: symbols, units: core.books.map(\.units), closes: lastClose,
                                  orders: core.orders[before...].map { (symbols[$0.asset], $0.record) }))
    for a in symbols.indices where core.books[a].hasPending {
      let filled = core.orders[before...].contains { $0.asset == a }
      if filled || pendingBefore[a] != core.books[a].pending {
        stepped.intents.append(("\(journal.sessionID)-\(symbols[a])-\(t)-intent", symbols[a], core.books[a].pending))
      }
    }
  }

  func orderID(_ o: PortfolioOrder, index: Int) -> String { "\(journal.sessionID)-\(symbols[o.asset])-\(times[o.record.bar])-\(index)" }

  var book: (units: Double, cash: Double, equity: Double) {
    (core.books.reduce(0) { $0 + abs($1.units) }, core.cash, run.equity.last ?? configuration.base.initialCapital)
  }

  /// Replays the stored bars and ends of feed; checks the stored orders, intents and book.
  func recover() throws {
    let snapshot = try journal.store.snapshot()
    let stored = snapshot.bars, orders = snapshot.orders, intents = snapshot.intents
    var rebuiltIntents: [(id: String, seq: Int, target: Int)] = []
    for (seq, bar) in stored.enumerated() {
      let stepped: Stepped
      if bar.symbol == Self.endOfFeed { stepped = drain() } else {
        guard let a = symbols.firstIndex(of: bar.symbol) else { throw LiveError.brokenBook(folder: journal.folder, reason: "a stored bar of \(bar.symbol), not a symbol of this session") }
        stepped = receive(a, start: bar.start, bar: bar.bar)
      }
      rebuiltIntents += stepped.intents.map { ($0.id, seq, Int($0.target)) }
      for observed in stepped.observed { journal.observe(observed, replaying: true) }
    }
    let rebuilt = core.orders.enumerated().map { k, o in (id: orderID(o, index: k), record: [Double(o.record.side), o.record.units, o.record.price, o.record.fee]) }
    guard rebuilt.count == orders.count, zip(rebuilt, orders).allSatisfy({ $0.id == $1.id && $0.record == $1.record }) else {
      throw LiveError.brokenBook(folder: journal.folder, reason: "\(stored.count) bars replay to \(rebuilt.count) orders, \(orders.count) stored")
    }
    guard rebuiltIntents.count == intents.count, zip(rebuiltIntents, intents).allSatisfy({ $0 == $1 }) else {
      throw LiveError.brokenBook(folder: journal.folder, reason: "\(stored.count) bars replay to \(rebuiltIntents.count) order intents, \(intents.count) stored")
    }
    if let stored = snapshot.lastBook, stored != book {
      throw LiveError.brokenBook(folder: journal.folder, reason: "the fills rebuild gross units \(CSVWriter.format(book.units)), cash \(CSVWriter.format(book.cash)); "
                                 + "stored \(CSVWriter.format(stored.units)), cash \(CSVWriter.format(stored.cash))")
    }
  }

  func commit(symbol: String, start: Int64, bar: OHLCVBar, _ stepped: Stepped) throws {
    try journal.store.commit(.init(seq: processed - 1, symbol: symbol, start: start, bar: bar,
                                   orders: stepped.orders.map { ($0.id, $0.ordinal, $0.record) },
                                   intents: stepped.intents.map { ($0.id, Int($0.target)) }, book: book))
    journal.logCommitted(intents: stepped.intents, orders: stepped.orders.map { ($0.id, $0.symbol, $0.record) }, barTime: start)
    for observed in stepped.observed { journal.observe(observed) }
  }

  @discardableResult
  public func take(_ event: FeedEvent) throws -> PaperOutcome {
    switch event {
    case let .bar(s, start, bar):
      guard let a = symbols.firstIndex(of: s) else { return .dropped(reason: "another symbol") }
      if let last = lastReceived[a], start <= last {
        if start < last { journal.events.append("bar_dropped", .warning, symbol: s, barTime: start, details: ["reason": "bar out of order"]) }
        return .dropped(reason: start == last ? "duplicate bar" : "bar out of order")
      }
      if let t = times.last, start <= t {
        journal.events.append("bar_dropped", .warning, symbol: s, barTime: start, details: ["reason": "late: its time was already traded"])
        return .dropped(reason: "late bar")
      }
      let wasHalted = core.halt.halted
      let stepped = receive(a, start: start, bar: bar)
      try commit(symbol: s, start: start, bar: bar, stepped)
      if core.halt.halted != wasHalted { journal.noteHalt(core.halt.halted, equity: book.equity, peak: core.halt.peak, symbol: nil, barTime: times.last) }
      if journal.feedState == .stale { try journal.noteFeed(.live, detail: "a bar arrived", symbol: s, barTime: start) }
      return .processed(orders: stepped.orders.count)
    case let .state(state, detail):
      if state == .ended && queues.contains(where: { !$0.isEmpty }) {
        let stepped = drain()
        processed += 1
        try commit(symbol: Self.endOfFeed, start: Int64(processed), bar: OHLCVBar(open: .nan, high: .nan, low: .nan, close: .nan, volume: .nan), stepped)
      }
      try journal.noteFeed(state, detail: detail, symbol: nil, barTime: times.last)
      return .noted
    case let .correction(s, start, _):
      // The portfolio session records corrections without applying them (a single-symbol
      // session rebuilds its indicators from them).
      journal.events.append("correction_ignored", .warning, symbol: s, barTime: start, details: ["reason": "the portfolio session does not apply corrections"])
      return .noted
    case let .gap(s, from, to):
      journal.noteGap(symbol: s, from: from, to: to)
      return .noted
    case .heartbeat:
      return .dropped(reason: "no bar")
    }
  }

  public var status: PaperStatus {
    get throws {
      let initial = configuration.base.initialCapital
      let equity = run.equity.last ?? initial
      let peak = Swift.max(initial, run.equity.max() ?? 0)
      return PaperStatus(symbols: symbols, bars: processed, lastBars: lastReceived, positions: core.books.map(\.units),
                         openOrders: core.books.map { $0.hasPending ? $0.pending : nil }, cash: core.cash, equity: equity, pnl: equity - initial,
                         pnlToday: PaperStatus.pnlToday(equity: run.equity, times: times, initial: initial, calendar: configuration.base.calendar ?? .always),
                         drawdown: equity / peak - 1, haltAt: configuration.base.risk.maxDrawdown.map { -$0 }, halted: core.halt.halted,
                         orders: core.orders.count, trades: core.trades.count, feed: journal.lastFeedState)
    }
  }

  public func monitor() throws -> MonitorSnapshot {
    let now = run.equity.last ?? configuration.base.initialCapital
    let positions = symbols.indices.map { a -> MonitorSnapshot.Position in
      let book = core.books[a], units = book.units
      return .init(symbol: symbols[a], units: units, lastClose: lastClose[a], entryPrice: units == 0 ? nil : book.entryPrice,
                   unrealized: units == 0 ? nil : units * (lastClose[a] - book.entryPrice))
    }
    let largest = positions.map { $0.units == 0 ? 0 : Swift.abs($0.units * $0.lastClose) / now }.max() ?? 0
    return MonitorSnapshot(
      status: try status, times: times, equity: run.equity, grossExposure: run.grossExposure, backtestEquity: nil,
      initialCapital: configuration.base.initialCapital, positions: positions,
      orders: core.orders.map { .init(time: times[Swift.min($0.record.bar, times.count - 1)], symbol: symbols[$0.asset], record: $0.record) },
      limits: [.init(name: "per-trade risk", limit: configuration.base.risk.maxRiskPerTrade, used: 0),
               .init(name: "position cap (largest)", limit: configuration.positionFraction, used: largest),
               .init(name: "gross exposure", limit: configuration.maxGrossExposure, used: run.grossExposure.last ?? 0)],
      model: nil)
  }

  /// `kairos portfolio`'s files of what the session traded (byte for byte, for a replay).
  public func files() throws -> [(String, [UInt8])] {
    var finished = run
    finished.finish(core)
    return try BacktestFiles.files(markets: try markets(), run: finished)
  }

  public func markets() throws -> [MarketSeries] {
    let index = try TimeIndex(times)
    return try symbols.indices.map { a -> MarketSeries in
      var frame = Frame(index: index)
      for (name, values) in [("open", columns[a].map(\.open)), ("high", columns[a].map(\.high)), ("low", columns[a].map(\.low)),
                             ("close", columns[a].map(\.close)), ("volume", columns[a].map(\.volume))] {
        try frame.setColumn(name, Column(values))
      }
      return try MarketSeries(name: symbols[a], frame: frame)
    }
  }
}
