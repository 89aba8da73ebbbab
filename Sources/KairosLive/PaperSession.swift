import Foundation
import KairosBacktest
import KairosCore
import KairosFrame
import KairosIO
import KairosFeatures
import KairosModels
import KairosResearch

/// A paper-trading session on one symbol: the strategy's streaming form and the engine core,
/// driven one completed bar at a time (docs/DESIGN.md §10). A paper fill is the fill the
/// backtest makes on that bar — the same core, the same states, in the same order — so a file
/// replayed through a session gives the backtest's orders, trades and equity bit for bit.
///
/// Durability: every bar is committed with the orders it produced before the next is taken
/// (`SessionStore`); a restarted session replays its stored bars through a fresh core and
/// checks that they give the stored orders (ids from session, symbol, bar start and sequence:
/// re-processing a bar cannot create a second order) before it takes a new bar.
public final class PaperSession: PaperTrading {
  public let symbol: String
  public let runner: StrategyRunner
  public let parameters: [String: Double]
  let configuration: BacktestConfiguration
  /// The state folder: database, events, feed state.
  public let journal: SessionJournal
  var store: SessionStore { journal.store }
  var folder: String { journal.folder }
  var sessionID: String { journal.sessionID }
  /// `events.jsonl` of the state folder.
  public var events: EventLog { journal.events }
  var strategy: StreamingStrategy
  var inputs = DecisionInputsState()
  var core: EngineCore<FullRecording>
  /// The `model` strategy's probability, bar by bar from the bars alone (features streamed,
  /// scored): what the backtest reads from `LinearModel.probabilities(on:spec:)`, to the bit.
  var scorer: ModelScorer?
  /// Model risk live (`--model-risk`): the monitor retrains on the past every N bars and the
  /// target is the model's, the fallback's or flat by its state; `nil` for the other strategies.
  var risk: LiveModelRisk?
  let riskPlan: ModelRiskPlan?
  /// Model versions fitted so far, and those of the bar being processed.
  var modelVersions: [String] = []
  var fittedThisBar: [(version: Int, json: String)] = []
  var riskEventsThisBar: [ModelRiskMonitor.Event] = []
  /// The scorer before any bar (to rebuild the streams after a correction).
  var freshScorer: ModelScorer?
  /// Where each of the scorer's inputs is in (open, high, low, close, volume), and its row.
  var scorerFields: [Int] = []
  var scorerRow: [Double] = []
  /// Bars processed so far, their starts (for exports), and the last start (duplicates and
  /// out-of-order bars are dropped by it).
  public private(set) var processed = 0
  /// The bars the folder held when the session opened.
  public private(set) var resumedAt = 0
  public private(set) var starts: [Int64] = []
  var bars: [OHLCVBar] = []

