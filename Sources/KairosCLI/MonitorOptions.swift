import ArgumentParser
import Foundation
import Kairos
import KairosMonitor

/// `kairos paper`'s monitoring: the dashboard, the alerts and where they go.
struct MonitorOptions: ParsableArguments {
  @Option(help: ArgumentHelp("Serve the dashboard on this address while the session runs (loopback unless --dashboard-allow-remote), e.g. 127.0.0.1:8080; port 0: any free one.", valueName: "host:port"))
  var dashboard: String?

  @Flag(name: .customLong("dashboard-allow-remote"), help: "Let --dashboard listen on a non-loopback address (the token still guards every route).")
  var allowRemote = false

  @Option(name: .customLong("alert-webhook"), help: ArgumentHelp("POST each alert to this URL (a Slack or Discord incoming webhook, or any JSON receiver).", valueName: "url"))
  var webhook: String?

  @Option(name: .customLong("alert-format"), help: "The webhook's payload: json (Kairos's alert object; default), slack or discord.")
  var format: WebhookChannel.Format = .json

  @Option(name: .customLong("alert-approach"), help: "Alert when the drawdown reaches this fraction of the halt level (default 0.8).")
  var approach = 0.8

  @Option(name: .customLong("alert-gross"), help: "Alert when the gross exposure rises above this multiple of equity (default 1).")
  var gross = 1.0

  @Option(name: .customLong("alert-cooldown"), help: "Seconds within which a second alert of one kind and key is folded into the next (default 60).")
  var coolDown = 60.0

  @Option(name: .customLong("alert"), help: ArgumentHelp("Where alerts of a kind go: KIND=on|dashboard|off (repeatable; 'fills' is an alias of fill). Kinds: \(Alert.Kind.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "kind=route"))
  var routes: [String] = []

  func validate() throws {
    if let dashboard {
      let address: DashboardServer.Address
      do { address = try DashboardServer.Address(parsing: dashboard) } catch { throw ValidationError("--dashboard: \(error)") }
      if !address.isLoopback && !allowRemote { throw ValidationError("--dashboard: \(MonitorError.remoteNotAllowed(address.host))") }
    }
    if let webhook { do { _ = try WebhookChannel(url: webhook) } catch { throw ValidationError("--alert-webhook: \(error)") } }
    guard approach > 0 && approach < 1 else { throw ValidationError("--alert-approach is a fraction of the halt level in (0, 1), e.g. 0.8; was \(approach)") }
    guard gross > 0 && gross.isFinite else { throw ValidationError("--alert-gross must be a positive multiple of equity, was \(gross)") }
    guard coolDown >= 0 && coolDown.isFinite else { throw ValidationError("--alert-cooldown must be 0 or more seconds") }
    _ = try settings()
  }

  /// The alert settings these options give.
  func settings() throws -> AlertSettings {
    var s = AlertSettings()
    s.approachFraction = approach
    s.grossAbove = gross
    for text in routes {
      let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
      let name = parts.first == "fills" ? "fill" : parts.first ?? ""
      guard parts.count == 2, let kind = Alert.Kind(rawValue: name), let route = AlertRoute(rawValue: parts[1]) else {
        throw ValidationError("--alert: '\(text)' is not KIND=on|dashboard|off with KIND one of \(Alert.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
      }
      s.routes[kind] = route
    }
    return s
  }

  /// What runs beside a session: its outbox and dashboard; stopped by `finish`.
  final class Running: @unchecked Sendable {
    var outbox: AlertOutbox?
    var server: DashboardServer?
    var source: MonitorSource?

    /// Waits (at most 30 s) for the alerts still queued, then stops the dashboard.
    func finish() {
      if let outbox, !outbox.finish(timeout: 30) { note("kairos: warning: alerts still queued after 30 s were not delivered (see alert_undelivered in events.jsonl)") }
      server?.stop()
    }
  }

  /// The outbox for `journal` (the webhook, if any; undelivered alerts are logged).
  func outbox(for journal: SessionJournal) throws -> AlertOutbox? {
    guard let webhook else { return nil }
    var settings = AlertOutbox.Settings()
    settings.coolDown = coolDown
    let log = journal.events
    return AlertOutbox(channels: [try WebhookChannel(url: webhook, format: format)], settings: settings) { alert, reason in
      log.append("alert_undelivered", .error, barTime: alert.barTime, details: ["id": alert.id, "reason": reason])
    }
  }

  /// Attaches the alerting to `session` and starts its dashboard.
  func start(_ session: any PaperTrading, into running: Running) throws {
    session.journal.alertRules = AlertRules(settings: try settings())
    running.outbox = try outbox(for: session.journal)
    session.journal.outbox = running.outbox
    guard let dashboard else { return }
    let source = MonitorSource(session: session)
    let address = try DashboardServer.Address(parsing: dashboard)
    if !address.isLoopback { note("kairos: warning: the dashboard listens on \(address.host), not loopback: anyone who can reach it and holds the token sees the session") }
    let server = try DashboardServer(source: source, token: try DashboardToken.load(folder: session.journal.folder), address: address, allowRemote: allowRemote)
    try server.start()
    running.server = server; running.source = source
    note("dashboard: \(server.pageURL)")
  }
}

extension WebhookChannel.Format: ExpressibleByArgument, Decodable {}
