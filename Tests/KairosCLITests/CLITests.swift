import Foundation
@testable import KairosCLI
import KairosIO
@testable import KairosReports
import KairosBacktest
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

  /// Runs the binary with `arguments`, and `environment` added to this process's.
  init(_ arguments: [String], environment: [String: String] = [:]) throws {
    let process = Process()
    process.executableURL = Run.binary
    process.arguments = arguments
    if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
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
    let missing = try Run(["data", "resample", aapl, "--out", TestPaths.temporaryDirectory().appendingPathComponent("x.csv").path])
    #expect(missing.status == 2)
    let invalid = try Run(["data", "resample", aapl, "--every", "3y", "--out", TestPaths.temporaryDirectory().appendingPathComponent("x.csv").path])
    #expect(invalid.status == 2 && invalid.stderr.contains("--every"))
    let generate = try Run(["data", "generate", "--bars", "0", "--out", TestPaths.temporaryDirectory().appendingPathComponent("x").path])
    #expect(generate.status == 2 && generate.stderr.contains("--bars must be at least 1"))
    // A usage error found while running (a grid's parameter, after the strategy is known)
    // points at the subcommand's help, not at the root's usage line.
    let grid = try Run(["sweep", "--data", aapl, "--strategy", "sma-cross", "--grid", "fastt=5:10", "--quiet",
                        "--out", TestPaths.temporaryDirectory().appendingPathComponent("r.csv").path])
    #expect(grid.status == 2)
    #expect(grid.stderr.hasPrefix("Error: unknown parameter 'fastt' for sma-cross; expected one of fast, slow,"), "\(grid.stderr)")
    #expect(grid.stderr.hasSuffix("\n  See 'kairos sweep run --help' for more information.\n") && !grid.stderr.contains("<subcommand>"), "\(grid.stderr)")
  }

  @Test func dataErrorsExitOneWithOneLine() throws {
    let path = TestPaths.writeTemporary("timestamp,open,high,low,close,volume\n2020-01-01,1,2,x,1,1\n")
    let run = try Run(["data", "resample", path, "--every", "1w", "--out", path + ".out"])
    #expect(run.status == 1)
    #expect(run.stderr == "kairos: error: \(path):2:4: malformed number 'x' in column 4 ('low'); expected a decimal number such as 12.5, 1e-3, NaN or an empty field\n")
    #expect(!FileManager.default.fileExists(atPath: path + ".out"))  // nothing half-written
    let missing = try Run(["data", "adjust", "/nonexistent.csv", "--out", TestPaths.temporaryDirectory().appendingPathComponent("x.csv").path])
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

@Suite struct ModelCLITests {
  let aapl = TestPaths.sample("aapl_daily_unadjusted.csv")
  let spec = """
    features:
      - kind: log_returns
      - kind: rsi
      - kind: zscore
        window: 20
    target: next_return_sign
    """

  @Test func featuresTrainPredictEndToEnd() throws {
    let directory = TestPaths.temporaryDirectory()
    let specPath = directory.appendingPathComponent("spec.yaml").path
    try spec.write(toFile: specPath, atomically: true, encoding: .utf8)
    let features = directory.appendingPathComponent("features.csv").path
    let run = try Run(["features", aapl, "--spec", specPath, "--out", features])
    #expect(run.status == 0 && run.stderr.contains("3 features and the target on 3251 of 3270 rows"))
    let header = try String(contentsOfFile: features, encoding: .utf8).split(separator: "\n")[0]
    #expect(header == "timestamp,log_returns_1,rsi_14,zscore_20,target")

    let model = directory.appendingPathComponent("model.json").path
    let train = try Run(["train", "--features-csv", features, "--label", "target", "--model", "logistic", "--l2", "0.5,5", "--standardize", "--out", model])
    #expect(train.status == 0 && train.stderr.contains("left out 1 row without a label"))
    let fitted = directory.appendingPathComponent("model.l2-0.5.json").path
    #expect(FileManager.default.fileExists(atPath: fitted) && FileManager.default.fileExists(atPath: directory.appendingPathComponent("model.l2-5.json").path))

    let predictions = directory.appendingPathComponent("predictions.csv").path
    let predict = try Run(["predict", "--model", fitted, "--features-csv", features, "--out", predictions])
    #expect(predict.status == 0)
    let lines = try String(contentsOfFile: predictions, encoding: .utf8).split(separator: "\n")
    #expect(lines[0] == "timestamp,prediction,probability" && lines.count == 3252)
  }

  @Test func trainRejectsBadInputWithClearMessages() throws {
    let directory = TestPaths.temporaryDirectory()
    let table = directory.appendingPathComponent("t.csv").path
    try "timestamp,a,b,y\n2020-01-01,1,5,0\n2020-01-02,NaN,5,1\n2020-01-03,3,5,2\n2020-01-04,4,5,1\n2020-01-05,2,5,0\n".write(toFile: table, atomically: true, encoding: .utf8)
    let out = directory.appendingPathComponent("m.json").path
    let missing = try Run(["train", "--features-csv", table, "--label", "z", "--model", "ridge", "--out", out])
    #expect(missing.status == 1 && missing.stderr.contains("needs column 'z'"))
    let nan = try Run(["train", "--features-csv", table, "--label", "y", "--model", "ridge", "--out", out])
    #expect(nan.status == 1 && nan.stderr.contains("data row 2 (2020-01-02) has NaN or infinity in 'a'; use --drop-nan"))
    let labels = try Run(["train", "--features-csv", table, "--label", "y", "--model", "logistic", "--drop-nan", "--out", out])
    #expect(labels.status == 1 && labels.stderr.contains("needs labels 0 or 1"))
    let negative = try Run(["train", "--features-csv", table, "--label", "y", "--model", "ridge", "--l2=-1", "--out", out])
    #expect(negative.status == 2 && negative.stderr.contains("--l2 must be >= 0, was -1"))
    let ridge = try Run(["train", "--features-csv", table, "--label", "y", "--model", "ridge", "--drop-nan", "--out", out])
    #expect(ridge.status == 0 && ridge.stderr.contains("constant column (no information): b") && ridge.stderr.contains("left out 1 row with NaN features"))
    let few = try Run(["train", "--features-csv", table, "--label", "y", "--model", "ridge", "--features", "a,b", "--drop-nan", "--l2", "1", "--out", out])
    #expect(few.status == 0)
    let wrongModel = try Run(["predict", "--model", out, "--features-csv", TestPaths.writeTemporary("timestamp,q\n2020-01-01,1\n"), "--out", "-"])
    #expect(wrongModel.status == 1 && wrongModel.stderr.contains("the model expects features a,b"))
  }
}

@Suite struct BacktestCLITests {
  let aapl = TestPaths.sample("aapl_daily_unadjusted.csv")

  @Test func sweepIsIdenticalForOneAndTwoThreadsAndHonoursTheConfig() throws {
    let directory = TestPaths.temporaryDirectory()
    let a = directory.appendingPathComponent("a.csv").path, b = directory.appendingPathComponent("b.csv").path
    let common = ["sweep", "--data", aapl, "--strategy", "sma-cross", "--grid", "fast=5:20:5", "--grid", "slow=30:60:10", "--fee", "0.001", "--quiet"]
    let one = try Run(common + ["--threads", "1", "--out", a]), two = try Run(common + ["--threads", "2", "--out", b])
    #expect(one.status == 0 && two.status == 0)
    #expect(try Data(contentsOf: URL(fileURLWithPath: a)) == Data(contentsOf: URL(fileURLWithPath: b)))
    let lines = try String(contentsOfFile: a, encoding: .utf8).split(separator: "\n")
    #expect(lines[0].hasPrefix("asset,fast,slow,total_return,cagr,volatility,sharpe") && lines.count == 1 + 4 * 4)
    #expect(lines[1].hasPrefix("aapl_daily_unadjusted,5,30,") && lines[2].hasPrefix("aapl_daily_unadjusted,5,40,"))
    #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("a.json").path))
    // The same run from a config file; a flag wins over it.
    let config = directory.appendingPathComponent("sweep.yaml").path
    try "data: \(aapl)\nstrategy: sma-cross\ngrid: [\"fast=5:20:5\", \"slow=30:60:10\"]\nfee: 0.5\nthreads: 1\n".write(toFile: config, atomically: true, encoding: .utf8)
    let c = directory.appendingPathComponent("c.csv").path
    let fromConfig = try Run(["sweep", "--config", config, "--fee", "0.001", "--quiet", "--out", c])
    #expect(fromConfig.status == 0)
    #expect(try Data(contentsOf: URL(fileURLWithPath: a)) == Data(contentsOf: URL(fileURLWithPath: c)))
  }

  /// A fixed parameter of a sweep is applied and written as a column: the row equals the
  /// backtest with the same parameters (it used to be ignored for the strategy's own ones).
  @Test func fixedSweepParametersAreAppliedAndWritten() throws {
    let directory = TestPaths.temporaryDirectory()
    let results = directory.appendingPathComponent("r.csv").path, bt = directory.appendingPathComponent("bt").path
    #expect(try Run(["sweep", "--data", aapl, "--strategy", "sma-cross", "--grid", "fast=10", "--param", "slow=200", "--param", "stop_atr=2",
                     "--fee", "0.001", "--out", results, "--quiet"]).status == 0)
    #expect(try Run(["backtest", "--data", aapl, "--strategy", "sma-cross", "--param", "fast=10", "--param", "slow=200", "--param", "stop_atr=2",
                     "--fee", "0.001", "--out", bt]).status == 0)
    let table = try CSVTable.read(path: results)
    #expect(table.header.prefix(4) == ["asset", "fast", "slow", "stop_atr"] && table.rows.count == 1)
    #expect(table.rows[0][1...3] == ["10", "200", "2"])
    // The same text, both in shortest round-trip form (Foundation's JSON parser may round).
    let json = try String(contentsOfFile: bt + "/metrics.json", encoding: .utf8)
    for name in ["total_return", "sharpe", "trades", "max_drawdown"] {
      let swept = table.rows[0][try table.column(name)]
      #expect(json.contains("\"\(name)\": \(swept),") || json.contains("\"\(name)\": \(swept)\n"), "\(name): \(swept) not in metrics.json")
    }
    let clash = try Run(["sweep", "--data", aapl, "--strategy", "sma-cross", "--grid", "fast=10", "--param", "fast=12", "--out", results])
    #expect(clash.status == 2 && clash.stderr.contains("both swept"))
  }

  /// The report of an intraday run is annualized with the run's periods per year and has one
  /// `sessions.csv` row per NYSE session: the shared SPY minute file has 43 (its README).
  @Test func intradayReportsGoBySession() throws {
    let directory = TestPaths.temporaryDirectory()
    let run = directory.appendingPathComponent("run").path, report = directory.appendingPathComponent("report").path
    #expect(try Run(["backtest", "--data", try TestPaths.sharedData("spy_minute_2011.csv"), "--strategy", "sma-cross", "--param", "fast=30",
                     "--param", "slow=120", "--out", run]).status == 0)
    #expect(try Run(["report", "--run", run, "--out", report]).status == 0)
    let sessions = try CSVTable.read(path: report + "/sessions.csv")
    #expect(sessions.rows.count == 43 && Set(sessions.rows.map { $0[0] }).count == 43)
    let bars = try sessions.column("bars"), pnl = try sessions.column("pnl")
    #expect(sessions.rows.reduce(0) { $0 + Int($1[bars])! } == 31_757)
    let equity = try CSVTable.read(path: run + "/equity.csv")
    let last = Double(equity.rows.last![try equity.column("equity")])!
    #expect(abs(sessions.rows.reduce(0) { $0 + Double($1[pnl])! } - (last - 100_000)) < 1e-6)
    let metrics = try String(contentsOfFile: run + "/metrics.json", encoding: .utf8)
    #expect(metrics.contains("\"periods_per_year\": 98280"))
  }

  /// Lots and the cross trigger are sweepable: the `trigger=1, lot_size=5` row equals
  /// `backtest --trigger cross --lot-size 5`, and the `trigger=0` row the default.
  @Test func lotsAndTriggerAreSweepableAndMatchTheFlags() throws {
    let directory = TestPaths.temporaryDirectory()
    let results = directory.appendingPathComponent("r.csv").path
    #expect(try Run(["sweep", "--data", aapl, "--strategy", "sma-cross", "--grid", "trigger=0,1", "--param", "fast=10", "--param", "slow=30",
                     "--param", "lot_size=5", "--fee", "0.002", "--out", results, "--quiet"]).status == 0)
    let table = try CSVTable.read(path: results)
    #expect(table.rows.count == 2 && table.header.contains("trigger") && table.header.contains("lot_size"))
    for (row, flags) in [(0, ["--trigger", "level"]), (1, ["--trigger", "cross"])] {
      let bt = directory.appendingPathComponent("bt\(row)").path
      #expect(try Run(["backtest", "--data", aapl, "--strategy", "sma-cross", "--param", "fast=10", "--param", "slow=30",
                       "--lot-size", "5", "--fee", "0.002", "--out", bt] + flags).status == 0)
      let json = try String(contentsOfFile: bt + "/metrics.json", encoding: .utf8)
      for name in ["total_return", "trades"] {
        let swept = table.rows[row][try table.column(name)]
        #expect(json.contains("\"\(name)\": \(swept),"), "row \(row) \(name): \(swept)")
      }
      let orders = try CSVTable.read(path: bt + "/orders.csv")
      let units = try orders.column("units")
      #expect(orders.rows.allSatisfy { Double($0[units])!.truncatingRemainder(dividingBy: 5) == 0 })
    }
    let bad = try Run(["backtest", "--data", aapl, "--strategy", "sma-cross", "--trigger", "sideways", "--out", directory.path + "/x"])
    #expect(bad.status == 2 && bad.stderr.contains("trigger"))
    let badLot = try Run(["backtest", "--data", aapl, "--strategy", "sma-cross", "--lot-size", "0", "--out", directory.path + "/y"])
    #expect(badLot.status == 2 && badLot.stderr.contains("lot_size"))
  }

  /// A misspelled key is an error naming the file, line and nearest key — in every config and
  /// in a feature spec — never a silent default.
  @Test func everyConfigRejectsAMisspelledKey() throws {
    let directory = TestPaths.temporaryDirectory()
    func write(_ name: String, _ text: String) throws -> String {
      let path = directory.appendingPathComponent(name).path
      try text.write(toFile: path, atomically: true, encoding: .utf8)
      return path
    }
    let run = try write("run.yaml", "data: \(aapl)\nstrategy: sma-cross\nfees: 0.001\n")
    for command in [["backtest", "--out", directory.appendingPathComponent("bt").path], ["sweep", "--out", directory.appendingPathComponent("r.csv").path]] {
      let result = try Run([command[0], "--config", run] + command.dropFirst())
      // An error in a file's content is a user error (1), not bad usage.
      #expect(result.status == 1 && result.stderr.contains("run.yaml:3:1: unknown key 'fees'; did you mean 'fee'?"), "\(command[0]): \(result.stderr)")
    }
    let compare = try write("compare.yaml", "data: \(aapl)\nstrategies:\n  - strategy: sma-cross\n    param: {fast: 5}\n")
    let c = try Run(["compare", "--config", compare, "--out", directory.appendingPathComponent("cmp").path])
    #expect(c.status == 1 && c.stderr.contains("compare.yaml:4:5: unknown key 'param' in strategies[0]; did you mean 'params'?"), "\(c.stderr)")
    let twice = try write("twice.yaml", "data: \(aapl)\nstrategy: sma-cross\nfee: 0.001\nfee: 0.002\n")
    let t = try Run(["backtest", "--config", twice, "--out", directory.appendingPathComponent("bt2").path])
    #expect(t.status == 1 && t.stderr.contains("the key 'fee' is given twice"), "\(t.stderr)")
    let spec = try write("spec.yaml", "features:\n  - kind: sma\n    windw: 20\ntarget: next_return_sign\n")
    let f = try Run(["features", aapl, "--spec", spec, "--out", "-"])
    #expect(f.status != 0 && f.stderr.contains("spec.yaml:3:5: unknown key 'windw' in features[0]; did you mean 'window'?"), "\(f.stderr)")
    let walk = try write("wf.yaml", "data: \(aapl)\nspec: \(spec)\nfold: 3\n")
    let w = try Run(["walkforward", "--config", walk, "--out", directory.appendingPathComponent("wf").path])
    #expect(w.status == 1 && w.stderr.contains("unknown key 'fold'; did you mean 'folds'?"), "\(w.stderr)")
  }

  /// Values outside their domain are refused before any work, for flags and configs alike
  /// (each of these used to run, hang or trap).
  @Test func numericOptionsAreCheckedAgainstTheirDomains() throws {
    let directory = TestPaths.temporaryDirectory()
    let out = directory.appendingPathComponent("x").path, results = directory.appendingPathComponent("r.csv").path
    let threads = directory.appendingPathComponent("threads.yaml").path
    try "data: \(aapl)\nstrategy: sma-cross\nthreads: -1\n".write(toFile: threads, atomically: true, encoding: .utf8)
    let cases: [([String], Int32, String)] = [
      (["backtest", "--data", aapl, "--strategy", "sma-cross", "--slippage", "1.5", "--out", out], 2, "slippage: must be a fraction in [0, 1)"),
      (["backtest", "--data", aapl, "--strategy", "sma-cross", "--fee", "2", "--out", out], 2, "fee: must be a fraction in [0, 1)"),
      (["sweep", "--data", aapl, "--strategy", "sma-cross", "--top=-1", "--out", results], 2, "--top must be in 1...100000000"),
      (["sweep", "--data", aapl, "--strategy", "sma-cross", "--threads", "0", "--out", results], 2, "--threads must be in 1...1024"),
      (["sweep", "--config", threads, "--out", results], 1, "threads.yaml: threads must be in 1...1024"),
      (["demo", "--threads", "0"], 2, "--threads must be in 1...1024"),
      (["data", "generate", "--bars", "200000", "--out", out], 2, "would run past 2261-12-31"),
      (["data", "resample", aapl, "--every", "200000w", "--out", "-"], 2, "200000w is longer than 100 years"),
      // A grid one run cannot index (10¹² combinations) is refused at once, before any work; a
      // grid of 10⁸ now runs with flat memory (4 bytes per combination at most).
      (["sweep", "--data", aapl, "--strategy", "sma-cross", "--grid", "fast=1:10000", "--grid", "slow=1:10000", "--grid", "stop_atr=0:9999:1", "--out", results],
       2, "1000000000000 combinations (before the constraint), more than the 4294967295 one run can index"),
    ]
    for (arguments, status, message) in cases {
      let run = try Run(arguments)
      #expect(run.status == status && run.stderr.contains(message), "\(arguments.joined(separator: " ")): \(run.status) \(run.stderr)")
    }
    // Timestamps at the ends of the accepted range (1678 to 2261) go through every command;
    // beyond them, and epoch numbers too large for nanoseconds, are errors naming the cell.
    let edges = directory.appendingPathComponent("edges.csv").path
    try "date,open,high,low,close,volume\n1678-01-01,1,1,1,1,1\n1678-01-02,1,1,1,1,1\n2261-12-30,1,1,1,1,1\n2261-12-31T23:59:59Z,1,1,1,1,1\n"
      .write(toFile: edges, atomically: true, encoding: .utf8)
    for arguments in [["data", "check", edges], ["backtest", "--data", edges, "--strategy", "sma-cross", "--param", "fast=1", "--param", "slow=2", "--out", out],
                      ["data", "resample", edges, "--every", "1d", "--out", "-"], ["sweep", "--data", edges, "--strategy", "sma-cross", "--grid", "fast=1", "--grid", "slow=2", "--out", results]] {
      let run = try Run(arguments)
      #expect(run.status == 0, "\(arguments.joined(separator: " ")): \(run.status) \(run.stderr.prefix(300))")
    }
    for text in ["1677-12-31", "2262-01-01", "99999999999", "99999999999999"] {
      let path = directory.appendingPathComponent("far.csv").path
      try "date,open,high,low,close,volume\n\(text),1,1,1,1,1\n".write(toFile: path, atomically: true, encoding: .utf8)
      let run = try Run(["backtest", "--data", path, "--strategy", "sma-cross", "--out", out])
      #expect(run.status == 1 && run.stderr.contains("far.csv:2:1: unknown timestamp format '\(text)'") && run.stderr.contains("from 1678-01-01 to 2261-12-31"),
              "\(text): \(run.stderr)")
    }
    // Prices at or below zero are not traded on.
    let bad = directory.appendingPathComponent("bad.csv").path
    try "date,open,high,low,close,volume\n2020-01-02,1,1,1,1,10\n2020-01-03,1,1,-1,0,10\n".write(toFile: bad, atomically: true, encoding: .utf8)
    let zero = try Run(["backtest", "--data", bad, "--strategy", "sma-cross", "--out", out])
    #expect(zero.status == 1 && zero.stderr.contains("data row 2 (2020-01-03) has a price <= 0"), "\(zero.stderr)")
  }

  @Test func sweepAndBacktestRejectBadInput() throws {
    let bad = try Run(["sweep", "--data", aapl, "--strategy", "sma-cross", "--grid", "fast=9:5", "--out", TestPaths.temporaryDirectory().appendingPathComponent("x.csv").path])
    #expect(bad.status == 2 && bad.stderr.contains("the range is empty"))
    let unknown = try Run(["sweep", "--data", aapl, "--strategy", "sma-cross", "--grid", "fats=5:9", "--out", TestPaths.temporaryDirectory().appendingPathComponent("x.csv").path])
    #expect(unknown.status == 2 && unknown.stderr.contains("unknown parameter 'fats'"))
    let model = try Run(["backtest", "--data", aapl, "--strategy", "model", "--out", TestPaths.temporaryDirectory().appendingPathComponent("x").path])
    #expect(model.status == 2 && model.stderr.contains("--strategy model needs --model"))
    let missing = try Run(["backtest", "--data", "/nonexistent.csv", "--strategy", "sma-cross", "--out", TestPaths.temporaryDirectory().appendingPathComponent("x").path])
    #expect(missing.status == 1 && missing.stderr.contains("no such file"))
  }

  @Test func backtestWritesTheDesignFiles() throws {
    let directory = TestPaths.temporaryDirectory().appendingPathComponent("bt").path
    let run = try Run(["backtest", "--data", aapl, "--strategy", "rsi-reversion", "--param", "stop_atr=2", "--fee", "0.001", "--out", directory])
    #expect(run.status == 0 && run.stdout.contains("sharpe"))
    for name in ["equity.csv", "trades.csv", "orders.csv", "metrics.json", "manifest.json"] {
      #expect(FileManager.default.fileExists(atPath: directory + "/" + name), "\(name)")
    }
    let metrics = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory + "/metrics.json"))) as! [String: Any]
    // The 17 metrics and the periods per year they were annualized with (weekday daily → 252).
    #expect(metrics.count == 18 && metrics["trades"] != nil && metrics["periods_per_year"] as? Double == 252)
    let trades = try String(contentsOfFile: directory + "/trades.csv", encoding: .utf8)
    #expect(trades.hasPrefix("entry_time,exit_time,entry_price,exit_price,units,pnl,return,bars_held,exit_reason\n"))
    let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory + "/manifest.json"))) as! [String: Any]
    #expect((manifest["data_files"] as! [[String: Any]])[0]["rows"] as? Int == 3270)

    // The library does what the commands did, byte for byte (the README's "Kairos as a
    // library" example, compiled here, in a folder of its own).
    let root = TestPaths.temporaryDirectory().appendingPathComponent("library").path
    try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: aapl, toPath: root + "/aapl.csv")
    // The README's relative paths, under `root` (tests run in parallel: no change of directory).
    func at(_ path: String) -> String { root + "/" + path }

    var configuration = BacktestConfiguration()
    configuration.fee = 0.001
    let market = try MarketSeries(name: "aapl", frame: try CSVReader.readOHLCV(path: at("aapl.csv")))
    let result = try backtest(.rsiReversion, parameters: ["stop_atr": 2], on: market, configuration: configuration)
    #expect(result.summary.trades > 0 && SharpeRatio.value(result.summary).isFinite)
    let libraryManifest = RunFolder.Manifest(command: ["my-script"], dataFiles: [RunFolder.dataFile(at("aapl.csv"), rows: market.count)],
                                      settings: configuration.manifestSettings, now: 0)
    try OutputFolder.write(try result.files(), manifest: libraryManifest, to: at("bt"))

    let grid = try ParameterGrid(["fast=5:20:5", "slow=50,100"])
    let job = try SweepJob(runner: StrategyRunner(kind: .smaCross, configuration: configuration), grid: grid, markets: [market])
    let outcome = try job.run(to: at("sweep/results.csv"), threads: 2)
    #expect(SweepJob.table(outcome.best.prefix(5), grid: grid, assets: ["aapl"]).split(separator: "\n").count == 6)

    let report = try BacktestReport(runDirectory: at("bt"), options: .init(sweepResults: at("sweep/results.csv")))
    try report.write(to: at("bt/report"))

    // The commands on the same inputs.
    let cli = root + "/cli"
    #expect(try Run(["sweep", "--data", root + "/aapl.csv", "--strategy", "sma-cross", "--grid", "fast=5:20:5", "--grid", "slow=50,100",
                     "--fee", "0.001", "--out", cli + "/sweep/results.csv", "--quiet"]).status == 0)
    #expect(try Run(["backtest", "--data", root + "/aapl.csv", "--strategy", "rsi-reversion", "--param", "stop_atr=2", "--fee", "0.001", "--out", cli + "/bt"]).status == 0)
    #expect(try Run(["report", "--run", cli + "/bt", "--sweep", cli + "/sweep/results.csv", "--out", cli + "/bt/report"]).status == 0)
    for name in ["equity.csv", "trades.csv", "orders.csv", "metrics.json"] + ["daily.csv", "reconciliation.csv", "exposure.csv"].map({ "report/" + $0 }) {
      #expect(try Data(contentsOf: URL(fileURLWithPath: cli + "/bt/" + name)) == Data(contentsOf: URL(fileURLWithPath: root + "/bt/" + name)), "\(name)")
    }
    #expect(try Data(contentsOf: URL(fileURLWithPath: cli + "/sweep/results.csv")) == Data(contentsOf: URL(fileURLWithPath: root + "/sweep/results.csv")))
    for name in ["equity.csv", "trades.csv", "orders.csv", "metrics.json"] {
      #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name)) == Data(contentsOf: URL(fileURLWithPath: root + "/bt/" + name)), "\(name)")
    }
  }

  @Test func demoWritesARunFolder() throws {
    let root = TestPaths.temporaryDirectory().path
    let run = try Run(["demo", "--export-dir", root, "--quiet"])
    #expect(run.status == 0 && run.stdout.contains("The ten best SMA-cross combinations"))
    let folders = try FileManager.default.contentsOfDirectory(atPath: root)
    #expect(folders.count == 1 && folders[0].hasSuffix("-demo"))
    let files = Set(try FileManager.default.contentsOfDirectory(atPath: root + "/" + folders[0]))
    #expect(files.isSuperset(of: ["manifest.json", "results.csv", "equity.csv", "trades.csv", "orders.csv", "metrics.json", "model.json"]))
    // The report carries the sweep heatmap and the walk-forward folds, and the engine's trade metrics.
    let html = try String(contentsOfFile: root + "/" + folders[0] + "/model_backtest/report/report.html", encoding: .utf8)
    #expect(html.components(separatedBy: "<svg").count == 10)  // the tear sheet's 7 charts, the sweep, the folds
    #expect(html.contains("<title>Sweep: sharpe by fast × slow</title>") && html.contains("<title>Walk-forward folds"))
    #expect(html.contains("<td>Trades</td>") && !html.contains("<td>Trades</td><td class=\"n\">0</td>"))
  }
}

