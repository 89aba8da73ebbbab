import ArgumentParser
import Foundation
import Kairos

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

  @OptionGroup var annualization: AnnualizationOptions
  @OptionGroup var read: ReadOptions
  @OptionGroup var entries: EntryOptions
  @OptionGroup var exporting: ExportOptions

  struct File: Decodable {
    var data: String?, spec: String?
    var folds: Int?, scheme: String?, validation: Double?, test: Double?, embargo: Int?
    var l2: [Double]?, thresholds: [Double]?, smoothing: [Double]?, metric: String?
    var stop_atr: Double?, risk_per_trade: Double?, max_dd: Double?
    var threads: Int?
  }

  /// Every key a walk-forward config may hold.
  static let schema = YAMLSchema.keys(["data", "spec", "folds", "scheme", "validation", "test", "embargo", "l2", "thresholds", "smoothing",
                                       "metric", "stop_atr", "risk_per_trade", "max_dd", "threads"] + RunSettings.keys)

  func validate() throws { try outputFolder(out) }

  func run() throws {
    let file = try decodeYAML(File.self, path: config, schema: Self.schema)
    guard let dataPath = data ?? file.data else { throw ValidationError("give the price data: --data FILE or data: in the config") }
    guard let specPath = file.spec else { throw ConfigFileError(config, "the config needs spec: FEATURES.yaml (with a target)") }
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
    s.threads = file.threads ?? ProcessInfo.processInfo.activeProcessorCount
    var extra: [String: Double] = [:]
    extra["stop_atr"] = file.stop_atr; extra["risk_per_trade"] = file.risk_per_trade; extra["max_dd"] = file.max_dd
    s.configuration = try asUsage { try entries.settings.merged(over: annualization.settings).merged(over: RunSettings.load(path: config, schema: Self.schema)).configuration().applying(extra) }
    let spec = try FeatureSpec.load(path: specPath)
    do { try s.validate(spec: spec) } catch { throw ConfigFileError(config, error.description) }  // typed: a BacktestError
    let prices = try read.ohlcv(dataPath)
    let result = try WalkForward(settings: s).run(prices: prices, spec: spec)
    let (folds, set, summary, stitched) = (result.folds, result.set, result.summary, result.stitched)
    let dateOnly = set.timestamps.allSatisfy(UTCCalendar.isMidnight)
    func time(_ row: Int) -> String { UTCCalendar.iso8601(set.timestamps[row], dateOnly: dateOnly) }
    let f = CSVWriter.format
    let files = try result.files()
    let manifest = RunFolder.Manifest(command: CommandLine.arguments, dataFiles: [RunFolder.dataFile(dataPath, rows: prices.rowCount)],
                                      settings: result.manifestSettings.merging(["spec": specPath]) { $1 }, now: nowNanoseconds())
    try OutputFolder.write(files, manifest: manifest, to: out)
    try exporting.write(files, manifest: manifest, command: "walkforward")
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
}