  /// Opens the session in `folder`, replaying what it holds.
  ///
  /// - Parameters: `configuration` with its periods per year resolved (a live session cannot
  ///   infer them from bars it has not seen).
  /// - Throws: `LiveError.state` when the folder belongs to another session's settings,
  ///   `LiveError.brokenBook` when its bars no longer replay to its orders, `BacktestError`.
  ///   `logging`: write `events.jsonl` (not for a look at the state: `status`, `export`).
  ///   `model`: for the `model` strategy, a logistic model and the YAML of the feature spec it
  ///   was trained on (both kept in the state folder).
  public init(folder: String, symbol: String, runner: StrategyRunner, parameters: [String: Double], configuration: BacktestConfiguration,
              model: (model: LinearModel, specYAML: String)? = nil, modelRisk: ModelRiskPlan? = nil, logging: Bool = true) throws {
    riskPlan = modelRisk
    if let modelRisk {
      guard runner.kind == .model, model == nil else {
        throw BacktestError.invalidParameter(name: "model_risk", reason: "model risk runs the model strategy from a feature spec (no fixed model)")
      }
      risk = try modelRisk.live(configuration: configuration)
    } else if runner.kind == .model {
      guard let model else { throw BacktestError.missingProbabilities }
      let columns = ["open", "high", "low", "close", "volume"]
      let scorer = try ModelScorer(model: model.model, spec: try FeatureSpec.parse(yaml: model.specYAML, name: "spec"), columns: columns)
      scorerFields = scorer.inputs.map { columns.firstIndex(of: $0)! }  // the scorer reads only these columns
      scorerRow = [Double](repeating: .nan, count: scorerFields.count)
      self.scorer = scorer
      freshScorer = scorer
    }
    guard configuration.periodsPerYear != nil else { throw BacktestError.invalidParameter(name: "periods_per_year", reason: "a live session needs it given (or resolved from the replayed file)") }
    self.symbol = symbol
    self.runner = runner
    self.configuration = configuration
    let p = try runner.resolve(parameters)
    self.parameters = p
    let settings = Self.describe(kind: runner.kind, parameters: p, configuration: configuration, symbol: symbol) + (modelRisk.map { " " + $0.summary } ?? "")
    journal = try SessionJournal(folder: folder, settings: settings, meta: {
      // What `reopen(folder:)` needs to rebuild this session from the folder alone.
      var meta = ["symbol": symbol, "strategy": runner.kind.rawValue,
                  "parameters": String(decoding: try JSONEncoder().encode(p), as: UTF8.self),
                  "configuration": String(decoding: try JSONEncoder().encode(configuration), as: UTF8.self)]
      if let model {
        meta["model"] = String(decoding: try model.model.jsonData(), as: UTF8.self)
        meta["spec"] = model.specYAML
      }
      if let modelRisk { meta["model_risk"] = String(decoding: try JSONEncoder().encode(modelRisk), as: UTF8.self) }
      return meta
    }, logging: logging)
    journal.startLedger(initialCapital: configuration.initialCapital, calendar: configuration.calendar, symbols: [symbol])
    strategy = try runner.stream(p)
    core = EngineCore(configuration: try configuration.applying(p),
                      accumulator: PerformanceAccumulator(initialEquity: configuration.initialCapital, periodsPerYear: configuration.periodsPerYear ?? 252),
                      recorder: FullRecording())
    do { try recover() } catch {
      events.append("broken_book", .error, symbol: symbol, details: ["reason": "\(error)"])
      throw error
    }
    resumedAt = processed
    events.append(processed == 0 ? "session_started" : "session_resumed", symbol: symbol, barTime: starts.last,
                  details: ["session": sessionID, "bars": String(processed), "orders": String(core.recorder.orders.count)])
  }

  /// The session a state folder holds, from its settings alone (`PaperSessions.reopen` checks
  /// the folder first).
  public static func reopen(folder: String, logging: Bool = false) throws -> PaperSession {
    let store = try SessionStore(folder: folder)
    guard let symbol = try store.meta("symbol"), let name = try store.meta("strategy"), let kind = StrategyKind(rawValue: name),
          let parameters = try store.meta("parameters"), let configuration = try store.meta("configuration") else {
      throw LiveError.state(folder: folder, reason: "its settings are incomplete")
    }
    let c = try JSONDecoder().decode(BacktestConfiguration.self, from: Data(configuration.utf8))
    var model: (LinearModel, String)? = nil
    if let json = try store.meta("model"), let spec = try store.meta("spec") { model = (try LinearModel.decode(Data(json.utf8), name: "model"), spec) }
    let risk = try store.meta("model_risk").map { try JSONDecoder().decode(ModelRiskPlan.self, from: Data($0.utf8)) }
    return try PaperSession(folder: folder, symbol: symbol, runner: StrategyRunner(kind: kind, configuration: c),
                            parameters: try JSONDecoder().decode([String: Double].self, from: Data(parameters.utf8)), configuration: c,
                            model: model, modelRisk: risk, logging: logging)
  }

  /// The settings a state folder is bound to, as one line.
  static func describe(kind: StrategyKind, parameters: [String: Double], configuration: BacktestConfiguration, symbol: String) -> String {
    let p = parameters.keys.sorted().map { "\($0)=\(CSVWriter.format(parameters[$0]!))" }.joined(separator: " ")
    let c = configuration.manifestSettings.keys.sorted().map { "\($0)=\(configuration.manifestSettings[$0]!)" }.joined(separator: " ")
    return "\(symbol) \(kind.rawValue) \(p) \(c)"
  }