@Suite struct WalkForwardCLITests {
  @Test func walkforwardWritesFoldsAndStitchedEquity() throws {
    let directory = TestPaths.temporaryDirectory()
    let spec = directory.appendingPathComponent("spec.yaml").path
    try "features:\n  - kind: log_returns\n  - kind: rsi\n  - kind: zscore\n    window: 20\ntarget: next_return_sign\n".write(toFile: spec, atomically: true, encoding: .utf8)
    let config = directory.appendingPathComponent("wf.yaml").path
    try "data: \(TestPaths.sample("aapl_daily_unadjusted.csv"))\nspec: \(spec)\nfolds: 2\nl2: [1]\nthresholds: [0.5, 0.55]\nsmoothing: [1]\nfee: 0.0005\n"
      .write(toFile: config, atomically: true, encoding: .utf8)
    let out = directory.appendingPathComponent("wf").path
    let run = try Run(["walkforward", "--config", config, "--out", out])
    #expect(run.status == 0 && run.stdout.contains("stitched out of sample"))
    for name in ["folds.csv", "validation.csv", "equity.csv", "metrics.json", "yearly.csv", "manifest.json", "models/fold-0.json", "models/fold-1.json"] {
      #expect(FileManager.default.fileExists(atPath: out + "/" + name), "\(name)")
    }
    let folds = try String(contentsOfFile: out + "/folds.csv", encoding: .utf8).split(separator: "\n")
    #expect(folds.count == 3 && folds[0].hasPrefix("fold,train_from,train_to,validation_from"))
    try "spec: \(spec)\nfolds: 2\nembargo: 0\n".write(toFile: config, atomically: true, encoding: .utf8)
    let bad = try Run(["walkforward", "--config", config, "--data", TestPaths.sample("aapl_daily_unadjusted.csv"), "--out", out])
    #expect(bad.status == 1 && bad.stderr.contains("embargo (0) must be at least the label horizon (1)"))
  }
}

