import Foundation
import KairosIO
import KairosTestSupport
import Testing

/// Results are never lost or damaged: a signal stops a sweep cleanly with no file left behind,
/// the summary cannot overwrite the results, and writes go through symlinks and into special
/// files instead of replacing them.
@Suite struct FileSafetyTests {
  let aapl = TestPaths.sample("aapl_daily_unadjusted.csv")

  @Test(arguments: [SIGTERM, SIGHUP, SIGINT])
  func aSignalStopsASweepAndLeavesNoFile(signal: Int32) throws {
    let directory = TestPaths.temporaryDirectory()
    let process = Process()
    process.executableURL = Run.binary
    // A grid long enough to be still running when the signal comes (about 50,000 combinations).
    process.arguments = ["sweep", "--data", aapl, "--strategy", "sma-cross", "--grid", "fast=1:250", "--grid", "slow=2:400",
                         "--where", "fast<slow", "--threads", "1", "--quiet", "--out", directory.appendingPathComponent("r.csv").path]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    // Signal once the sweep is writing (its temporary file exists): the case where a file
    // could be left behind.
    let start = Date()
    func empty() -> Bool { ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).isEmpty }
    while process.isRunning && Date().timeIntervalSince(start) < 60 && empty() { Thread.sleep(forTimeInterval: 0.05) }
    #expect(process.isRunning, "the sweep ended before the signal")
    kill(process.processIdentifier, signal)
    let deadline = Date().addingTimeInterval(20)
    while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
    if process.isRunning { process.terminate() }
    #expect(!process.isRunning)
    #expect(process.terminationReason == .exit, "ended by a signal, not by itself")
    #expect(process.terminationStatus == 1)
    let left = try FileManager.default.contentsOfDirectory(atPath: directory.path)
    #expect(left.isEmpty, "left: \(left)")
  }

  @Test func theSummaryCannotTakeTheResultsPlace() throws {
    let out = TestPaths.temporaryDirectory().appendingPathComponent("r.json").path
    let run = try Run(["sweep", "--data", aapl, "--strategy", "sma-cross", "--grid", "fast=5", "--grid", "slow=20", "--out", out])
    #expect(run.status == 2 && run.stderr.contains("cannot be a .json file") && !FileManager.default.fileExists(atPath: out))
  }

  @Test func writesGoThroughSymlinksAndIntoSpecialFiles() throws {
    let directory = TestPaths.temporaryDirectory()
    let target = directory.appendingPathComponent("target.csv").path, link = directory.appendingPathComponent("link.csv").path
    try "old".write(toFile: target, atomically: false, encoding: .utf8)
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "target.csv")
    try AtomicFile.write("new\n", to: link)
    #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == "target.csv")
    #expect(try String(contentsOfFile: target, encoding: .utf8) == "new\n")
    // /dev/null stays a device (as root, replacing it would break the machine).
    try AtomicFile.write("nothing\n", to: "/dev/null")
    var info = stat()
    #expect(stat("/dev/null", &info) == 0 && (info.st_mode & S_IFMT) == S_IFCHR)
    let run = try Run(["sweep", "--data", aapl, "--strategy", "sma-cross", "--grid", "fast=5", "--grid", "slow=20", "--quiet",
                       "--out", directory.appendingPathComponent("viaLink.csv").path])
    #expect(run.status == 0)
    // A sweep into a symlink writes the target.
    let results = directory.appendingPathComponent("results.csv").path, alias = directory.appendingPathComponent("alias.csv").path
    try FileManager.default.createSymbolicLink(atPath: alias, withDestinationPath: results)
    #expect(try Run(["sweep", "--data", aapl, "--strategy", "sma-cross", "--grid", "fast=5", "--grid", "slow=20", "--quiet", "--out", alias]).status == 0)
    #expect(try FileManager.default.destinationOfSymbolicLink(atPath: alias) == results)
    #expect(try String(contentsOfFile: results, encoding: .utf8).hasPrefix("asset,fast,slow,total_return"))
  }

  @Test func badInputsThatUsedToCrashOrPass() throws {
    let directory = TestPaths.temporaryDirectory()
    // data check on a folder: a verdict, not a crash.
    let check = try Run(["data", "check", directory.path])
    #expect(check.status == 1 && check.stderr.contains("it is a directory, expected a CSV file"), "\(check.stderr)")
    // A "probability" column of prices.
    let prices = directory.appendingPathComponent("p.csv").path
    try "timestamp,probability\n2001-01-02,0.5\n2001-01-03,31.5\n".write(toFile: prices, atomically: true, encoding: .utf8)
    let model = try Run(["backtest", "--data", aapl, "--strategy", "model", "--probabilities", prices, "--out", directory.appendingPathComponent("bt").path])
    #expect(model.status == 1 && model.stderr.contains("p.csv:3") && model.stderr.contains("a probability in [0, 1]"), "\(model.stderr)")
    // The label as a feature.
    let table = directory.appendingPathComponent("t.csv").path
    try "timestamp,x,y\n2001-01-02,1,0\n2001-01-03,2,1\n2001-01-04,3,0\n".write(toFile: table, atomically: true, encoding: .utf8)
    let train = try Run(["train", "--features-csv", table, "--label", "y", "--model", "logistic", "--features", "x,y", "--out", directory.appendingPathComponent("m.json").path])
    #expect(train.status == 1 && train.stderr.contains("the label 'y' is also listed as a feature"), "\(train.stderr)")
  }
}
