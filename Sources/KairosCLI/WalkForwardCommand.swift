import ArgumentParser
import Foundation
import Kairos
import Yams

/// `kairos walkforward --config CONFIG.yaml [--data FILE] --out DIR`.
struct WalkForwardCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "walkforward",
    abstract: "Walk-forward test a logistic model strategy: fit on train, select on validation, evaluate on test, per fold.",
    discussion: """
      The config (YAML):
        data: aapl.csv          # or --data
        spec: features.yaml     # a feature spec with a target (e.g. next_return_sign)
        folds: 3                # K folds; test blocks tile the end of the history
        scheme: expanding       # or rolling (train keeps the first fold's size)
        validation: 0.15        # fractions of the first fold's window; train is the rest
        test: 0.15
        embargo: 1              # bars between train, validation and test (>= the label horizon)
        l2: [0.1, 1, 10]        # penalties fitted per fold (batch, across cores)
        thresholds: [0.5, 0.52, 0.55]
        smoothing: [1, 3]       # EMA spans of the probability
        metric: sharpe          # the validation metric to maximize
        fee: 0.0005             # and slippage, fill, shorts, capital, stop_atr, risk_per_trade, max_dd …
      Writes DIR/folds.csv (per fold: rows, choice, validation score, test metrics),
      validation.csv (every combination's validation score), equity.csv (the stitched
      out-of-sample equity), metrics.json (its metrics), yearly.csv (per calendar year),
      models/fold-K.json and manifest.json.

      Examples:
        kairos walkforward --config walkforward.yaml --out wf/
        kairos walkforward --config walkforward.yaml --data nvda.csv --out wf/ --export
      """)

  @Option(help: ArgumentHelp("The walk-forward settings (YAML).", valueName: "path"))
  var config: String

  @Option(help: ArgumentHelp("The OHLCV file (overrides data: in the config).", valueName: "path"))
  var data: String?

  @Option(help: ArgumentHelp("The folder to write.", valueName: "dir"))
  var out: String

  @Flag(help: "Also write a run folder under notebooks-export/runs/.")
  var export = false

  @Option(name: .customLong("export-dir"), help: ArgumentHelp("Where run folders go.", valueName: "dir"))
  var exportDirectory: String = "notebooks-export/runs"

  struct File: Decodable {
    var data: String?, spec: String?
    var folds: Int?, scheme: String?, validation: Double?, test: Double?, embargo: Int?
    var l2: [Double]?, thresholds: [Double]?, smoothing: [Double]?, metric: String?
    var stop_atr: Double?, risk_per_trade: Double?, max_dd: Double?
    var threads: Int?
  }

  func run() throws {
    let file = try decodeYAML(File.self, path: config)
    guard let dataPath = data ?? file.data else { throw ValidationError("give the price data: --data FILE or data: in the config") }
    guard let specPath = file.spec else { throw ValidationError("the config needs spec: FEATURES.yaml (with a target)") }
    var s = WalkForward.Settings()
    s.folds = file.folds ?? 3
    if let scheme = file.scheme {
      guard let parsed = WalkForward.Scheme(rawValue: scheme) else { throw ValidationError("scheme must be expanding or rolling, was \(scheme)") }
      s.scheme = parsed
    }
    s.validationFraction = file.validation ?? 0.15
    s.testFraction = file.test ?? 0.15
    s.embargo = file.embargo ?? 1
    s.penalties = file.l2 ?? [0.1, 1, 10]
    s.thresholds = file.thresholds ?? [0.5, 0.52, 0.55]
    s.smoothing = file.smoothing ?? [1, 3]
    s.metric = file.metric ?? "sharpe"
    guard Metrics.names.contains(s.metric) else { throw ValidationError("metric must be one of \(Metrics.names.joined(separator: ", ")), was \(s.metric)") }
    guard s.penalties.allSatisfy({ $0 >= 0 }), s.thresholds.allSatisfy({ $0 >= 0.5 && $0 < 1 }), s.smoothing.allSatisfy({ $0 >= 1 }) else {
      throw ValidationError("l2 must be >= 0, thresholds in [0.5, 1), smoothing >= 1")
    }
    s.threads = file.threads ?? ProcessInfo.processInfo.activeProcessorCount
    let c = try decodeYAML(CostKeys.self, path: config).configuration()
    var extra: [String: Double] = [:]
    extra["stop_atr"] = file.stop_atr; extra["risk_per_trade"] = file.risk_per_trade; extra["max_dd"] = file.max_dd
    s.configuration = try c.applying(extra)

    let spec = try FeatureSpec.load(path: specPath)
    guard let target = spec.target else { throw ValidationError("\(specPath) has no target; add e.g. target: next_return_sign") }
    if case let .nextReturnSign(h) = target, s.embargo < h { throw ValidationError("embargo (\(s.embargo)) must be at least the label horizon (\(h))") }
    let prices = try CSVReader.readOHLCV(path: dataPath)
    let set = try FeatureSet(spec: spec, frame: prices)
    let walk = WalkForward(settings: s)
    let folds = try walk.run(prices: prices, set: set)
    let stitched = WalkForwardReport.stitched(folds, capital: c.initialCapital)
    let summary = WalkForwardReport.summary(folds, returns: stitched.returns, periodsPerYear: c.periodsPerYear)

    let files = try Self.files(folds: folds, set: set, settings: s, summary: summary, stitched: stitched)
    let dateOnly = set.timestamps.allSatisfy(UTCCalendar.isMidnight)
    func time(_ row: Int) -> String { UTCCalendar.iso8601(set.timestamps[row], dateOnly: dateOnly) }
    let f = CSVWriter.format
    let now = nowNanoseconds()
    var settings: [String: String] = ["folds": "\(s.folds)", "scheme": s.scheme.rawValue, "embargo": "\(s.embargo)", "metric": s.metric,
                                      "l2": s.penalties.map(f).joined(separator: ","), "thresholds": s.thresholds.map(f).joined(separator: ","),
                                      "smoothing": s.smoothing.map(f).joined(separator: ","), "fee": f(c.fee), "spec": specPath]
    settings["validation"] = f(s.validationFraction); settings["test"] = f(s.testFraction)
    let dataFiles = [RunFolder.dataFile(dataPath, rows: prices.rowCount)]
    for (name, bytes) in files { try AtomicFile.write(bytes, to: URL(fileURLWithPath: out).appendingPathComponent(name).path) }
    try AtomicFile.write(manifestBytes(command: CommandLine.arguments, dataFiles: dataFiles, settings: settings, now: now, files: files.map(\.0)),
                         to: URL(fileURLWithPath: out).appendingPathComponent("manifest.json").path)
    if export {
      let folder = try RunFolder(root: exportDirectory, command: "walkforward", now: now)
      for (name, bytes) in files { try folder.write(name, bytes: bytes) }
      try folder.finish(version: KairosVersion.current, command: CommandLine.arguments, seed: nil, dataFiles: dataFiles, settings: settings, now: now)
      note("run folder: \(folder.path)")
    }
    func cell(_ text: String, _ width: Int) -> String { text.padding(toLength: max(width, text.count + 1), withPad: " ", startingAt: 0) }
    print(cell("fold", 6) + cell("test period", 26) + cell("l2", 8) + cell("threshold", 11) + cell("smoothing", 11)
          + cell("validation " + s.metric, 20) + cell("test sharpe", 13) + "test return")
    for fold in folds {
      let m = Metrics.values(fold.testSummary)
      print(cell(String(fold.index), 6) + cell("\(time(fold.test.lowerBound)) … \(time(fold.test.upperBound - 1))", 26) + cell(f(fold.l2), 8)
            + cell(f(fold.threshold), 11) + cell(f(fold.smoothing), 11) + cell(String(format: "%.4g", fold.validationScore), 20)
            + cell(String(format: "%.4g", m[3]), 13) + String(format: "%.4g", m[0]))
    }
    print("\nstitched out of sample (\(stitched.returns.count) bars):")
    print(BacktestFiles.table(summary))
    note("walk-forward: \(folds.count) folds → \(out)")
  }

  /// The output files of a walk-forward run (also written by `kairos demo`).
  static func files(folds: [WalkForward.Fold], set: FeatureSet, settings s: WalkForward.Settings, summary: PerformanceSummary,
                    stitched: (timestamps: [Int64], equity: [Double], returns: [Double], fold: [Int])) throws -> [(String, [UInt8])] {
    let c = s.configuration
    let dateOnly = set.timestamps.allSatisfy(UTCCalendar.isMidnight)
    func time(_ row: Int) -> String { UTCCalendar.iso8601(set.timestamps[row], dateOnly: dateOnly) }
    let f = CSVWriter.format
    let foldRows = folds.map { fold in
      [String(fold.index), time(fold.train.lowerBound), time(fold.train.upperBound - 1), time(fold.validation.lowerBound),
       time(fold.validation.upperBound - 1), time(fold.test.lowerBound), time(fold.test.upperBound - 1),
       f(fold.l2), f(fold.threshold), f(fold.smoothing), f(fold.validationScore)] + Metrics.values(fold.testSummary).map(f)
    }
    let validationRows = folds.flatMap { fold in fold.validationScores.map { [String(fold.index), f($0.0), f($0.1), f($0.2), f($0.3)] } }
    var equity = Frame(index: try TimeIndex(stitched.timestamps))
    try equity.setColumn("equity", Column(stitched.equity))
    try equity.setColumn("return", Column(stitched.returns))
    try equity.setColumn("fold", Column(stitched.fold.map(Double.init)))
    let years = WalkForwardReport.byYear(timestamps: stitched.timestamps, returns: stitched.returns, periodsPerYear: c.periodsPerYear)
    var files: [(String, [UInt8])] = [
      ("folds.csv", TableWriter.encode(header: ["fold", "train_from", "train_to", "validation_from", "validation_to", "test_from", "test_to",
                                                "l2", "threshold", "smoothing", "validation_" + s.metric] + Metrics.names.map { "test_" + $0 }, rows: foldRows)),
      ("validation.csv", TableWriter.encode(header: ["fold", "l2", "threshold", "smoothing", s.metric], rows: validationRows)),
      ("equity.csv", CSVWriter.encode(equity)),
      ("metrics.json", BacktestFiles.metricsJSON(summary)),
      ("yearly.csv", TableWriter.encode(header: ["year"] + Metrics.names, rows: years.map { [String($0.year)] + $0.metrics.map(f) })),
    ]
    for fold in folds { files.append(("models/fold-\(fold.index).json", Array(try fold.model.jsonData()) + [0x0A])) }
    return files
  }
}