@Suite struct CompareCLITests {
  @Test func compareWritesTableEquityAndASelfContainedPage() throws {
    let directory = TestPaths.temporaryDirectory()
    let config = directory.appendingPathComponent("compare.yaml").path
    try "data: \(TestPaths.sample("aapl_daily_unadjusted.csv"))\nfee: 0.0005\nstrategies:\n  - name: SMA 10/50\n    strategy: sma-cross\n    params: {fast: 10, slow: 50}\n  - strategy: donchian-breakout\n"
      .write(toFile: config, atomically: true, encoding: .utf8)
    let out = directory.appendingPathComponent("cmp").path
    let run = try Run(["compare", "--config", config, "--out", out])
    #expect(run.status == 0 && run.stdout.contains("buy-and-hold"))
    let table = try String(contentsOfFile: out + "/comparison.csv", encoding: .utf8).split(separator: "\n")
    #expect(table[0].hasSuffix(",turnover,alpha,beta,information_ratio,tracking_error") && table.count == 4)
    #expect(table[1].hasPrefix("buy-and-hold,") && table[2].hasPrefix("SMA 10/50,"))
    let html = try String(contentsOfFile: out + "/comparison.html", encoding: .utf8)
    #expect(html.contains("<svg") && html.components(separatedBy: "<path d=\"M").count == 4)
    #expect(!html.contains("<script") && !html.contains("<link") && !html.contains("src="))  // self-contained
    let bad = try Run(["compare", "--config", config, "--data", "/nonexistent.csv", "--out", out])
    #expect(bad.status == 1)
  }
}

