import Foundation
import KairosCore

/// Something a person watching a session should know, at once (docs/DESIGN.md §10): written to
/// `events.jsonl` as a line of kind `alert`, shown on the dashboard, pushed to the webhook.
public struct Alert: Sendable, Equatable, Codable {
  public enum Kind: String, Sendable, Codable, CaseIterable {
    case drawdownApproaching = "drawdown_approaching", drawdownBreached = "drawdown_breached"
    case halt, haltLifted = "halt_lifted"
    case entryClipped = "entry_clipped", entryRefused = "entry_refused"
    case grossExposure = "gross_exposure"
    case modelDegraded = "model_degraded", modelRecovered = "model_recovered", modelRetrained = "model_retrained"
    case feedStale = "feed_stale", gapNotBackfilled = "gap_not_backfilled", reconnectStorm = "reconnect_storm"
    case brokenBook = "broken_book", sessionError = "session_error"
    case fill
  }
  public enum Severity: String, Sendable, Codable { case info, warning, critical }

  public let kind: Kind
  public let severity: Severity
  /// What de-duplicates it: alerts of one (kind, key) within the cool-down are one message
  /// (a symbol, or a drawdown episode).
  public let key: String
  public let message: String
  /// The bar it is about (nanoseconds since the epoch), and when it was raised.
  public let barTime: Int64?
  public let wallTime: Int64
  /// `session-kind-key-n`: unique within a session, so a receiver can drop a repeat.
  public var id: String

  public init(kind: Kind, severity: Severity, key: String, message: String, barTime: Int64?, wallTime: Int64 = Alert.now(), id: String = "") {
    self.kind = kind; self.severity = severity; self.key = key; self.message = message; self.barTime = barTime; self.wallTime = wallTime; self.id = id
  }

  /// The wall clock in nanoseconds since the epoch.
  public static func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1e9) }

  /// Its JSON object (full precision, times ISO 8601), as the log, the API and the webhook carry it.
  public var json: String {
    var fields = ["\"id\": \(JSONText.quoted(id))", "\"kind\": \"\(kind.rawValue)\"", "\"severity\": \"\(severity.rawValue)\"",
                  "\"key\": \(JSONText.quoted(key))", "\"message\": \(JSONText.quoted(message))"]
    if let barTime { fields.append("\"bar_time\": \"\(UTCCalendar.iso8601(barTime))\"") }
    fields.append("\"wall_time\": \"\(UTCCalendar.iso8601(wallTime))\"")
    return "{" + fields.joined(separator: ", ") + "}"
  }
}

/// Where alerts of a kind go: everywhere (`on`: log, dashboard, webhook), to the log and the
/// dashboard only, or nowhere.
public enum AlertRoute: String, Sendable, Codable, CaseIterable { case on, dashboard, off }

/// What raises alerts and where they go. Defaults: drawdown approach at 80 % of the halt
/// level; gross exposure above 100 % of equity; a reconnect storm at 5 reconnects in 10
/// minutes; every kind `on` but `fill` (`off`) and `entry_clipped` (`dashboard`).
public struct AlertSettings: Sendable, Equatable {
  /// The approach alert fires at this fraction of the drawdown limit (0 < f < 1).
  public var approachFraction = 0.8
  /// Gross exposure (Σ |position value| / equity) above which `gross_exposure` fires.
  public var grossAbove = 1.0
  public var stormReconnects = 5
  public var stormWindowSeconds = 600.0
  public var routes: [Alert.Kind: AlertRoute] = [.fill: .off, .entryClipped: .dashboard]

  public init() {}

  public func route(_ kind: Alert.Kind) -> AlertRoute { routes[kind] ?? .on }
}
