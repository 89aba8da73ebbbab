import ArgumentParser
import Foundation
import Kairos

extension ModelKind: ExpressibleByArgument {}

/// `kairos train --features-csv FILE --label COLUMN --model ridge|logistic --l2 λ[,λ...] --out MODEL.json`.
struct TrainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Fit ridge or logistic regression on a feature table, for one penalty or a list.",
    discussion: """
      Any numeric CSV works: from kairos features, exported from pandas with its time index,
      or a plain table without one (to_csv(index=False); rows are then numbered). The
      label column is the target, every other column a feature (or those named by --features).
      Ridge matches scikit-learn Ridge(alpha=λ, solver="cholesky"); logistic matches
      LogisticRegression(C=1/λ) (objective Σ log-loss + λ/2‖w‖², intercept unpenalized).
      With several penalties, one model file is written per λ: MODEL.l2-<λ>.json.
      Rows whose label is NaN (the end of a look-ahead target) are left out and counted.

      Examples:
        kairos train --features-csv aapl_features.csv --label target --model logistic --l2 1 --out model.json
        kairos train --features-csv table.csv --label y --model ridge --l2 0.01,0.1,1,10 --standardize --out ridge.json
      """)

  @Option(name: .customLong("features-csv"), help: ArgumentHelp("The feature table (CSV; a time column is optional).", valueName: "path"))
  var featuresCSV: String

  @Option(help: ArgumentHelp("The target column.", valueName: "column"))
  var label: String

  @Option(help: "The model family: ridge or logistic.")
  var model: ModelKind

  @Option(help: ArgumentHelp("The L2 penalty λ, or a comma-separated list.", valueName: "λ[,λ…]"))
  var l2: String = "1"

  @Option(help: ArgumentHelp("Only these feature columns (comma-separated); default: all but the label.", valueName: "names"))
  var features: String?

  @Flag(help: "Standardize the features on the training rows (the penalty then applies to standardized coefficients).")
  var standardize = false

  @Flag(help: "Leave out rows with NaN in a feature instead of failing.")
  var dropNan = false

  @Option(help: "Threads for fitting several penalties (default: all cores).")
  var threads: Int = BatchTrainer.defaultThreadCount

  @Option(help: ArgumentHelp("The model file to write (JSON).", valueName: "path"))
  var out: String

  func penalties() throws -> [Double] {
    let values = l2.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
    guard !values.isEmpty, values.allSatisfy({ $0 != nil }) else { throw ValidationError("--l2 expects numbers such as 1 or 0.1,1,10; was '\(l2)'") }
    let list = values.map { $0! }
    if let bad = list.first(where: { !($0 >= 0 && $0.isFinite) }) { throw ValidationError("--l2 must be >= 0, was \(bad)") }
    return list
  }

  func validate() throws {
    _ = try penalties()
    guard threads >= 1 else { throw ValidationError("--threads must be at least 1, was \(threads)") }
  }

  func run() throws {
    let (table, hasTime) = try CSVReader.readTable(path: featuresCSV)
    let training = try TrainingTable(frame: table, label: label, features: features.map { $0.split(separator: ",").map(String.init) },
                                     dropNaN: dropNan, timeIndexed: hasTime)
    let set = training.set
    let (unlabeled, dropped, constant) = (training.unlabeledRows, training.droppedRows, training.constantColumns)
    if unlabeled > 0 { note("left out \(unlabeled) row\(unlabeled == 1 ? "" : "s") without a label") }
    if dropped > 0 { note("left out \(dropped) row\(dropped == 1 ? "" : "s") with NaN features (--drop-nan)") }
    if !constant.isEmpty { note("constant column\(constant.count == 1 ? "" : "s") (no information): \(constant.joined(separator: ", "))") }

    let penalties = try penalties()
    let tasks = penalties.map { TrainingTask(kind: model, set: set, l2: $0, standardize: standardize) }
    let results = BatchTrainer.fit(tasks, threads: threads)
    note("λ".padding(toLength: 12, withPad: " ", startingAt: 0) + (model == .ridge ? "R² (in sample)" : "log-loss   accuracy (in sample)") + "   file")
    for (l2, result) in zip(penalties, results) {
      let fitted = try result.get()
      let path = penalties.count == 1 ? out : Self.path(out, l2: l2)
      try AtomicFile.write(Array(try fitted.jsonData()) + [0x0A], to: path)
      note(CSVWriter.format(l2).padding(toLength: 12, withPad: " ", startingAt: 0) + (try Self.summary(fitted, set)) + "   \(path)")
    }
  }

  /// `dir/model.json` → `dir/model.l2-0.1.json`, keeping the path as the user wrote it.
  static func path(_ out: String, l2: Double) -> String {
    let slash = out.lastIndex(of: "/").map { out.index(after: $0) } ?? out.startIndex
    let directory = out[..<slash], file = out[slash...]
    let dot = file.lastIndex(of: ".").flatMap { $0 == file.startIndex ? nil : $0 }
    let base = dot.map { file[..<$0] } ?? file, ext = dot.map { file[$0...] } ?? ".json"
    return "\(directory)\(base).l2-\(CSVWriter.format(l2))\(ext)"
  }

  static func summary(_ model: LinearModel, _ set: FeatureSet) throws -> String {
    let scores = try model.inSampleScores(on: set)
    if let r2 = scores.rSquared { return String(format: "%.6f", r2) }
    return String(format: "%.6f   %.4f", scores.logLoss!, scores.accuracy!)
  }
}