@Suite struct ReportCLITests {
  @Test func reportReconcilesABacktestFolder() throws {
    let directory = TestPaths.temporaryDirectory()
    let bt = directory.appendingPathComponent("bt").path
    let backtest = try Run(["backtest", "--data", TestPaths.sample("aapl_daily_unadjusted.csv"), "--strategy", "sma-cross", "--fee", "0.001",
                            "--slippage", "0.0005", "--impact", "0.2", "--shorts", "--param", "stop_atr=2", "--param", "max_dd=0.25",
                            "--param", "risk_per_trade=0.02", "--out", bt])
    #expect(backtest.status == 0)
    let out = directory.appendingPathComponent("report").path
    let report = try Run(["report", "--run", bt, "--out", out])
    #expect(report.status == 0 && report.stdout.contains("reconciliation: 0 breaks"))
    for name in ["daily.csv", "reconciliation.csv", "exposure.csv", "report.html"] {
      #expect(FileManager.default.fileExists(atPath: out + "/" + name), "\(name)")
    }
    let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
    // Equity against the benchmark, underwater, rolling Sharpe and volatility, months,
    // the distribution of returns, gross exposure; numbers formatted for people.
    #expect(html.components(separatedBy: "<svg").count == 8 && !html.contains("<script"))
    for title in ["Equity (log scale)", "Drawdown from the peak", "Rolling Sharpe", "Rolling volatility (annualized)", "Monthly returns (%)", "Gross exposure"] {
      #expect(html.contains("<title>\(title)"), "\(title)")
    }
    #expect(html.contains("Worst drawdowns") && html.contains("buy-and-hold aapl_daily_unadjusted") && html.contains("Alpha (annualized)"))
    #expect(html.contains(" %</td>") && !html.contains("0.3611901719480908"))
    // A corrupted fill is a break: exit 1, named with its bar.
    var orders = try String(contentsOfFile: bt + "/orders.csv", encoding: .utf8).split(separator: "\n").map(String.init)
    var cells = orders[3].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    cells[2] = CSVWriter.format(Double(cells[2])! * 1.01)
    orders[3] = cells.joined(separator: ",")
    try (orders.joined(separator: "\n") + "\n").write(toFile: bt + "/orders.csv", atomically: true, encoding: .utf8)
    let broken = try Run(["report", "--run", bt, "--out", out])
    #expect(broken.status == 1 && broken.stdout.contains("breaks, first at \(cells[0])"))
  }
}

