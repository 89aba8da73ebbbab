import Foundation
import KairosCore
import KairosTestSupport
import Testing

/// A process started for one test and killed by PID when it is done (also on failure).
final class Background {
  let process = Process()
  let stderrPath: String, stdoutPath: String

  init(_ executable: URL, _ arguments: [String], environment: [String: String] = [:]) throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bg-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    stderrPath = folder + "/stderr"; stdoutPath = folder + "/stdout"
    FileManager.default.createFile(atPath: stderrPath, contents: nil)
    FileManager.default.createFile(atPath: stdoutPath, contents: nil)
    process.executableURL = executable
    process.arguments = arguments
    if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    process.standardError = FileHandle(forWritingAtPath: stderrPath)
    process.standardOutput = FileHandle(forWritingAtPath: stdoutPath)
    try process.run()
  }

  var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }
  var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }

  /// Waits (at most `timeout` s) for `text` in stderr or stdout; the matching line.
  func waitFor(_ text: String, timeout: Double = 60) -> String? {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
      if let line = (stderr + "\n" + stdout).split(separator: "\n").first(where: { $0.contains(text) }) { return String(line) }
      if !process.isRunning { return nil }
      Thread.sleep(forTimeInterval: 0.05)
    }
    return nil
  }

  func waitForExit(timeout: Double = 120) -> Int32? {
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
    return process.isRunning ? nil : process.terminationStatus
  }

  func stop() {
    if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
  }

  deinit { stop() }
}

/// HTTP/1.1 over a plain socket: any header (a wrong Host included), the status, headers and
/// body. For the dashboard tests only (loopback).
struct RawHTTP {
  let status: Int
  let headers: [String: String]
  let body: String

  static func get(port: Int, path: String, headers: [String: String] = [:], host: String? = nil) throws -> RawHTTP {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    precondition(fd >= 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var timeout = timeval(tv_sec: 10, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    let connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    guard connected == 0 else { throw CocoaError(.fileReadUnknown) }
    var request = "GET \(path) HTTP/1.1\r\nHost: \(host ?? "127.0.0.1:\(port)")\r\nConnection: close\r\n"
    for (k, v) in headers { request += "\(k): \(v)\r\n" }
    request += "\r\n"
    _ = request.withCString { send(fd, $0, strlen($0), 0) }
    var data = [UInt8]()
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
      let n = recv(fd, &buffer, buffer.count, 0)
      if n <= 0 { break }
      data += buffer[0..<n]
    }
    let text = String(decoding: data, as: UTF8.self)
    let parts = text.components(separatedBy: "\r\n\r\n")
    let head = parts[0].components(separatedBy: "\r\n")
    let status = Int(head.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
    var fields: [String: String] = [:]
    for line in head.dropFirst() { if let colon = line.firstIndex(of: ":") { fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces) } }
    return RawHTTP(status: status, headers: fields, body: parts.dropFirst().joined(separator: "\r\n\r\n"))
  }
}

enum Chromium {
  /// The DOM Chromium built for `url` after `budget` ms of virtual time (scripts run).
  static func dumpDOM(_ url: String, budget: Int = 1500) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/chromium")
    process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--virtual-time-budget=\(budget)", "--dump-dom", url]
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle(forWritingAtPath: "/dev/null")
    try process.run()
    let timer = DispatchWorkItem { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
    DispatchQueue.global().asyncAfter(deadline: .now() + 90, execute: timer)
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    timer.cancel()
    return String(decoding: data, as: UTF8.self)
  }

  /// The points of the first path of the `<section id="panel-ID">`'s chart.
  static func pathPoints(_ dom: String, panel: String) -> Int {
    guard let start = dom.range(of: "<section id=\"panel-\(panel)\"") else { return 0 }
    let rest = dom[start.upperBound...]
    let section = rest[..<(rest.range(of: "</section>")?.lowerBound ?? rest.endIndex)]
    guard let d = section.range(of: "<path d=\"M"), let end = section[d.upperBound...].firstIndex(of: "\"") else { return 0 }
    return section[d.upperBound..<end].filter { $0 == "L" }.count + 1
  }
}

/// The dashboard of a running replay, in a real browser and over raw HTTP; its auth; the
/// alert history against the backtest's equity; the webhook under faults (issue 11).
@Suite(.serialized) struct DashboardTests {
  let aapl = TestPaths.sample("aapl_daily_unadjusted.csv")

