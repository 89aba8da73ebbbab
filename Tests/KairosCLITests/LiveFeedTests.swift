import Foundation
import KairosIO
import KairosLive
import KairosTestSupport
import Testing

/// The local exchange (Tests/ExchangeSimulator), started and stopped by PID for one test. It
/// stops by itself after four minutes whatever happens to the test.
final class ExchangeSim {
  let process = Process()
  let port: Int

  static let binary = Run.binary.deletingLastPathComponent().appendingPathComponent("ExchangeSimulator")

  init(data: String, symbol: String = "AAPL", rate: Double = 4000, faults: String? = nil, pingMilliseconds: Int? = nil) throws {
    let portFile = TestPaths.temporaryDirectory().appendingPathComponent("port").path
    process.executableURL = Self.binary
    process.arguments = ["--data", data, "--symbol", symbol, "--rate", String(rate), "--port-file", portFile, "--exit-after", "240"]
      + (faults.map { ["--faults", $0] } ?? []) + (pingMilliseconds.map { ["--ping-ms", String($0)] } ?? [])
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    let deadline = Date().addingTimeInterval(20)
    var port: Int? = nil
    while port == nil && Date() < deadline && process.isRunning {
      port = (try? String(contentsOfFile: portFile, encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
      if port == nil { usleep(20_000) }
    }
    guard let port else { process.terminate(); throw CocoaError(.fileReadNoSuchFile) }
    self.port = port
  }

  /// The session's flags for a venue served by this exchange.
  func flags(_ venue: String, calendar: String = "nyse") -> [String] {
    ["--feed", venue, "--symbols", "AAPL", "--interval", "1d", "--calendar", calendar,
     "--feed-url", venue == "alpaca" ? "ws://127.0.0.1:\(port)/v2/test" : "ws://127.0.0.1:\(port)",
     "--rest-url", "http://127.0.0.1:\(port)"]
  }

  deinit {
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
  }
}

/// Paper sessions on the Alpaca and Binance protocols, served by the local exchange from the
/// AAPL file: the exported files equal `kairos backtest` on the file, byte for byte, through
/// every fault the exchange makes; the errors a user can make are one line and exit 1.
@Suite(.serialized) struct LiveFeedTests {
  static let aapl = TestPaths.sample(SampleData.aaplDailyUnadjusted)
  static let credentials = ["APCA_API_KEY_ID": "test-key", "APCA_API_SECRET_KEY": "test-secret"]
  static let first = "2000-03-01", last = "2013-03-01"
  static let strategies: [[String]] = [
    ["--strategy", "sma-cross", "--param", "fast=10", "--param", "slow=40", "--fee", "0.001", "--lot-size", "1", "--shorts"],
    ["--strategy", "donchian-breakout", "--param", "window=20", "--param", "stop_atr=2", "--param", "take_atr=3", "--shorts"],
    ["--strategy", "rsi-reversion", "--fill", "next-close", "--slippage", "0.0005", "--impact", "0.2"],
  ]

  /// `kairos backtest` on `data` with `strategy`: its four files.
  static func backtest(_ data: String, _ strategy: [String]) throws -> [String: Data] {
    let out = TestPaths.temporaryDirectory().appendingPathComponent("bt").path
    let run = try Run(["backtest", "--data", data, "--out", out] + strategy)
    #expect(run.status == 0, "\(run.stderr)")
    return try files(out)
  }

  static func files(_ folder: String) throws -> [String: Data] {
    var files: [String: Data] = [:]
    for name in ["equity.csv", "trades.csv", "orders.csv", "metrics.json"] {
      files[name] = try Data(contentsOf: URL(fileURLWithPath: folder).appendingPathComponent(name))
    }
    return files
  }

  /// A paper session through `venue` from the first bar to the last; returns its state folder.
  static func paper(_ sim: ExchangeSim, _ venue: String, _ strategy: [String], extra: [String] = []) throws -> (Run, String) {
    let state = TestPaths.temporaryDirectory().appendingPathComponent("state").path
    let run = try Run(["paper"] + sim.flags(venue) + ["--from", first, "--until", last, "--state", state] + strategy + extra,
                      environment: credentials)
    return (run, state)
  }

  static func expectSame(_ state: String, _ expected: [String: Data], _ label: String) throws {
    let export = TestPaths.temporaryDirectory().appendingPathComponent("export").path
    let run = try Run(["paper", "export", "--state", state, "--out", export])
    #expect(run.status == 0, "\(run.stderr)")
    let got = try files(export)
    for name in expected.keys.sorted() { #expect(got[name] == expected[name], "\(label): \(name) differs from the backtest's") }
    // The files the session wrote into its folder at --until are the same.
    for name in expected.keys.sorted() { #expect(try Data(contentsOf: URL(fileURLWithPath: state + "/" + name)) == expected[name]) }
  }

  @Test func bothVenuesGiveTheBacktestsFilesByteForByte() throws {
    let sim = try ExchangeSim(data: Self.aapl)
    for strategy in Self.strategies {
      let expected = try Self.backtest(Self.aapl, strategy)
      for venue in ["alpaca", "binance"] {
        let (run, state) = try Self.paper(sim, venue, strategy)
        #expect(run.status == 0, "\(venue): \(run.stderr)")
        try Self.expectSame(state, expected, "\(venue) \(strategy[1])")
      }
    }
  }

  /// Two symbols on one account through each venue: `kairos portfolio`'s files.
  @Test func severalSymbolsGiveThePortfolioFiles() throws {
    let (nvda, orcl) = (try TestPaths.sharedData("nvda_daily.csv"), try TestPaths.sharedData("orcl_daily.csv"))
    let strategy = ["--strategy", "sma-cross", "--param", "fast=10", "--param", "slow=40", "--fee", "0.001", "--param", "stop_atr=2"]
    let out = TestPaths.temporaryDirectory().appendingPathComponent("pf").path
    let portfolio = try Run(["portfolio", "--data", nvda + "," + orcl, "--out", out] + strategy)
    #expect(portfolio.status == 0, "\(portfolio.stderr)")
    let expected = try Self.files(out)
    let sim = try ExchangeSim(data: nvda + "," + orcl, symbol: "nvda_daily,orcl_daily", rate: 8000)
    for venue in ["alpaca", "binance"] {
      let state = TestPaths.temporaryDirectory().appendingPathComponent("state").path
      var flags = sim.flags(venue)
      flags[flags.firstIndex(of: "AAPL")!] = "nvda_daily,orcl_daily"
      let run = try Run(["paper"] + flags + ["--from", "1995-01-03", "--until", "2014-12-31", "--state", state] + strategy, environment: Self.credentials)
      #expect(run.status == 0, "\(venue): \(run.stderr)")
      try Self.expectSame(state, expected, "\(venue), two symbols")
      let status = try Run(["paper", "status", "--state", state]).stdout
      #expect(status.contains("nvda_daily") && status.contains("orcl_daily") && status.contains("feed        ENDED"), "\(status)")
    }
  }

  /// Each fault the exchange makes leaves the book of the clean run: duplicates dropped,
  /// corrections that repeat the bar ignored, gaps backfilled before the next decision, a bar
  /// out of order taken in order, a dropped connection or a slow-client error reconnected.
  @Test(arguments: ["duplicate:7", "correction:5", "gap:13", "reorder:17", "drop:400", "slow:500", "gap:3,duplicate:4,drop:250"])
  func faultsLeaveTheCleanBook(faults: String) throws {
    let strategy = Self.strategies[0]
    let expected = try Self.backtest(Self.aapl, strategy)
    for venue in faults.contains("correction") || faults.contains("slow") ? ["alpaca"] : ["alpaca", "binance"] {
      // A fresh exchange for each: its clock starts at the first subscription.
      let sim = try ExchangeSim(data: Self.aapl, rate: 3000, faults: faults)
      let (run, state) = try Self.paper(sim, venue, strategy)
      #expect(run.status == 0, "\(faults) \(venue): \(run.stderr)")
      try Self.expectSame(state, expected, "\(faults) \(venue)")
      let log = try String(contentsOfFile: state + "/events.jsonl", encoding: .utf8)
      if faults.contains("drop") || faults.contains("slow") { #expect(log.contains("\"kind\": \"feed_reconnecting\""), "\(faults): no reconnect logged") }
    }
  }

  /// The server pings every second and drops a connection whose pong has not come by the next
  /// ping (Binance pings every 20 s and wants a pong): a session of about ten seconds answers
  /// every ping — no reconnect. (Every 100 ms was too tight a deadline for a 2-core machine
  /// running the other suites beside this one: a pong 100 ms late once dropped the session.)
  @Test func pingsAreAnswered() throws {
    let strategy = Self.strategies[0]
    let expected = try Self.backtest(Self.aapl, strategy)
    for venue in ["binance", "alpaca"] {
      let sim = try ExchangeSim(data: Self.aapl, rate: 400, pingMilliseconds: 1_000)
      let (run, state) = try Self.paper(sim, venue, strategy)
      #expect(run.status == 0, "\(venue): \(run.stderr)")
      try Self.expectSame(state, expected, "\(venue) with pings")
      let log = try String(contentsOfFile: state + "/events.jsonl", encoding: .utf8)
      #expect(!log.contains("\"kind\": \"feed_reconnecting\""), "\(venue): a ping went unanswered (the server closed the connection)")
    }
  }

  /// Minutes without a trade have no bar: the session trades on the bars the venue has — the
  /// backtest on the file without them.
  @Test func missingBarsAreNotInvented() throws {
    let strategy = Self.strategies[0]
    let directory = TestPaths.temporaryDirectory()
    let lines = try String(contentsOfFile: Self.aapl, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
    // The exchange's "missing:11" drops every 11th bar (index 10, 21, …).
    let kept = [lines[0]] + lines.dropFirst().enumerated().filter { $0.offset % 11 != 10 || $0.element.isEmpty }.map(\.element)
    let thinned = directory.appendingPathComponent("aapl.csv").path
    try kept.joined(separator: "\n").write(toFile: thinned, atomically: true, encoding: .utf8)
    let expected = try Self.backtest(thinned, strategy)
    let sim = try ExchangeSim(data: Self.aapl, faults: "missing:11")
    let (run, state) = try Self.paper(sim, "alpaca", strategy)
    #expect(run.status == 0, "\(run.stderr)")
    try Self.expectSame(state, expected, "missing:11")
    // Some of the missing bars fall inside the stream (the rest come with the catch-up): each is a gap in the log.
    let log = try String(contentsOfFile: state + "/events.jsonl", encoding: .utf8)
    #expect(log.contains("\"kind\": \"gap\""), "no gap logged")
  }

  /// A correction with new values after its bar was decided: logged, the decision stands.
  @Test func aCorrectionWithNewValuesIsLoggedAndDecisionsStand() throws {
    let strategy = Self.strategies[0]
    let sim = try ExchangeSim(data: Self.aapl, rate: 500, faults: "correct-new:1500")
    let (run, state) = try Self.paper(sim, "alpaca", strategy)
    #expect(run.status == 0, "\(run.stderr)")
    let log = try String(contentsOfFile: state + "/events.jsonl", encoding: .utf8)
    #expect(log.contains("\"kind\": \"correction\"") && log.contains("decisions already made stand"), "no correction logged")
    // The orders decided before the correction are the backtest's.
    let expected = String(decoding: try Self.backtest(Self.aapl, strategy)["orders.csv"]!, as: UTF8.self).split(separator: "\n")
    let got = try String(contentsOfFile: state + "/orders.csv", encoding: .utf8).split(separator: "\n")
    let cutoff = "2006-02-2"  // bar 1,500 of the file is in late February 2006
    let before = { (lines: [Substring]) in lines.filter { $0 < cutoff } }
    #expect(before(got) == before(expected) && before(got).count > 50)
  }

  /// A server that stops sending: the session trades nothing more, shows the feed stale in
  /// `status` and the log, and keeps the book of the bars it had.
  @Test func aSilentServerIsStaleNeverHealthy() throws {
    let strategy = Self.strategies[0]
    let sim = try ExchangeSim(data: Self.aapl, faults: "stale:800")
    let state = TestPaths.temporaryDirectory().appendingPathComponent("state").path
    let process = Process()
    process.executableURL = Run.binary
    // The 24×7 calendar: on the NYSE's, a test run outside market hours would rightly see no staleness.
    process.arguments = ["paper"] + sim.flags("alpaca", calendar: "24x7") + ["--from", Self.first, "--state", state, "--stale-after", "1"] + strategy
    process.environment = ProcessInfo.processInfo.environment.merging(Self.credentials) { $1 }
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
    var status = ""
    let deadline = Date().addingTimeInterval(30)
    while Date() < deadline && !status.contains("STALE") {
      usleep(300_000)
      status = (try? Run(["paper", "status", "--state", state]).stdout) ?? ""
    }
    #expect(status.contains("feed        STALE since"), "\(status)")
    #expect(status.contains("bars        800"), "\(status)")
    kill(process.processIdentifier, SIGTERM)
    process.waitUntilExit()
    #expect(process.terminationStatus == 130)
    let log = try String(contentsOfFile: state + "/events.jsonl", encoding: .utf8)
    #expect(log.contains("\"kind\": \"feed_stale\""))
  }

  /// The errors a user meets: one line, exit 1, the state folder as it was.
  @Test func configurationErrorsAreOneLineAndLeaveTheStateAlone() throws {
    let strategy = Self.strategies[0]
    let sim = try ExchangeSim(data: Self.aapl, faults: "auth-fail")
    // Credentials refused.
    let (refused, state) = try Self.paper(sim, "alpaca", strategy)
    #expect(refused.status == 1 && refused.stderr == "kairos: error: alpaca: error 402: auth failed (check APCA_API_KEY_ID and APCA_API_SECRET_KEY)\n", "\(refused.stderr)")
    #expect(!FileManager.default.fileExists(atPath: state), "a failed first run left a state folder")
    // No credentials at all.
    let bare = try Run(["paper"] + sim.flags("alpaca") + ["--state", state] + strategy, environment: ["APCA_API_KEY_ID": "", "APCA_API_SECRET_KEY": ""])
    #expect(bare.status == 1 && bare.stderr.contains("needs APCA_API_KEY_ID and APCA_API_SECRET_KEY in the environment"), "\(bare.stderr)")
    // A URL that refuses (nothing listens on the port any more).
    let closed = sim.port
    let refusing = try Run(["paper", "--feed", "binance", "--symbols", "AAPL", "--interval", "1d", "--feed-url", "ws://127.0.0.1:1", "--rest-url", "http://127.0.0.1:\(closed)",
                            "--state", state] + strategy)
    #expect(refusing.status == 1 && refusing.stderr.hasPrefix("kairos: error: cannot open the stream ws://127.0.0.1:1/stream?streams=aapl@kline_1d"), "\(refusing.stderr)")
    #expect(refusing.stderr.split(separator: "\n").count == 1)
    // A state folder of another session, after a good run: nothing in it changes.
    let good = try ExchangeSim(data: Self.aapl)
    let (ok, kept) = try Self.paper(good, "binance", strategy)
    #expect(ok.status == 0, "\(ok.stderr)")
    // A symbol the venue does not have.
    var unknownFlags = good.flags("binance")
    unknownFlags[unknownFlags.firstIndex(of: "AAPL")!] = "NOSUCH"
    let unknown = try Run(["paper"] + unknownFlags + ["--from", Self.first, "--state", state] + strategy)
    #expect(unknown.status == 1 && unknown.stderr.contains("Invalid symbol") && unknown.stderr.split(separator: "\n").count == 1, "\(unknown.stderr)")
    #expect(!FileManager.default.fileExists(atPath: state))
    let before = try Self.snapshot(kept)
    let other = try Run(["paper"] + good.flags("binance") + ["--state", kept, "--strategy", "sma-cross", "--param", "fast=5", "--param", "slow=40"])
    #expect(other.status == 1 && other.stderr.contains("holds a session of other settings"), "\(other.stderr)")
    let refusedResume = try Run(["paper"] + sim.flags("alpaca") + ["--state", kept] + strategy, environment: Self.credentials)
    #expect(refusedResume.status == 1, "\(refusedResume.stderr)")
    #expect(try Self.snapshot(kept) == before, "the state folder changed")
    // A read-only state folder.
    chmod(kept, 0o555)
    defer { chmod(kept, 0o755) }
    let readOnly = try Run(["paper"] + good.flags("binance") + ["--state", kept] + strategy)
    #expect(readOnly.status == 1 && readOnly.stderr.contains("the folder is read-only"), "\(readOnly.stderr)")
  }

  /// The state folder's files and their bytes (the WAL files aside: SQLite's own).
  /// Every file under `folder` (the reports' subfolders included), by relative path.
  static func snapshot(_ folder: String) throws -> [String: Data] {
    var files: [String: Data] = [:]
    for name in FileManager.default.subpaths(atPath: folder) ?? [] where !name.hasSuffix("-wal") && !name.hasSuffix("-shm") {
      var directory: ObjCBool = false
      let path = URL(fileURLWithPath: folder).appendingPathComponent(name).path
      if FileManager.default.fileExists(atPath: path, isDirectory: &directory), !directory.boolValue { files[name] = try Data(contentsOf: URL(fileURLWithPath: path)) }
    }
    return files
  }
}