@Suite struct PortfolioCLITests {
  @Test func portfolioWithEverythingOnReconcilesInTheReport() throws {
    let directory = TestPaths.temporaryDirectory()
    let data = directory.appendingPathComponent("data").path
    #expect(try Run(["data", "generate", "--bars", "1500", "--assets", "3", "--seed", "5", "--out", data, "--quiet"]).status == 0)
    let files = (1...3).map { data + "/SYN\($0).csv" }.joined(separator: ",")
    let pf = directory.appendingPathComponent("pf").path
    let run = try Run(["portfolio", "--data", files, "--strategy", "sma-cross", "--param", "fast=10", "--param", "slow=40", "--fee", "0.001",
                       "--fixed-fee", "1", "--slippage", "0.0005", "--impact", "0.2", "--shorts", "--param", "stop_atr=2",
                       "--param", "risk_per_trade=0.02", "--param", "max_dd=0.15", "--param", "dd_resume_bars=20", "--position-fraction", "0.5", "--out", pf])
    #expect(run.status == 0 && run.stderr.contains("3 assets"))
    let equity = try String(contentsOfFile: pf + "/equity.csv", encoding: .utf8)
    #expect(equity.hasPrefix("timestamp,equity,return,gross_exposure,net_exposure,position_SYN1,position_SYN2,position_SYN3\n"))
    let orders = try CSVTable.read(path: pf + "/orders.csv")
    let clip = try orders.column("clipped_by")
    #expect(orders.rows.contains { $0[clip] == "gross-exposure" } && orders.rows.contains { $0[clip] == "risk" })
    let out = directory.appendingPathComponent("report").path
    let report = try Run(["report", "--run", pf, "--out", out])
    #expect(report.status == 0 && report.stdout.contains("reconciliation: 0 breaks"))
    let exposure = try String(contentsOfFile: out + "/exposure.csv", encoding: .utf8)
    #expect(exposure.hasPrefix("timestamp,gross_exposure,net_exposure,weight_syn1,weight_syn2,weight_syn3,concentration_hhi,largest_weight,drawdown,halt_level\n"))
    #expect(try String(contentsOfFile: out + "/report.html", encoding: .utf8).contains("<title>Weights per asset</title>"))
    // A corrupted fill of the second asset is a break at its bar.
    var lines = try String(contentsOfFile: pf + "/orders.csv", encoding: .utf8).split(separator: "\n").map(String.init)
    let k = try #require(lines.indices.dropFirst().first { lines[$0].contains(",SYN2,") && lines[$0].contains(",filled,") })
    var cells = lines[k].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    cells[3] = CSVWriter.format(Double(cells[3])! * 1.01)
    lines[k] = cells.joined(separator: ",")
    try (lines.joined(separator: "\n") + "\n").write(toFile: pf + "/orders.csv", atomically: true, encoding: .utf8)
    let broken = try Run(["report", "--run", pf, "--out", out])
    #expect(broken.status == 1 && broken.stdout.contains("breaks, first at \(cells[0])"))
    // What the engine does not implement is refused, not ignored.
    let refused = try Run(["portfolio", "--data", files, "--strategy", "sma-cross", "--param", "take_atr=3", "--out", pf])
    #expect(refused.status == 2 && refused.stderr.contains("take_atr"))
    #expect(try Run(["portfolio", "--data", data + "/SYN1.csv", "--strategy", "sma-cross", "--out", pf]).status == 2)
  }
}