  func temporaryFolder() throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("dash-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }

  /// The port and token of a dashboard from the line it prints.
  func address(_ line: String) -> (port: Int, token: String)? {
    guard let url = line.components(separatedBy: "dashboard: ").last, let components = URLComponents(string: url), let port = components.port,
          let token = components.queryItems?.first(where: { $0.name == "token" })?.value else { return nil }
    return (port, token)
  }

  @Test func dashboardOfARunningReplayInChromiumWithItsAuth() throws {
    let state = try temporaryFolder()
    // Daily bars at 15 a second after a 300-bar warm-up: about three minutes of session.
    let session = try Background(Run.binary, ["paper", "--feed", "replay", "--data", aapl, "--strategy", "sma-cross", "--param", "fast=5", "--param", "slow=20",
                                              "--param", "max_dd=0.2", "--speed", "1296000", "--warmup", "300", "--state", state, "--dashboard", "127.0.0.1:0"])
    defer { session.stop() }
    let line = try #require(session.waitFor("dashboard: http://"), "\(session.stderr)")
    let (port, token) = try #require(address(line))
    #expect(FileManager.default.fileExists(atPath: state + "/dashboard_token"))
    let mode = try FileManager.default.attributesOfItem(atPath: state + "/dashboard_token")[.posixPermissions] as? Int
    #expect(mode == 0o600)

    // Auth: everything but /health needs the token; a wrong Host is refused; the headers.
    #expect(try RawHTTP.get(port: port, path: "/health").status == 200)
    for path in ["/", "/api/status", "/api/equity", "/api/events", "/fragment", "/app.js"] {
      #expect(try RawHTTP.get(port: port, path: path).status == 401, "\(path)")
      #expect(try RawHTTP.get(port: port, path: path, headers: ["Authorization": "Bearer wrong-token-0123456789"]).status == 401, "\(path)")
    }
    #expect(try RawHTTP.get(port: port, path: "/?token=wrong-token-0123456789").status == 401)
    let bearer = ["Authorization": "Bearer \(token)"]
    let wrongHost = try RawHTTP.get(port: port, path: "/api/status", headers: bearer, host: "evil.example:\(port)")
    #expect(wrongHost.status == 421)
    let status = try RawHTTP.get(port: port, path: "/api/status", headers: bearer)
    #expect(status.status == 200 && status.body.contains("\"bars\""))
    #expect(status.headers["content-security-policy"]?.contains("default-src 'none'") == true)
    #expect(status.headers["x-content-type-options"] == "nosniff" && status.headers["access-control-allow-origin"] == nil)
    let page = try RawHTTP.get(port: port, path: "/?token=\(token)")
    #expect(page.status == 200)
    #expect(page.headers["set-cookie"]?.contains("HttpOnly; SameSite=Strict") == true)
    #expect(try RawHTTP.get(port: port, path: "/api/status", headers: ["Cookie": "kairos_token=\(token)"]).status == 200)
    for path in ["/api/positions", "/api/orders", "/api/fills", "/api/equity", "/api/alerts", "/api/feeds", "/api/model"] {
      let r = try RawHTTP.get(port: port, path: path, headers: bearer)
      #expect(r.status == 200 && (try? JSONSerialization.jsonObject(with: Data(r.body.utf8), options: .fragmentsAllowed)) != nil, "\(path): \(r.body.prefix(200))")
    }

    // In Chromium: every panel, no external resource, the page updated itself, and the equity
    // chart grows between two loads a few bars apart.
    let url = "http://127.0.0.1:\(port)/?token=\(token)"
    let first = try Chromium.dumpDOM(url)
    for panel in ["summary", "equity", "drawdown", "exposure", "positions", "limits", "orders", "feeds", "model", "alerts"] {
      #expect(first.contains("<section id=\"panel-\(panel)\""), "panel \(panel)")
    }
    #expect(!first.contains("src=\"http") && !first.contains("href=\"http"))
    let updates = Int(first.components(separatedBy: "data-updates=\"").dropFirst().first?.prefix { $0.isNumber } ?? "") ?? 0
    #expect(updates >= 1, "the page replaced its panels on a server-sent event without a reload")
    let before = Chromium.pathPoints(first, panel: "equity")
    Thread.sleep(forTimeInterval: 2)
    let second = try Chromium.dumpDOM(url)
    let after = Chromium.pathPoints(second, panel: "equity")
    #expect(before > 300 && after > before, "equity path points: \(before) then \(after)")
  }

  @Test func aNonLoopbackBindIsRefusedWithoutTheFlag() throws {
    let state = try temporaryFolder()
    let run = try Run(["paper", "--feed", "replay", "--data", aapl, "--strategy", "sma-cross", "--state", state, "--dashboard", "0.0.0.0:0"])
    #expect(run.status == 2 && run.stderr.contains("--dashboard-allow-remote"), "\(run.stderr)")
    #expect(!FileManager.default.fileExists(atPath: state + "/state.sqlite"))
    _ = try Run(["paper", "--feed", "replay", "--data", aapl, "--strategy", "sma-cross", "--state", state])
    let dashboard = try Run(["dashboard", "--state", state, "--listen", "0.0.0.0:0"])
    #expect(dashboard.status == 2 && dashboard.stderr.contains("loopback"), "\(dashboard.stderr)")

    // Read-only from another process after the session ended: the stored bars.
    let server = try Background(Run.binary, ["dashboard", "--state", state, "--listen", "127.0.0.1:0"])
    defer { server.stop() }
    let printed = try #require(server.waitFor("dashboard: http://"), "\(server.stderr)")
    let (port, token) = try #require(address(printed))
    let status = try RawHTTP.get(port: port, path: "/api/status", headers: ["Authorization": "Bearer \(token)"])
    #expect(status.body.contains("\"bars\":3270"), "\(status.body.prefix(300))")
    #expect(try RawHTTP.get(port: port, path: "/api/status").status == 401)
  }

  /// The monitoring keys of `kairos paper --config`: checked as the flags are; flags win.
  @Test func monitoringKeysOfAPaperConfig() throws {
    let folder = try temporaryFolder()
    let config = folder + "/paper.yaml"
    try "data: \(aapl)\nstrategy: sma-cross\nstate: \(folder)/st\ndashboard: 0.0.0.0:0\n".write(toFile: config, atomically: true, encoding: .utf8)
    let remote = try Run(["paper", "--config", config])
    #expect(remote.status == 2 && remote.stderr.contains("--dashboard-allow-remote"), "\(remote.stderr)")
    try "data: \(aapl)\nstrategy: sma-cross\nstate: \(folder)/st\nalert: [bogus=on]\n".write(toFile: config, atomically: true, encoding: .utf8)
    let bogus = try Run(["paper", "--config", config])
    #expect(bogus.status == 2 && bogus.stderr.contains("'bogus=on'"), "\(bogus.stderr)")
    try "data: \(aapl)\nstrategy: sma-cross\nstate: \(folder)/st\nalert: [fill=on]\n".write(toFile: config, atomically: true, encoding: .utf8)
    let fills = try Run(["paper", "--config", config, "--alert", "fill=off", "--param", "max_dd=0.5"])
    #expect(fills.status == 0, "\(fills.stderr)")
    #expect(!(try String(contentsOfFile: folder + "/st/events.jsonl", encoding: .utf8)).contains("\"alert\": \"fill\""), "the flag wins over the file")
  }

  /// The bundled AAPL replay with a 10 % drawdown limit (resuming 20 bars after a halt): each
  /// approach (80 % of the limit) and each breach at the bars `kairos backtest`'s equity says,
  /// once per episode.
  @Test func alertHistoryMatchesTheBacktestsEquity() throws {
    let state = try temporaryFolder(), backtest = try temporaryFolder()
    let params = ["--param", "fast=5", "--param", "slow=20", "--param", "max_dd=0.1", "--param", "dd_resume_bars=20"]
    let paper = try Run(["paper", "--feed", "replay", "--data", aapl, "--strategy", "sma-cross", "--state", state] + params)
    #expect(paper.status == 0, "\(paper.stderr)")
    #expect(try Run(["backtest", "--data", aapl, "--strategy", "sma-cross", "--out", backtest] + params).status == 0)
    // The rule, naively, on the backtest's equity: the halt's running peak (the initial capital
    // included; restarting at the equity on resuming), approach at −8 %, breach below −10 %.
    let equity = try String(contentsOfFile: backtest + "/equity.csv", encoding: .utf8).split(separator: "\n").dropFirst().map { $0.split(separator: ",").map(String.init) }
    var peak = 100_000.0, halted = false, haltBar = 0, approached = false
    var approaches: [String] = [], breaches: [String] = []
    for (t, row) in equity.enumerated() {
      let e = Double(row[1])!
      if halted {
        if t - haltBar >= 20 { halted = false; peak = e; approached = false }
        continue
      }
      if e > peak { peak = e; approached = false }
      let drawdown = e / peak - 1
      if !approached && drawdown <= -0.08 { approaches.append(row[0]); approached = true }
      if drawdown < -0.1 { halted = true; haltBar = t; breaches.append(row[0]) }
    }
    #expect(approaches.count >= 10 && breaches.count >= 10)
    let alerts = try String(contentsOfFile: state + "/events.jsonl", encoding: .utf8).split(separator: "\n").compactMap { line -> [String: Any]? in
      guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], o["kind"] as? String == "alert" else { return nil }
      return o
    }
    func bars(_ kind: String) -> [String] {
      alerts.filter { ($0["details"] as? [String: String])?["alert"] == kind }.map { String(($0["bar_time"] as! String).prefix(10)) }
    }
    #expect(bars("drawdown_approaching") == approaches)
    #expect(bars("drawdown_breached") == breaches)
    #expect(bars("halt") == breaches)
    // Once per episode: no (kind, key) twice.
    let keys = alerts.compactMap { a -> String? in let d = a["details"] as! [String: String]; return d["alert"]!.hasPrefix("drawdown") ? d["alert"]! + d["key"]! : nil }
    #expect(Set(keys).count == keys.count)
    // The daily rows: one per session day, written without being asked; the full report too.
    let daily = try String(contentsOfFile: state + "/reports/daily.csv", encoding: .utf8).split(separator: "\n")
    #expect(daily.count == equity.count + 1 && daily.last!.hasPrefix(equity.last![0]))
    let reconciliation = try String(contentsOfFile: state + "/reports/reconciliation.csv", encoding: .utf8).split(separator: "\n").dropFirst()
    #expect(reconciliation.allSatisfy { $0.hasSuffix(",0") }, "no break between the fills and the engine")
    #expect(FileManager.default.fileExists(atPath: state + "/reports/full/report.html"))
    let pages = try FileManager.default.contentsOfDirectory(atPath: state + "/reports/days")
    #expect(pages.count == equity.count && pages.contains(equity.last![0] + ".html"), "one page a day")
  }

