import KairosBacktest
import KairosCore
import KairosFeatures
import KairosFrame
import KairosIO

/// A whole walk-forward run: the folds, the stitched out-of-sample equity and its metrics —
/// what `kairos walkforward` computes and writes.
public struct WalkForwardResult: Sendable {
  public let settings: WalkForward.Settings
  /// The complete-row feature set the folds index into.
  public let set: FeatureSet
  public let folds: [WalkForward.Fold]
  public let stitched: (timestamps: [Int64], equity: [Double], returns: [Double], fold: [Int])
  public let summary: PerformanceSummary

  /// `folds.csv` (per fold: rows, choice, validation score, test metrics), `validation.csv`
  /// (every combination's validation score), `equity.csv` (stitched out of sample),
  /// `metrics.json`, `yearly.csv` (per calendar year) and `models/fold-K.json`.
  public func files() throws -> [(String, [UInt8])] {
    let s = settings
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
    let years = WalkForwardReport.byYear(timestamps: stitched.timestamps, returns: stitched.returns, periodsPerYear: summary.periodsPerYear)
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

  /// The settings as a manifest records them.
  public var manifestSettings: [String: String] {
    let s = settings, f = CSVWriter.format
    return s.configuration.manifestSettings.merging([
      "folds": "\(s.folds)", "scheme": s.scheme.rawValue, "embargo": "\(s.embargo)", "metric": s.metric,
      "l2": s.penalties.map(f).joined(separator: ","), "thresholds": s.thresholds.map(f).joined(separator: ","),
      "smoothing": s.smoothing.map(f).joined(separator: ","), "validation": f(s.validationFraction), "test": f(s.testFraction),
    ]) { $1 }
  }
}

extension WalkForward.Settings {
  /// Checks every setting a user gives.
  ///
  /// - Throws: `BacktestError.invalidParameter` naming the setting: folds, embargo and threads
  ///   below their minimum, empty or out-of-range penalties (≥ 0), thresholds ([0.5, 1)) or
  ///   smoothing spans (≥ 1), an unknown metric; with `spec`, a spec without a target or an
  ///   embargo shorter than its label's horizon.
  public func validate(spec: FeatureSpec? = nil) throws(BacktestError) {
    guard folds >= 1 && folds <= 1000 else { throw .invalidParameter(name: "folds", reason: "must be in 1...1000, was \(folds)") }
    guard embargo >= 0 else { throw .invalidParameter(name: "embargo", reason: "must be >= 0, was \(embargo)") }
    guard (1...1024).contains(threads) else { throw .invalidParameter(name: "threads", reason: "must be in 1...1024, was \(threads)") }
    guard !penalties.isEmpty, penalties.allSatisfy({ $0 >= 0 && $0.isFinite }) else {
      throw .invalidParameter(name: "l2", reason: "must be a non-empty list of numbers >= 0, was \(penalties)")
    }
    guard !thresholds.isEmpty, thresholds.allSatisfy({ $0 >= 0.5 && $0 < 1 }) else {
      throw .invalidParameter(name: "thresholds", reason: "must be a non-empty list in [0.5, 1), was \(thresholds)")
    }
    guard !smoothing.isEmpty, smoothing.allSatisfy({ $0 >= 1 && $0.isFinite }) else {
      throw .invalidParameter(name: "smoothing", reason: "must be a non-empty list of spans >= 1, was \(smoothing)")
    }
    guard Metrics.names.contains(metric) else {
      throw .invalidParameter(name: "metric", reason: "must be one of \(Metrics.names.joined(separator: ", ")), was \(metric)")
    }
    guard let spec else { return }
    guard let target = spec.target else { throw .invalidParameter(name: "spec", reason: "the feature spec has no target; add e.g. target: next_return_sign") }
    if case let .nextReturnSign(h) = target, embargo < h {
      throw .invalidParameter(name: "embargo", reason: "embargo (\(embargo)) must be at least the label horizon (\(h))")
    }
  }
}

extension WalkForward {
  /// One call: the features of `spec` on `prices`, every fold, and the stitched out-of-sample run.
  ///
  /// - Throws: `BacktestError` for invalid settings, a spec without a target or an embargo
  ///   shorter than the label's horizon; the features' and models' errors.
  public func run(prices: Frame, spec: FeatureSpec) throws -> WalkForwardResult {
    try settings.validate(spec: spec)
    let walk = resolved(for: prices), settings = walk.settings
    let set = try FeatureSet(spec: spec, frame: prices)
    let folds = try walk.run(prices: prices, set: set)
    let stitched = WalkForwardReport.stitched(folds, capital: settings.configuration.initialCapital)
    let summary = WalkForwardReport.summary(folds, returns: stitched.returns, periodsPerYear: settings.configuration.annualization(for: prices.index.timestamps))
    return WalkForwardResult(settings: settings, set: set, folds: folds, stitched: stitched, summary: summary)
  }
}