@Suite struct ReportChartTests {
  @Test func sweepHeatmapAveragesOverAssetsAndKeepsTheCSVSpelling() throws {
    let path = TestPaths.temporaryDirectory().appendingPathComponent("results.csv").path
    try """
      asset,fast,slow,total_return,sharpe
      A,5,20,0.1,1
      B,5,20,0.2,3
      A,10,20,0.3,-1
      B,10,20,0.4,NaN
      A,5,30,0.5,0.5

      """.write(toFile: path, atomically: true, encoding: .utf8)
    let (svg, caption) = try ReportCharts.sweep(path: path, metric: "sharpe")
    #expect(caption.contains("averaged over 2"))
    let cells = svg.components(separatedBy: "<path").count - 1
    #expect(cells == 4)  // 2 fast × 2 slow, the missing (10, 30) drawn grey
    #expect(svg.contains(">2.0<") && svg.contains(">-1.0<") && svg.contains(">0.5<") && svg.contains(">5<") && !svg.contains(">5.0<"))
    #expect(svg.contains("#e0e0e0"))  // the cell without a value
    try "asset,fast,sharpe\nA,5,1\n".write(toFile: path, atomically: true, encoding: .utf8)
    #expect(throws: (any Error).self) { try ReportCharts.sweep(path: path, metric: "sharpe") }
  }