  /// Alerts to a webhook that answers 429, 500 and slowly: each arrives once, in order per key,
  /// and the session traded its bars without waiting for the deliveries.
  @Test func webhookAlertsArriveOnceInOrderAndNeverHoldABar() throws {
    let state = try temporaryFolder(), sinkFolder = try temporaryFolder()
    let sink = try Background(URL(fileURLWithPath: "/usr/bin/python3"),
                              [TestPaths.repositoryRoot.appendingPathComponent("Tests/Live/webhook_sink.py").path, "--port-file", sinkFolder + "/port",
                               "--log", sinkFolder + "/log", "--plan", "429,500,slow", "--every", "10", "--exit-after", "240"])
    defer { sink.stop() }
    var port = ""
    for _ in 0..<100 where port.isEmpty {
      port = ((try? String(contentsOfFile: sinkFolder + "/port", encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
      Thread.sleep(forTimeInterval: 0.05)
    }
    let paper = try Run(["paper", "--feed", "replay", "--data", aapl, "--strategy", "sma-cross", "--param", "fast=5", "--param", "slow=20", "--param", "max_dd=0.1",
                         "--param", "dd_resume_bars=20", "--state", state, "--alert-webhook", "http://127.0.0.1:\(port)/hook", "--alert-cooldown", "0",
                         "--alert", "entry_refused=dashboard", "--alert", "halt_lifted=dashboard"])
    #expect(paper.status == 0, "\(paper.stderr)")
    let events = try String(contentsOfFile: state + "/events.jsonl", encoding: .utf8).split(separator: "\n").compactMap {
      try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
    }
    let sent = events.filter { $0["kind"] as? String == "alert" && ($0["details"] as? [String: String])?["route"] == "on" }.map { $0["details"] as! [String: String] }
    let received = try String(contentsOfFile: sinkFolder + "/log", encoding: .utf8).split(separator: "\n").map {
      try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
    }
    let payloads = received.map { $0["payload"] as! [String: Any] }
    #expect(sent.count >= 50)
    #expect(payloads.map { $0["id"] as! String } == sent.map { $0["id"]! }, "every alert once, in the order raised")
    #expect(!events.contains { $0["kind"] as? String == "alert_undelivered" })
    // The session ended before the deliveries did: no bar waited on the webhook.
    let ended = events.first { $0["kind"] as? String == "feed_ended" }?["wall_time"] as? String
    let lastReceived = received.last?["received"] as? Double ?? 0
    let endedAt = ended.flatMap { UTCCalendar.parseTimestamp($0) }.map { Double($0) / 1e9 } ?? .infinity
    #expect(endedAt < lastReceived, "the bars were done before the alerts were delivered")
    #expect(paper.stderr.contains("bar to decision"))
  }

  /// 50 clients on the server-sent events and 200 API requests a second against a session
  /// replaying at full speed: every request answered, every client updated. The latency of
  /// the run with and without the dashboard is printed (compared in `make bench`, release).
  @Test func loadOnTheDashboardOfASessionAtFullSpeed() throws {
    let data = try temporaryFolder()
    #expect(try Run(["data", "generate", "--bars", "20000", "--interval", "1m", "--seed", "3", "--out", data, "--quiet"]).status == 0)
    let file = data + "/SYN1.csv"
    func median(_ stderr: String) -> Double? {
      stderr.components(separatedBy: "bar to decision: median ").dropFirst().first.flatMap { Double($0.prefix { $0.isNumber }) }
    }
    let quiet = try Run(["paper", "--feed", "replay", "--data", file, "--strategy", "sma-cross", "--state", try temporaryFolder()])
    let alone = try #require(median(quiet.stderr), "\(quiet.stderr)")
    let session = try Background(Run.binary, ["paper", "--feed", "replay", "--data", file, "--strategy", "sma-cross", "--state", try temporaryFolder(),
                                              "--dashboard", "127.0.0.1:0"])
    defer { session.stop() }
    let line = try #require(session.waitFor("dashboard: http://"), "\(session.stderr)")
    let (port, token) = try #require(address(line))
    let load = Process(), out = Pipe()
    load.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
    load.arguments = [TestPaths.repositoryRoot.appendingPathComponent("Tests/Live/dashboard_load.py").path, String(port), token,
                      "--sse", "50", "--rps", "200", "--seconds", "4"]
    load.standardOutput = out
    try load.run()
    let report = out.fileHandleForReading.readDataToEndOfFile()
    load.waitUntilExit()
    let result = try #require(try JSONSerialization.jsonObject(with: report) as? [String: Any], "\(String(decoding: report, as: UTF8.self))")
    #expect(session.waitForExit() == 0, "\(session.stderr)")
    let events = result["sse_events"] as? [Int] ?? []
    #expect(events.count == 50 && events.allSatisfy { $0 >= 1 }, "every SSE client saw bars: \(events)")
    #expect((result["api_failed"] as? Int) == 0 && (result["api_ok"] as? Int ?? 0) >= 700, "\(result)")
    let loaded = try #require(median(session.stderr), "\(session.stderr)")
    print("dashboard load (debug build): bar-to-decision median \(Int(alone)) µs alone, \(Int(loaded)) µs under load (\(String(format: "%.2f", loaded / alone))×); API \(result)")
  }
}