  /// Replays the stored bars (and the corrections taken between them) through a fresh core and
  /// checks that they give the stored orders and intents, and the stored book after the last bar.
  func recover() throws {
    let snapshot = try store.snapshot()
    let stored = snapshot.bars, orders = snapshot.orders, intents = snapshot.intents
    var corrections = snapshot.corrections[...]
    var rebuiltIntents: [(id: String, seq: Int, target: Int)] = []
    for bar in stored where bar.symbol == symbol {
      let seq = processed
      let stepped = try step(bar.bar, start: bar.start)
      if let intent = stepped.intent { rebuiltIntents.append((intentID(start: bar.start), seq, Int(intent))) }
      journal.observe(alertBar(bar.bar, start: bar.start, orders: stepped.orders), replaying: true)
      while let c = corrections.first, c.seq <= seq {
        corrections.removeFirst()
        if c.bar.symbol == symbol { try applyCorrection(c.bar) }
      }
    }
    let rebuilt = core.recorder.orders.enumerated().map { k, o in (id: orderID(o, index: k), record: [Double(o.side), o.units, o.price, o.fee]) }
    guard rebuilt.count == orders.count, zip(rebuilt, orders).allSatisfy({ $0.id == $1.id && $0.record == $1.record }) else {
      throw LiveError.brokenBook(folder: folder, reason: "\(stored.count) bars replay to \(rebuilt.count) orders, \(orders.count) stored")
    }
    guard rebuiltIntents.count == intents.count, zip(rebuiltIntents, intents).allSatisfy({ $0 == $1 }) else {
      throw LiveError.brokenBook(folder: folder, reason: "\(stored.count) bars replay to \(rebuiltIntents.count) order intents, \(intents.count) stored")
    }
    let storedModels = snapshot.models.map(\.json)
    guard storedModels == modelVersions else {
      throw LiveError.brokenBook(folder: folder, reason: "\(stored.count) bars refit \(modelVersions.count) model versions, \(storedModels.count) stored (or different)")
    }
    if let book = snapshot.lastBook {
      let now = self.book
      guard book.units == now.units && book.cash == now.cash && book.equity == now.equity else {
        throw LiveError.brokenBook(folder: folder, reason: "the fills rebuild units \(CSVWriter.format(now.units)), cash \(CSVWriter.format(now.cash)), equity \(CSVWriter.format(now.equity)); "
                                   + "stored units \(CSVWriter.format(book.units)), cash \(CSVWriter.format(book.cash)), equity \(CSVWriter.format(book.equity))")
      }
    }
  }

  /// What the alert rules see after a bar: the halt's drawdown, the gross exposure (the
  /// position's value at the close over equity), the bar's orders and model events.
  func alertBar(_ bar: OHLCVBar, start: Int64, orders: ArraySlice<OrderRecord>) -> BarObservation {
    let equity = book.equity
    let gross = core.book.units == 0 || !bar.close.isFinite ? 0 : Swift.abs(core.book.units * bar.close) / equity
    return BarObservation(time: start, day: journal.day(of: start), equity: equity, cash: core.cash, peak: core.halt.peak,
                          limit: core.configuration.risk.maxDrawdown, halted: core.halt.halted, grossExposure: gross,
                          symbols: [symbol], units: [core.book.units], closes: [core.book.lastClose], orders: orders.map { (symbol, $0) },
                          modelEvents: riskEventsThisBar.map { (symbol, $0, modelVersions.count) })
  }

  func orderID(_ o: OrderRecord, index: Int) -> String {
    "\(sessionID)-\(symbol)-\(starts[o.bar])-\(index)"
  }

  /// An intent is decided at most once per bar: its id is the bar's.
  func intentID(start: Int64) -> String { "\(sessionID)-\(symbol)-\(start)-intent" }

  /// Units, cash and equity after the last processed bar.
  var book: (units: Double, cash: Double, equity: Double) {
    (core.book.units, core.cash, core.recorder.equity.last ?? configuration.initialCapital)
  }

