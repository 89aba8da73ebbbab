import Foundation
import KairosBacktest
import KairosCore

/// A paper session, on one symbol (`PaperSession`) or on several sharing one account
/// (`PortfolioPaperSession`): what the loop, `status` and `export` need of it.
public protocol PaperTrading: AnyObject {
  /// Takes one feed event; a bar is committed with what it decided before this returns.
  @discardableResult func take(_ event: FeedEvent) throws -> PaperOutcome
  /// The start of the last bar every symbol has delivered, for `--until`.
  var lastBarStart: Int64? { get }
  /// The last bar taken per symbol (what a feed resumes after).
  var lastBarStarts: [String: Int64] { get }
  /// Bars taken so far, and when this run opened the folder.
  var processed: Int { get }
  var resumedAt: Int { get }
  var status: PaperStatus { get throws }
  /// The bars traded on, per symbol, as the backtest reads them (one timeline).
  func markets() throws -> [MarketSeries]
  /// What the dashboard shows, taken between two bars.
  func monitor() throws -> MonitorSnapshot
  /// The state folder's store, log and alerting.
  var journal: SessionJournal { get }
  /// The backtest files (docs/DESIGN.md §8) of what the session traded.
  func files() throws -> [(String, [UInt8])]
}

/// What happened to an event.
public enum PaperOutcome: Sendable, Equatable {
  case processed(orders: Int)
  /// A bar at or before the last one taken for its symbol (a duplicate, or out of order).
  case dropped(reason: String)
  /// A correction, a feed state change: recorded, nothing traded.
  case noted
}

/// Where a session stands (`kairos paper status`).
public struct PaperStatus: Sendable {
  public let symbols: [String]
  public let bars: Int
  /// The last bar per symbol (nil: none yet), units held and the open order's target.
  public let lastBars: [Int64?], positions: [Double], openOrders: [Int8?]
  public let cash: Double, equity: Double
  /// P&L since the start, and since the last close of the previous session day.
  public let pnl: Double, pnlToday: Double
  /// The drawdown from the peak (≤ 0), and the drawdown that halts trading (`max_dd`), if set.
  public let drawdown: Double, haltAt: Double?, halted: Bool
  public let orders: Int, trades: Int
  /// The feed's last reported state, when it changed, and why ("live", "stale", …).
  public let feed: (state: String, since: String, detail: String)?
  /// Model risk: the model version in use and the monitor's state; nil without.
  public var model: String? = nil

  /// The P&L since the start of the last bar's session day, from the equity after each time.
  static func pnlToday(equity: [Double], times: [Int64], initial: Double, calendar: TradingCalendar) -> Double {
    guard let last = times.last, let now = equity.last else { return 0 }
    let today = calendar.sessionDate(of: last)
    let start = times.lastIndex(where: { calendar.sessionDate(of: $0) < today }).map { equity[$0] } ?? initial
    return now - start
  }
}

/// Reopens whatever session a state folder holds, from the folder alone.
public enum PaperSessions {
  public static func reopen(folder: String, logging: Bool = false) throws -> any PaperTrading {
    guard FileManager.default.fileExists(atPath: URL(fileURLWithPath: folder).appendingPathComponent("state.sqlite").path) else {
      throw LiveError.state(folder: folder, reason: "no state.sqlite: not a paper session's folder")
    }
    let store = try SessionStore(folder: folder)
    // A session writes its settings in one transaction just after creating its database: a
    // reader in between (`paper status` beside a session that is starting) finds none yet.
    guard try store.meta("settings") != nil else {
      throw LiveError.state(folder: folder, reason: "no session settings yet: not a paper session's folder, or one still being created")
    }
    if try store.meta("symbols") != nil { return try PortfolioPaperSession.reopen(folder: folder, logging: logging) }
    return try PaperSession.reopen(folder: folder, logging: logging)
  }
}
