import Foundation
@testable import KairosCLI
import KairosTestSupport
import Testing

/// Runs the built `kairos` binary and captures its output and exit code.
struct Run {
  let status: Int32
  let stdout: String
  let stderr: String

  static let binary: URL = {
    let candidates = [
      Bundle.main.bundleURL.appendingPathComponent("kairos"),
      Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("kairos"),
      TestPaths.repositoryRoot.appendingPathComponent(".build/debug/kairos"),
    ]
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
  }()

  init(_ arguments: [String]) throws {
    let process = Process()
    process.executableURL = Run.binary
    process.arguments = arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    status = process.terminationStatus
    stdout = String(decoding: outData, as: UTF8.self)
    stderr = String(decoding: errData, as: UTF8.self)
  }
}

@Suite struct CLITests {
  let aapl = TestPaths.sample("aapl_daily_unadjusted.csv")
  let actions = TestPaths.sample("aapl_corporate_actions.csv")

  @Test func versionAndHelpWithExamples() throws {
    let version = try Run(["--version"])
    #expect(version.status == 0 && version.stdout == "0.1.0\n")
    for command in [[], ["data"], ["data", "check"], ["data", "resample"], ["data", "adjust"], ["data", "generate"]] {
      let help = try Run(command + ["--help"])
      #expect(help.status == 0)
      #expect(help.stdout.contains("Examples:"), "\(command)")
    }
  }

  @Test func badUsageExitsTwo() throws {
    let unknown = try Run(["data", "check", "--frobnicate", aapl])
    #expect(unknown.status == 2)
    #expect(unknown.stderr.contains("Unknown option"))
    let missing = try Run(["data", "resample", aapl, "--out", "/tmp/x.csv"])
    #expect(missing.status == 2)
    let invalid = try Run(["data", "resample", aapl, "--every", "3y", "--out", "/tmp/x.csv"])
    #expect(invalid.status == 2 && invalid.stderr.contains("--every"))
    let generate = try Run(["data", "generate", "--bars", "0", "--out", "/tmp/x"])
    #expect(generate.status == 2 && generate.stderr.contains("--bars must be at least 1"))
  }

  @Test func dataErrorsExitOneWithOneLine() throws {
    let path = TestPaths.writeTemporary("timestamp,open,high,low,close,volume\n2020-01-01,1,2,x,1,1\n")
    let run = try Run(["data", "resample", path, "--every", "1w", "--out", path + ".out"])
    #expect(run.status == 1)
    #expect(run.stderr == "kairos: error: \(path):2:4: malformed number 'x' in column 4 ('low'); expected a decimal number such as 12.5, 1e-3, NaN or an empty field\n")
    #expect(!FileManager.default.fileExists(atPath: path + ".out"))  // nothing half-written
    let missing = try Run(["data", "adjust", "/nonexistent.csv", "--out", "/tmp/x.csv"])
    #expect(missing.status == 1 && missing.stderr.split(separator: "\n").count == 1)
  }

  @Test func checkBundledDataIsUsable() throws {
    let run = try Run(["data", "check", aapl, actions])
    #expect(run.status == 0)
    #expect(run.stdout.contains("rows              3,270"))
    #expect(run.stdout.contains("2000-03-01 … 2013-03-01"))
    #expect(run.stdout.contains("suspected splits  2: 2000-06-21"))
    let json = try Run(["data", "check", aapl, "--json"])
    let reports = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [[String: Any]]
    #expect(reports[0]["rows"] as? Int == 3270 && reports[0]["usable"] as? Bool == true)
  }

  @Test func checkUnusableFileExitsOne() throws {
    let path = TestPaths.writeTemporary("timestamp,open,high,low,close,volume\n2020-01-01,1,0.5,0.4,1,100\n")
    let run = try Run(["data", "check", path])
    #expect(run.status == 1)
    #expect(run.stdout.contains("NOT USABLE: 1 rows with high < max(open, close)"))
    #expect(run.stderr.contains("is not usable"))
  }

  @Test func resampleAdjustGenerateEndToEnd() throws {
    let directory = TestPaths.temporaryDirectory()
    let weekly = directory.appendingPathComponent("weekly.csv").path
    let resample = try Run(["data", "resample", aapl, "--every", "1w", "--out", weekly])
    #expect(resample.status == 0)
    let lines = try String(contentsOfFile: weekly, encoding: .utf8).split(separator: "\n")
    #expect(lines[0] == "timestamp,open,high,low,close,volume,adj_close")
    #expect(lines[1].hasPrefix("2000-02-28,118.56,"))  // the week of Wednesday 2000-03-01 starts Monday 02-28

    let adjusted = directory.appendingPathComponent("adjusted.csv").path
    let adjust = try Run(["data", "adjust", aapl, "--actions", actions, "--out", adjusted])
    #expect(adjust.status == 0 && adjust.stderr.contains("applied 5 corporate actions"))
    let check = try Run(["data", "check", adjusted])
    #expect(check.status == 0 && check.stdout.contains("suspected splits  0"))

    let a = try Run(["data", "generate", "--bars", "300", "--assets", "2", "--seed", "5", "--out", directory.appendingPathComponent("a").path])
    let b = try Run(["data", "generate", "--bars", "300", "--assets", "2", "--seed", "5", "--out", directory.appendingPathComponent("b").path])
    #expect(a.status == 0 && a.stdout.split(separator: "\n").count == 2)
    for name in ["SYN1.csv", "SYN2.csv"] {
      let x = try Data(contentsOf: directory.appendingPathComponent("a").appendingPathComponent(name))
      let y = try Data(contentsOf: directory.appendingPathComponent("b").appendingPathComponent(name))
      #expect(x == y && x.count > 1000)
    }
    let generated = try Run(["data", "check", directory.appendingPathComponent("a/SYN1.csv").path])
    #expect(generated.status == 0 && generated.stdout.contains("rows              300"))
  }

  @Test func parsingThroughTheCommandType() throws {
    let command = try KairosCommand.parseAsRoot(["data", "resample", "f.csv", "--every", "1h", "--out", "o.csv", "--sort", "--dedupe", "keep-last"])
    let resample = try #require(command as? DataResampleCommand)
    #expect(resample.read.sort && resample.read.dedupe == .keepLast && resample.every == "1h")
  }
}