  /// The strategy's streams (decision inputs, model score, rule) on one more bar: the target
  /// and the indicators known at its close. The only place these streams are advanced.
  func advanceStreams(_ bar: OHLCVBar, start: Int64, rebuilding: Bool = false) throws -> (target: Int8, inputs: DecisionInputs) {
    let decision = inputs.update(bar)
    if risk != nil {
      if rebuilding { return (0, decision) }  // the monitor keeps the bars it was given (see applyCorrection)
      let step = try risk!.update(bar, time: start)
      riskEventsThisBar = step.events
      if let fitted = step.retrained {
        let json = String(decoding: try fitted.jsonData(), as: UTF8.self)
        modelVersions.append(json)
        fittedThisBar.append((modelVersions.count, json))
      }
      return (step.target, decision)
    }
    var probability = Double.nan
    if scorer != nil {
      let fields = [bar.open, bar.high, bar.low, bar.close, bar.volume]
      for (j, k) in scorerFields.enumerated() { scorerRow[j] = fields[k] }
      probability = scorerRow.withUnsafeBufferPointer { scorer!.update($0) }
    }
    return (strategy.update(bar, time: start, probability: probability), decision)
  }

  /// Feeds one bar to the strategy and the core; returns the orders it produced and the
  /// intent (target) it decided, if any.
  func step(_ bar: OHLCVBar, start: Int64) throws -> (orders: ArraySlice<OrderRecord>, intent: Int8?) {
    let before = core.recorder.orders.count
    let t = processed
    fittedThisBar = []; riskEventsThisBar = []
    let (target, decision) = try advanceStreams(bar, start: start)
    core.atOpen(bar: t, bar.prices)
    let pendingBefore: Int8? = core.book.hasPending ? core.book.pending : nil
    core.atClose(bar: t, bar.prices, target: target) { decision }
    processed += 1
    starts.append(start)
    bars.append(bar)
    let filled = core.recorder.orders.count > before
    let intent: Int8? = core.book.hasPending && (filled || pendingBefore != core.book.pending) ? core.book.pending : nil
    return (core.recorder.orders[before...], intent)
  }

  /// Checks that a replayed file still begins with the bars this session took (a resumed
  /// replay of another file would mix two histories in one book).
  ///
  /// - Throws: `LiveError.state` naming the first bar that differs.
  public func checkReplaySource(_ frame: Frame) throws {
    let columns = ["open", "high", "low", "close", "volume"].map { frame[$0].map(Array.init) ?? [] }
    for k in 0..<processed {
      guard k < frame.rowCount, frame.index[k] == starts[k] else {
        throw LiveError.state(folder: folder, reason: "the file no longer holds the bars this session took: its bar \(k + 1) "
                              + (k < frame.rowCount ? "is at \(UTCCalendar.iso8601(frame.index[k])), the session took \(UTCCalendar.iso8601(starts[k]))" : "is missing"))
      }
      let b = bars[k], stored = [b.open, b.high, b.low, b.close, b.volume]
      for (j, x) in stored.enumerated() where !Self.same(x, columns[j].isEmpty ? .nan : columns[j][k]) {
        throw LiveError.state(folder: folder, reason: "the file no longer holds the bars this session took: at \(UTCCalendar.iso8601(starts[k])) "
                              + "its \(["open", "high", "low", "close", "volume"][j]) is \(CSVWriter.format(columns[j][k])), the session took \(CSVWriter.format(x))")
      }
    }
  }

  /// A correction with new values of a bar already traded on: the decisions stand; the
  /// strategy's streams are rebuilt from the bars with the corrected one, so the indicators
  /// (and the model's features) use it from now on.
  ///
  /// With model risk, the monitor keeps the bars it was given: its refits stand as stored
  /// model versions (the rules' streams and the fallback are rebuilt).
  func applyCorrection(_ corrected: SessionStore.StoredBar) throws {
    guard let k = starts.lastIndex(of: corrected.start) else { return }
    corrections[k] = corrected.bar
    strategy = try! runner.stream(parameters)  // resolved at init: cannot fail now
    inputs = DecisionInputsState()
    scorer = freshScorer
    for (j, (bar, start)) in zip(bars, starts).enumerated() { _ = try advanceStreams(corrections[j] ?? bar, start: start, rebuilding: true) }
  }

