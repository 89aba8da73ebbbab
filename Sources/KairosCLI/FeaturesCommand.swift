import ArgumentParser
import Kairos

/// `kairos features FILE --spec SPEC.yaml --out FEATURES.csv`.
struct FeaturesCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "features",
    abstract: "Compute the features (and target) of a feature spec on a price file.",
    discussion: """
      The spec is YAML: a list of features with their parameters, an optional target and an
      optional standardize flag. Rows still in a feature's warm-up are left out unless
      --keep-incomplete; the target is NaN where it looks past the data (the last rows).

        features:
          - kind: log_returns
          - kind: sma
            window: 20
          - kind: rsi            # period 14 by default
          - kind: volume_zscore
            window: 50
        target: next_return_sign   # or {kind: next_return, horizon: 5} or {kind: column, column: NAME}

      Kinds: \(FeatureDefinition.kinds.map(\.kind).joined(separator: ", ")).

      Examples:
        kairos features aapl.csv --spec features.yaml --out aapl_features.csv
        kairos features aapl.csv --spec features.yaml --out - --keep-incomplete | head
      """)

  @Argument(help: ArgumentHelp("The OHLCV CSV file.", valueName: "file"))
  var file: String

  @Option(help: ArgumentHelp("The YAML feature spec.", valueName: "path"))
  var spec: String

  @Option(help: ArgumentHelp("Where to write the features (- for standard output).", valueName: "path"))
  var out: String

  @Flag(help: "Keep the warm-up rows (features NaN) instead of leaving them out.")
  var keepIncomplete = false

  @OptionGroup var read: ReadOptions

  func run() throws {
    let featureSpec = try FeatureSpec.load(path: spec)
    let prices = try CSVReader.readFrame(path: file, options: read.options())
    var features = try featureSpec.compute(on: prices)
    let names = features.columnNames.filter { $0 != FeatureSpec.targetColumn }
    if !keepIncomplete {
      let complete = (0..<features.rowCount).filter { i in names.allSatisfy { !features[$0]![i].isNaN } }
      features = features.rows(at: complete)
    }
    try writeFrame(features, to: out)
    if out != "-" {
      note("\(names.count) features\(featureSpec.target == nil ? "" : " and the target") on \(features.rowCount) of \(prices.rowCount) rows → \(out)")
    }
  }
}
