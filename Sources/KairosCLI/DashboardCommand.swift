import ArgumentParser
import Foundation
import Kairos
import KairosMonitor

/// `kairos dashboard --state DIR`: the dashboard of a paper session's folder, read-only, from
/// another process (while the session runs, or after it ended).
struct DashboardCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "dashboard",
    abstract: "Serve the dashboard of a paper session's state folder (read-only).",
    discussion: """
      Listens on loopback (127.0.0.1:8080 by default) until Ctrl-C. Every route but /health needs
      the folder's token (DIR/dashboard_token, mode 0600, made on first use; or
      KAIROS_DASHBOARD_TOKEN): Authorization: Bearer TOKEN, or open the printed address once —
      its ?token= sets an HttpOnly cookie for the page. The page updates itself as bars arrive.

      JSON: /api/status /api/positions /api/orders /api/fills /api/equity /api/alerts /api/feeds
      /api/model; server-sent events: /api/events (an event 'bar' when the session moved).

      Examples:
        kairos dashboard --state paper/
        kairos dashboard --state paper/ --listen 127.0.0.1:0          (any free port; printed)
        curl -H "Authorization: Bearer $(cat paper/dashboard_token)" http://127.0.0.1:8080/api/status
      """)

  @Option(help: ArgumentHelp("The paper session's state folder.", valueName: "dir"))
  var state: String

  @Option(help: ArgumentHelp("The address to listen on.", valueName: "host:port"))
  var listen = "127.0.0.1:8080"

  @Flag(name: .customLong("allow-remote"), help: "Allow a non-loopback --listen address (the token still guards every route).")
  var allowRemote = false

  @Option(name: .customLong("port-file"), help: ArgumentHelp("Write the port listened on into this file (scripts, tests).", valueName: "file"))
  var portFile: String?

  func validate() throws {
    let address: DashboardServer.Address
    do { address = try DashboardServer.Address(parsing: listen) } catch { throw ValidationError("--listen: \(error)") }
    if !address.isLoopback && !allowRemote { throw ValidationError("--listen: \(MonitorError.remoteNotAllowed(address.host))") }
    guard FileManager.default.fileExists(atPath: URL(fileURLWithPath: state).appendingPathComponent("state.sqlite").path) else {
      throw ValidationError("--state: \(state) holds no state.sqlite: not a paper session's folder")
    }
  }

  func run() throws {
    Interruption.install()
    let address = try DashboardServer.Address(parsing: listen)
    if !address.isLoopback { note("kairos: warning: the dashboard listens on \(address.host), not loopback: anyone who can reach it and holds the token sees the session") }
    let server = try DashboardServer(source: MonitorSource(folder: state), token: try DashboardToken.load(folder: state), address: address, allowRemote: allowRemote)
    let port = try server.start()
    if let portFile { try AtomicFile.write(Array("\(port)\n".utf8), to: portFile) }
    // On stderr (unbuffered), as kairos paper prints it: a script waiting for it sees it at once.
    note("dashboard: \(server.pageURL)")
    while !Interruption.isRequested { Thread.sleep(forTimeInterval: 0.1) }
    server.stop()
  }
}