  /// The corrected values of bars already traded on, by bar number (the streams use them; the
  /// exports keep the bars the decisions were made on).
  var corrections: [Int: OHLCVBar] = [:]

  /// Takes one feed event: a new bar is processed and committed with its orders, its intent
  /// and the book before this returns; a duplicate or late bar is dropped; a correction of a
  /// processed bar never rewrites what was traded (logged; new values are used from now on).
  @discardableResult
  public func take(_ event: FeedEvent) throws -> PaperOutcome {
    switch event {
    case let .bar(s, start, bar) where s == symbol:
      if let last = starts.last, start <= last {
        let reason = start == last ? "duplicate bar" : "bar out of order"
        if start != last { events.append("bar_dropped", .warning, symbol: symbol, barTime: start, details: ["reason": reason]) }
        return .dropped(reason: reason)
      }
      let seq = processed, wasHalted = core.halt.halted
      let (orders, intent) = try step(bar, start: start)
      let base = core.recorder.orders.count - orders.count
      try store.commit(.init(seq: seq, symbol: symbol, start: start, bar: bar,
                             orders: orders.enumerated().map { k, o in (orderID(o, index: base + k), base + k, o) },
                             intents: intent.map { [(intentID(start: start), Int($0))] } ?? [], book: book, models: fittedThisBar))
      for e in riskEventsThisBar {
        var details = ["detail": e.detail]
        if e.kind == "retrain" { details["version"] = String(modelVersions.count) }
        events.append("model_" + e.kind, e.kind == "degraded" ? .warning : .info, symbol: symbol, barTime: start, details: details)
      }
      journal.logCommitted(intents: intent.map { [(intentID(start: start), symbol, $0)] } ?? [],
                           orders: orders.enumerated().map { k, o in (orderID(o, index: base + k), symbol, o) }, barTime: start)
      if core.halt.halted != wasHalted { journal.noteHalt(core.halt.halted, equity: book.equity, peak: core.halt.peak, symbol: symbol, barTime: start) }
      journal.observe(alertBar(bar, start: start, orders: orders))
      if journal.feedState == .stale { try journal.noteFeed(.live, detail: "a bar arrived", symbol: symbol, barTime: start) }
      return .processed(orders: orders.count)
    case .bar:
      return .dropped(reason: "another symbol")
    case let .correction(s, start, bar) where s == symbol:
      guard let k = starts.lastIndex(of: start) else {
        events.append("correction_dropped", .warning, symbol: s, barTime: start, details: ["reason": "a correction of a bar never received"])
        return .dropped(reason: "a correction of a bar never received")
      }
      let old = corrections[k] ?? bars[k]
      guard ![old.open, old.high, old.low, old.close, old.volume].elementsEqual([bar.open, bar.high, bar.low, bar.close, bar.volume], by: Self.same) else {
        events.append("correction_unchanged", symbol: s, barTime: start)
        return .noted
      }
      try store.commitCorrection(seq: processed - 1, symbol: s, start: start, bar: bar)
      try applyCorrection(.init(symbol: s, start: start, bar: bar))
      events.append("correction", .warning, symbol: s, barTime: start,
                    details: ["close_was": CSVWriter.format(old.close), "close": CSVWriter.format(bar.close),
                              "note": "decisions already made stand; indicators use the corrected bar from now on"])
      return .noted
    case .correction:
      return .dropped(reason: "another symbol")
    case let .state(state, detail):
      try journal.noteFeed(state, detail: detail, symbol: symbol, barTime: starts.last)
      return .noted
    case let .gap(s, from, to):
      journal.noteGap(symbol: s, from: from, to: to)
      return .noted
    case .heartbeat:
      return .dropped(reason: "no bar")
    }
  }

  /// Equal, NaN included (a missing field corrected to missing is no change).
  static func same(_ a: Double, _ b: Double) -> Bool { a == b || (a.isNaN && b.isNaN) }

  public var lastBarStart: Int64? { starts.last }
  public var lastBarStarts: [String: Int64] { starts.last.map { [symbol: $0] } ?? [:] }

