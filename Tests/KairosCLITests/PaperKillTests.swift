import Foundation
import KairosIO
import KairosTestSupport
import Testing

/// `kill -9` at any moment loses no fill and duplicates none: a paper session on a replayed
/// file is killed again and again at random moments and restarted on the same state folder
/// until it finishes; its export is then the backtest's files, byte for byte.
@Suite struct PaperKillTests {
  @Test func killNineAtRandomMomentsLosesAndDuplicatesNothing() throws {
    let directory = TestPaths.temporaryDirectory()
    let state = directory.appendingPathComponent("state").path, export = directory.appendingPathComponent("export").path
    let bt = directory.appendingPathComponent("bt").path
    let aapl = TestPaths.sample(SampleData.aaplDailyUnadjusted)
    let strategy = ["--strategy", "sma-cross", "--param", "fast=10", "--param", "slow=40", "--fee", "0.001", "--lot-size", "1", "--shorts"]
    var random = SystemRandomNumberGenerator()
    var kills = 0, runs = 0
    let deadline = Date().addingTimeInterval(120)  // bounded: the test stops by itself
    while Date() < deadline {
      let process = Process()
      process.executableURL = Run.binary
      // A little slower than flat out, so that kills land in the middle of the file.
      process.arguments = ["paper", "--feed", "replay", "--data", aapl, "--speed", "20000000", "--state", state] + strategy
      process.standardOutput = FileHandle.nullDevice
      process.standardError = FileHandle.nullDevice
      try process.run()
      runs += 1
      let wait = Double.random(in: 0.05...0.6, using: &random)
      let end = Date().addingTimeInterval(wait)
      while process.isRunning && Date() < end { usleep(5_000) }
      if process.isRunning && runs < 12 {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        kills += 1
        continue
      }
      process.waitUntilExit()
      #expect(process.terminationStatus == 0, "run \(runs) ended with \(process.terminationStatus)")
      break
    }
    #expect(kills >= 3, "only \(kills) kills landed mid-run")
    #expect(try Run(["paper", "export", "--state", state, "--out", export]).status == 0)
    #expect(try Run(["backtest", "--data", aapl, "--out", bt] + strategy).status == 0)
    for name in ["equity.csv", "trades.csv", "orders.csv", "metrics.json"] {
      let a = try Data(contentsOf: URL(fileURLWithPath: export + "/" + name)), b = try Data(contentsOf: URL(fileURLWithPath: bt + "/" + name))
      #expect(a == b, "\(name) differs after \(kills) kills")
    }
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
