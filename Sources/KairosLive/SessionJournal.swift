import Foundation
import KairosBacktest
import KairosCore
import KairosIO

/// What every paper session keeps in its state folder beside its book (docs/DESIGN.md §10):
/// `state.sqlite` bound to one session's settings, `events.jsonl`, and `feed_state` (the feed's
/// last reported state, a file beside the database so that a run failing before its first bar
/// can put it back without touching the database: `StateSnapshot`).
public final class SessionJournal {
  public let folder: String
  public let store: SessionStore
  public let events: EventLog
  /// Eight hex digits, the prefix of every order and intent id.
  public let sessionID: String
  public private(set) var feedState: FeedState?
  /// What raises alerts, and the queue to the push channels (nil: the log and the dashboard only).
  public var alertRules = AlertRules()
  public var outbox: AlertOutbox?
  var alertCount = 0
  /// The daily report rows (written when the session logs: not by a read-only reopen).
  public private(set) var ledger: DailyLedger?
  var calendar: TradingCalendar?

  /// Opens `folder` for a session of `settings` (one line); a new folder stores them with
  /// `meta` (what a reopen needs), a used one must hold the same settings.
  ///
  /// - Throws: `LiveError.state` when the folder belongs to a session of other settings.
  init(folder: String, settings: String, meta: () throws -> [String: String], logging: Bool) throws {
    self.folder = folder
    events = EventLog(folder: folder, enabled: logging)
    store = try SessionStore(folder: folder)
    let stored = try store.meta("settings")
    if let stored, stored != settings {
      throw LiveError.state(folder: folder, reason: "it holds a session of other settings (\(stored)); use a new --state folder")
    }
    // Every setting in one transaction (a `kill -9` between two of them used to leave a folder
    // that could never be reopened); one written by that older code gets the missing ones.
    var missing: [(String, String)] = stored == nil ? [("settings", settings)] : []
    if try store.meta("session_id") == nil { missing.append(("session_id", UUID().uuidString.lowercased().prefix(8).description)) }
    for (key, value) in try meta() where try store.meta(key) == nil { missing.append((key, value)) }
    if !missing.isEmpty { try store.setMeta(missing) }
    sessionID = try store.meta("session_id") ?? "session"
  }

  static func feedStatePath(_ folder: String) -> String { URL(fileURLWithPath: folder).appendingPathComponent("feed_state").path }

  /// Records a change of the feed's state (a repeated state is not news; a reconnect always is).
  func noteFeed(_ state: FeedState, detail: String, symbol: String?, barTime: Int64?) throws {
    guard state != feedState || state == .reconnecting else { return }
    feedState = state
    let wall = Int64(Date().timeIntervalSince1970) * UTCCalendar.nanosecondsPerSecond  // to the second, for people
    try AtomicFile.write(Array("\(state.rawValue)\t\(UTCCalendar.iso8601(wall))\t\(detail)\n".utf8), to: Self.feedStatePath(folder))
    let severity: EventLog.Severity = state == .stale || state == .reconnecting ? .warning : .info
    events.append("feed_\(state.rawValue)", severity, symbol: symbol, barTime: barTime, details: ["detail": detail])
    raise(alertRules.observeFeed(state, detail: detail, barTime: barTime))
    if state == .ended { ledger?.finish() }
  }

  /// Starts the daily ledger (the sessions call it before replaying their stored bars).
  func startLedger(initialCapital: Double, calendar: TradingCalendar?, symbols: [String]) {
    self.calendar = calendar
    ledger = DailyLedger(folder: folder, initialCapital: initialCapital, symbols: symbols, enabled: events.enabled)
  }

  /// The session day of bar `time`: a daily bar's own date, else the calendar's session date
  /// (the UTC date without a calendar).
  func day(of time: Int64) -> Int64 {
    time % UTCCalendar.nanosecondsPerDay == 0 || calendar == nil ? UTCCalendar.day(of: time) : calendar!.sessionDate(of: time)
  }

  /// Feeds one committed time to the alert rules; `replaying`: a restart rebuilding the rules'
  /// state from the stored bars (those alerts were raised by the run that took the bars).
  func observe(_ bar: BarObservation, replaying: Bool = false) {
    let alerts = alertRules.observe(bar)
    ledger?.observe(bar)
    if !replaying { raise(alerts) }
  }

  /// Logs each alert whose kind is not `off` (a line of kind `alert`: the dashboard's alert
  /// history) and queues those that are `on` for the push channels. Never waits.
  public func raise(_ alerts: [Alert]) {
    for var alert in alerts {
      let route = alertRules.settings.route(alert.kind)
      guard route != .off else { continue }
      alertCount += 1
      alert.id = "\(sessionID)-\(alert.kind.rawValue)-\(alert.barTime ?? alert.wallTime)-\(alertCount)"
      let severity: EventLog.Severity = alert.severity == .critical ? .error : alert.severity == .warning ? .warning : .info
      events.append("alert", severity, barTime: alert.barTime,
                    details: ["alert": alert.kind.rawValue, "key": alert.key, "message": alert.message, "id": alert.id, "route": route.rawValue])
      if route == .on { outbox?.post(alert) }
    }
  }

  /// The feed's last reported state, since when, and why; `nil` before any.
  var lastFeedState: (state: String, since: String, detail: String)? { Self.feedState(folder: folder) }

  /// The feed's last reported state in `folder` (a reader in another process: the dashboard).
  public static func feedState(folder: String) -> (state: String, since: String, detail: String)? {
    (try? String(contentsOfFile: feedStatePath(folder), encoding: .utf8)).map { text in
      let parts = text.trimmingCharacters(in: .newlines).split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
      return (parts[0], parts.count > 1 ? parts[1] : "", parts.count > 2 ? parts[2] : "")
    }
  }

  /// A stretch the venue has no bar for (no trade): nothing to trade, worth a line.
  func noteGap(symbol: String, from: Int64, to: Int64) {
    events.append("gap", symbol: symbol, barTime: from, details: ["until": UTCCalendar.iso8601(to), "note": "the venue has no bar in between"])
    raise([Alert(kind: .gapNotBackfilled, severity: .warning, key: symbol,
                 message: "\(symbol): no bar from \(UTCCalendar.iso8601(from)) to \(UTCCalendar.iso8601(to)), none from REST either", barTime: from)])
  }

  /// The drawdown halt switched on (or off) at this bar.
  func noteHalt(_ halted: Bool, equity: Double, peak: Double, symbol: String?, barTime: Int64?) {
    events.append(halted ? "halt" : "halt_lifted", halted ? .warning : .info, symbol: symbol, barTime: barTime,
                  details: ["equity": CSVWriter.format(equity), "drawdown": CSVWriter.format(equity / peak - 1)])
  }

  /// Logs what a committed bar decided and filled (after the commit: an event never describes
  /// an order the state does not hold).
  func logCommitted(intents: [(id: String, symbol: String, target: Int8)], orders: [(id: String, symbol: String, record: OrderRecord)], barTime: Int64) {
    for i in intents { events.append("intent", symbol: i.symbol, barTime: barTime, details: ["id": i.id, "target": String(i.target)]) }
    for (id, symbol, o) in orders {
      events.append(o.status == .filled ? "fill" : "order_refused", o.status == .filled ? .info : .warning, symbol: symbol, barTime: barTime,
                    details: ["id": id, "side": o.side > 0 ? "buy" : "sell", "units": CSVWriter.format(o.units),
                              "price": CSVWriter.format(o.price), "reason": o.reason.rawValue, "clipped_by": o.clip.rawValue])
    }
  }
}