  public var status: PaperStatus {
    get throws {
      let equity = core.recorder.equity.last ?? configuration.initialCapital
      let peak = Swift.max(configuration.initialCapital, core.recorder.equity.max() ?? 0)
      var status = PaperStatus(symbols: [symbol], bars: processed, lastBars: [starts.last], positions: [core.book.units],
                         openOrders: [core.book.hasPending ? core.book.pending : nil], cash: core.cash, equity: equity,
                         pnl: equity - configuration.initialCapital,
                         pnlToday: PaperStatus.pnlToday(equity: core.recorder.equity, times: starts, initial: configuration.initialCapital,
                                                        calendar: configuration.calendar ?? .always),
                         drawdown: equity / peak - 1, haltAt: core.configuration.risk.maxDrawdown.map { -$0 }, halted: core.halt.halted,
                         orders: core.recorder.orders.count, trades: core.recorder.trades.count, feed: journal.lastFeedState)
      if let risk {
        let state = ["warm-up", "active", "DEGRADED (fallback trading)"][risk.state.rawValue]
        status.model = modelVersions.isEmpty ? "warm-up, no model fitted yet" : "version \(modelVersions.count), \(state)"
      }
      return status
    }
  }

  /// The backtest files (docs/DESIGN.md §8) of what the session has traded: `equity.csv`,
  /// `trades.csv`, `orders.csv`, `metrics.json` — the backtest's, byte for byte, for a replay.
  public func files() throws -> [(String, [UInt8])] {
    var finished = core
    let summary = finished.finish()
    return try BacktestFiles.files(market: try market(), recording: core.recorder, summary: summary)
  }

  public func markets() throws -> [MarketSeries] { [try market()] }

  /// The bars traded on, as the backtest reads them.
  func market() throws -> MarketSeries {
    var frame = Frame(index: try TimeIndex(starts))
    for (name, values) in [("open", bars.map(\.open)), ("high", bars.map(\.high)), ("low", bars.map(\.low)),
                           ("close", bars.map(\.close)), ("volume", bars.map(\.volume))] {
      try frame.setColumn(name, Column(values))
    }
    return try MarketSeries(name: symbol, frame: frame)
  }

  public func monitor() throws -> MonitorSnapshot {
    let r = core.recorder, equity = r.equity
    var lastClose = Double.nan
    let gross = zip(r.positions, bars).enumerated().map { t, pair -> Double in
      if pair.1.close.isFinite { lastClose = pair.1.close }
      return pair.0 == 0 ? 0 : Swift.abs(pair.0 * lastClose) / equity[t]
    }
    // The batch backtest of the same bars: a rule strategy only (a model's probabilities come
    // from the session's own feature stream), once the bars cover its windows.
    let overlay: (@Sendable () -> [Double]?)?
    if scorer == nil && risk == nil && !bars.isEmpty, let market = try? market() {
      let (kind, parameters, configuration) = (runner.kind, parameters, configuration)
      overlay = { try? backtest(kind, parameters: parameters, on: market, configuration: configuration).recording.equity }
    } else { overlay = nil }
    let now = equity.last ?? configuration.initialCapital, units = core.book.units
    let value = units == 0 ? 0 : Swift.abs(units * lastClose) / now
    let atRisk = units != 0 && core.book.stopLevel.isFinite ? Swift.abs(units * (core.book.entryPrice - core.book.stopLevel)) / now : 0
    return MonitorSnapshot(
      status: try status, times: starts, equity: equity, grossExposure: gross, backtestEquity: nil, backtest: overlay, initialCapital: configuration.initialCapital,
      positions: [.init(symbol: symbol, units: units, lastClose: lastClose, entryPrice: units == 0 ? nil : core.book.entryPrice,
                        unrealized: units == 0 ? nil : units * (lastClose - core.book.entryPrice))],
      orders: r.orders.map { .init(time: starts[Swift.min($0.bar, starts.count - 1)], symbol: symbol, record: $0) },
      limits: [.init(name: "per-trade risk", limit: configuration.risk.maxRiskPerTrade, used: atRisk),
               .init(name: "position cap", limit: configuration.limits.maxPositionFraction, used: value),
               .init(name: "gross exposure (leverage)", limit: configuration.limits.maxLeverage, used: value)],
      model: risk.map { MonitorSnapshot.modelHealth($0, versions: modelVersions.count) })
  }
}
