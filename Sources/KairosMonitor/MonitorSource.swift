import Foundation
import KairosLive

/// Where the dashboard reads a session from: the running session itself (`kairos paper
/// --dashboard`: read between two bars under the loop's lock), or a state folder another
/// process writes (`kairos dashboard --state`: the session reopened from the folder when it grew,
/// read-only). A `version` that changes when there is something new drives the live updates.
public final class MonitorSource: @unchecked Sendable {
  public let folder: String
  let session: (any PaperTrading)?
  /// Held by `PaperLoop` while it takes an event.
  public let lock = NSLock()
  let state = NSLock()
  var processed = 0
  var tail: EventTail
  var cached: (version: Int, snapshot: MonitorSnapshot?, at: Date)?
  /// Documents rendered from the cached snapshot (by route), so a burst of requests renders
  /// each once per snapshot.
  var rendered: [String: String] = [:]
  var reopenedAt = Date.distantPast, reopened: (any PaperTrading)?, reopenedBars = -1
  let building = NSLock()

  /// A running session in this process.
  public init(session: any PaperTrading) {
    self.session = session
    folder = session.journal.folder
    tail = EventTail(folder: folder)
    processed = session.processed
  }

  /// A state folder, read-only.
  public init(folder: String) {
    session = nil
    self.folder = folder
    tail = EventTail(folder: folder)
  }

  /// Called by the loop after each event.
  public func bump() { state.withLock { processed += 1 } }

  /// Bars (events) seen so far plus lines logged: changes when there is news.
  public var version: Int {
    state.withLock {
      tail.refresh()
      if session == nil { processed = storedBars() }
      return processed &* 1_000_003 &+ tail.lines
    }
  }

  var store: SessionStore?
  func storedBars() -> Int {
    if store == nil { store = try? SessionStore(folder: folder) }
    return (try? store?.barCount()) ?? 0
  }

  /// The alert history and feed counters, as of now.
  public var events: EventTail { state.withLock { tail.refresh(); return tail } }

  /// The document `route` renders from the current snapshot, rendered once per snapshot.
  public func render(_ route: String, _ make: (MonitorSnapshot?) throws -> String) throws -> String {
    let s = try snapshot()
    return try building.withLock {
      if let done = rendered[route] { return done }
      let text = try make(s)
      rendered[route] = text
      return text
    }
  }

  /// The session as of the last bar; rebuilt at most every `minimumAge` seconds (and, from a
  /// folder, reopened at most once a second).
  public func snapshot(minimumAge: Double = 0.5) throws -> MonitorSnapshot? {
    try building.withLock {
      let v = version
      if let cached, cached.version == v || Date().timeIntervalSince(cached.at) < minimumAge { return cached.snapshot }
      var snapshot: MonitorSnapshot?
      if let session {
        snapshot = try lock.withLock { try session.processed > 0 ? session.monitor() : nil }
      } else {
        let bars = storedBars()
        if bars > 0 && (reopened == nil || (bars != reopenedBars && Date().timeIntervalSince(reopenedAt) >= 1)) {
          reopened = try PaperSessions.reopen(folder: folder, logging: false)
          reopenedBars = bars; reopenedAt = Date()
        }
        snapshot = try reopened.map { try $0.monitor() }
      }
      if var s = snapshot, let overlay = s.backtest { s.backtestEquity = overlay(); s.backtest = nil; snapshot = s }
      cached = (v, snapshot, Date())
      rendered = [:]
      return snapshot
    }
  }
}
