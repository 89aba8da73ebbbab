import Foundation
import KairosIO
import KairosLive
import KairosTestSupport
import Testing

/// `kill -9` at any moment loses no fill and duplicates none: a paper session on a replayed
/// file is killed again and again at random moments and restarted on the same state folder
/// until it finishes; its export is then the backtest's files, byte for byte.
@Suite struct PaperKillTests {
  static let strategy = ["--strategy", "sma-cross", "--param", "fast=10", "--param", "slow=40", "--fee", "0.001", "--lot-size", "1", "--shorts"]

  /// Starts `arguments` again and again on one state folder, killing it with SIGKILL at 30
  /// random moments, then lets it finish; checks the export against the backtest and that no
  /// order id is in the database or the log twice. Returns the number of kills.
  static func killAndRestart(_ arguments: [String], state: String, environment: [String: String] = [:], kills limit: Int = 30,
                             reference: [String]? = ["backtest", "--data", TestPaths.sample(SampleData.aaplDailyUnadjusted)] + strategy) throws -> Int {
    var random = SystemRandomNumberGenerator()
    var kills = 0, runs = 0
    let deadline = Date().addingTimeInterval(150)  // bounded: the test stops by itself
    while Date() < deadline {
      let process = Process()
      process.executableURL = Run.binary
      process.arguments = arguments
      process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
      process.standardOutput = FileHandle.nullDevice
      process.standardError = FileHandle.nullDevice
      try process.run()
      runs += 1
      let end = Date().addingTimeInterval(Double.random(in: 0.05...0.5, using: &random))
      while process.isRunning && Date() < end { usleep(5_000) }
      if process.isRunning && kills < limit {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        kills += 1
        continue
      }
      process.waitUntilExit()
      #expect(process.terminationStatus == 0, "run \(runs) ended with \(process.terminationStatus)")
      break
    }
    let directory = TestPaths.temporaryDirectory()
    let export = directory.appendingPathComponent("export").path, bt = directory.appendingPathComponent("bt").path
    let exported = try Run(["paper", "export", "--state", state, "--out", export])
    #expect(exported.status == 0, "\(exported.stderr)")
    // The export is the files the session wrote at its end.
    for name in ["equity.csv", "trades.csv", "orders.csv", "metrics.json"] {
      #expect(try Data(contentsOf: URL(fileURLWithPath: export + "/" + name)) == Data(contentsOf: URL(fileURLWithPath: state + "/" + name)))
    }
    let orderIDs = try SessionStore(folder: state).snapshot().orders.map(\.id)
    #expect(Set(orderIDs).count == orderIDs.count)
    guard let reference else { return kills }
    #expect(try Run(reference + ["--out", bt]).status == 0)
    for name in ["equity.csv", "trades.csv", "orders.csv", "metrics.json"] {
      let a = try Data(contentsOf: URL(fileURLWithPath: export + "/" + name)), b = try Data(contentsOf: URL(fileURLWithPath: bt + "/" + name))
      #expect(a == b, "\(name) differs after \(kills) kills")
    }
    // No order id twice, in the database or in the log.
    let stored = try SessionStore(folder: state).snapshot().orders.map(\.id)
    let orders = try String(contentsOfFile: bt + "/orders.csv", encoding: .utf8).split(separator: "\n").count - 1
    #expect(stored.count == orders && Set(stored).count == stored.count)
    let logged = try String(contentsOfFile: state + "/events.jsonl", encoding: .utf8).split(separator: "\n")
      .filter { $0.contains("\"kind\": \"fill\"") || $0.contains("\"kind\": \"order_refused\"") }
      .compactMap { line in line.range(of: #""id": "[^"]+""#, options: .regularExpression).map { String(line[$0]) } }
    #expect(Set(logged).count == logged.count, "an order id is logged twice")
    return kills
  }

  @Test func killNineAtRandomMomentsLosesAndDuplicatesNothing() throws {
    let state = TestPaths.temporaryDirectory().appendingPathComponent("state").path
    let aapl = TestPaths.sample(SampleData.aaplDailyUnadjusted)
    // A little slower than flat out (4 ms a bar), so that kills land in the middle of the file.
    let kills = try Self.killAndRestart(["paper", "--feed", "replay", "--data", aapl, "--speed", "20000000", "--state", state] + Self.strategy, state: state)
    #expect(kills == 30, "only \(kills) kills landed mid-run")
  }

  /// The same through the Alpaca protocol, the exchange dropping the connection every 300 bars.
  @Test func killNineOnTheAlpacaFeedWithDroppedConnections() throws {
    let state = TestPaths.temporaryDirectory().appendingPathComponent("state").path
    let sim = try ExchangeSim(data: TestPaths.sample(SampleData.aaplDailyUnadjusted), rate: 250, faults: "drop:300")
    let arguments = ["paper"] + sim.flags("alpaca") + ["--from", "2000-03-01", "--until", "2013-03-01", "--state", state] + Self.strategy
    let kills = try Self.killAndRestart(arguments, state: state, environment: LiveFeedTests.credentials)
    #expect(kills >= 20, "only \(kills) kills landed mid-run")
  }

  /// `kairos paper status` beside a running session, as fast as it can: the session never
  /// meets a locked database, and the readers see a consistent state.
  @Test func statusBesideARunningSessionNeverStopsIt() throws {
    let state = TestPaths.temporaryDirectory().appendingPathComponent("state").path
    let aapl = TestPaths.sample(SampleData.aaplDailyUnadjusted)
    let process = Process()
    process.executableURL = Run.binary
    process.arguments = ["paper", "--data", aapl, "--speed", "40000000", "--state", state] + Self.strategy  // about 7 s
    let errors = Pipe()
    process.standardError = errors
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    var looks = 0, failures: [String] = []
    let deadline = Date().addingTimeInterval(60)
    while process.isRunning && Date() < deadline {
      let status = try Run(["paper", "status", "--state", state])
      if status.status == 0 { looks += 1 } else if !status.stderr.contains("not a paper session's folder") { failures.append(status.stderr) }
    }
    process.waitUntilExit()
    let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    #expect(process.terminationStatus == 0, "the session stopped: \(message)")
    #expect(failures.isEmpty, "\(failures.prefix(3))")
    #expect(looks >= 5, "only \(looks) looks while it ran")
  }

  /// Two symbols on one account: killed 15 times, the export is `kairos portfolio`'s files.
  @Test func killNineOnAPortfolioSession() throws {
    let state = TestPaths.temporaryDirectory().appendingPathComponent("state").path
    let data = try TestPaths.sharedData("nvda_daily.csv") + "," + (try TestPaths.sharedData("orcl_daily.csv"))
    let strategy = ["--strategy", "sma-cross", "--param", "fast=10", "--param", "slow=40", "--fee", "0.001", "--param", "stop_atr=2"]
    let kills = try Self.killAndRestart(["paper", "--data", data, "--speed", "30000000", "--state", state] + strategy, state: state, kills: 15,
                                        reference: ["portfolio", "--data", data] + strategy)
    #expect(kills == 15, "only \(kills) kills landed mid-run")
  }

  /// SIGTERM stops a real-time replay at once, between bars, with exit 130 and the state kept;
  /// started again, the session finishes where it stopped.
  @Test func sigtermStopsBetweenBarsAndKeepsTheState() throws {
    let directory = TestPaths.temporaryDirectory()
    let state = directory.appendingPathComponent("state").path
    let aapl = TestPaths.sample(SampleData.aaplDailyUnadjusted)
    let process = Process()
    process.executableURL = Run.binary
    process.arguments = ["paper", "--data", aapl, "--strategy", "sma-cross", "--speed", "86400", "--state", state]  // a day a second
    let errors = Pipe()
    process.standardError = errors
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    usleep(1_500_000)
    let sent = Date()
    kill(process.processIdentifier, SIGTERM)
    process.waitUntilExit()
    #expect(Date().timeIntervalSince(sent) < 2, "a real-time replay must stop without waiting for its next bar")
    #expect(process.terminationReason == .exit && process.terminationStatus == 130)
    let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    #expect(message.contains("interrupted, state kept"), "\(message)")
    let resumed = try Run(["paper", "--data", aapl, "--strategy", "sma-cross", "--state", state])
    #expect(resumed.status == 0 && resumed.stderr.contains("(resumed after"), "\(resumed.stderr)")
  }
}