  @Test func heatmapColoursDivergeAroundTheCentre() {
    let map = SVGHeatmap()
    #expect(map.color(2, spread: 2) == "rgb(64,64,255)" && map.color(-2, spread: 2) == "rgb(255,64,64)")
    #expect(map.color(0, spread: 2) == "rgb(255,255,255)" && map.color(.nan, spread: 2) == "#e0e0e0")
  }
}

@Suite struct ModelRiskCLITests {
  @Test func modelriskWritesMonitorEventsAndStates() throws {
    let directory = TestPaths.temporaryDirectory()
    let spec = directory.appendingPathComponent("spec.yaml").path
    try "features:\n  - kind: log_returns\n  - kind: rsi\n  - kind: zscore\n    window: 20\ntarget: next_return_sign\n".write(toFile: spec, atomically: true, encoding: .utf8)
    let out = directory.appendingPathComponent("mr").path
    let run = try Run(["modelrisk", "--data", TestPaths.sample("aapl_daily_unadjusted.csv"), "--spec", spec, "--fallback", "sma-cross", "--out", out])
    #expect(run.status == 0 && run.stderr.contains("retrains"))
    let monitor = try String(contentsOfFile: out + "/monitor.csv", encoding: .utf8).split(separator: "\n")
    #expect(monitor[0] == "timestamp,probability,model_state,log_loss,hit_rate,auc,psi" && monitor.count == 3271)
    let equity = try String(contentsOfFile: out + "/equity.csv", encoding: .utf8)
    #expect(equity.hasPrefix("timestamp,equity,return,position,model_state\n"))
    let events = try String(contentsOfFile: out + "/events.csv", encoding: .utf8).split(separator: "\n")
    #expect(events.contains { $0.contains(",retrain,") })
    // Every event is in the order records too, in time order with the orders.
    let orders = try CSVTable.read(path: out + "/orders.csv")
    let status = try orders.column("status"), reason = try orders.column("reason")
    let eventRows = orders.rows.filter { $0[status] == "event" }
    #expect(eventRows.count == events.count - 1 && eventRows.contains { $0[reason] == "model_retrain" })
    #expect(orders.rows.map { $0[0] } == orders.rows.map { $0[0] }.sorted())
    let bad = try Run(["modelrisk", "--data", TestPaths.sample("aapl_daily_unadjusted.csv"), "--spec", spec, "--fallback", "model", "--out", out])
    #expect(bad.status == 2)
  }
}
