import ArgumentParser
import Foundation
import Kairos

/// `kairos compare --config CONFIG.yaml --out DIR`: strategies side by side against a benchmark.
struct CompareCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "compare",
    abstract: "Compare several strategies with buy-and-hold on the same data and costs.",
    discussion: """
      The config (YAML):
        data: aapl.csv
        fee: 0.0005                # and slippage, fixed_fee, fill, shorts, capital, periods_per_year
        strategies:
          - name: SMA 10/50
            strategy: sma-cross
            params: {fast: 10, slow: 50}
          - strategy: rsi-reversion
          - name: logistic
            strategy: model
            model: model.json
            spec: features.yaml
            params: {threshold: 0.52, smoothing: 3}
      Buy-and-hold (long from the first fill, same costs) is the benchmark. Writes
      DIR/comparison.csv (every metric of docs/DESIGN.md §5 plus alpha, beta, information_ratio and
      tracking_error against the benchmark, empyrical conventions: CAPM on per-bar returns,
      alpha annualized, the information ratio per bar), equity.csv (one column per strategy),
      comparison.html (the table and an equity chart, self-contained) and manifest.json.

      Examples:
        kairos compare --config compare.yaml --out cmp/
      """)

  @Option(help: ArgumentHelp("The comparison settings (YAML).", valueName: "path"))
  var config: String

  @Option(help: ArgumentHelp("The OHLCV file (overrides data: in the config).", valueName: "path"))
  var data: String?

  @OptionGroup var annualization: AnnualizationOptions
  @OptionGroup var read: ReadOptions
  @OptionGroup var entryOptions: EntryOptions

  @Option(help: ArgumentHelp("The folder to write.", valueName: "dir"))
  var out: String

  struct Entry: Decodable {
    var name: String?
    var strategy: String
    var params: [String: Double]?
    var model: String?, spec: String?, probabilities: String?, column: String?
  }

  struct File: Decodable {
    var data: String?
    var strategies: [Entry]
  }

  /// Every key a comparison config may hold.
  static let schema = YAMLSchema.keys(["data"] + RunSettings.keys)
    .adding(.mapping(["strategies": .list(.keys(["name", "strategy", "params", "model", "spec", "probabilities", "column"]))]))

  func validate() throws { try outputFolder(out) }

  func run() throws {
    let file = try decodeYAML(File.self, path: config, schema: Self.schema)
    guard let dataPath = data ?? file.data else { throw ValidationError("give the price data: --data FILE or data: in the config") }
    guard !file.strategies.isEmpty else { throw ConfigFileError(config, "the config lists no strategies (strategies: [- strategy: sma-cross, …])") }
    let entries = try file.strategies.enumerated().map { k, entry -> StrategyComparison.Entry in
      guard let kind = StrategyKind(rawValue: entry.strategy) else {
        throw ConfigFileError(config, "strategies[\(k)]: unknown strategy '\(entry.strategy)'; expected \(StrategyKind.allCases.map(\.rawValue).joined(separator: ", "))")
      }
      var source: ProbabilitySource? = nil
      if kind == .model {
        if let path = entry.probabilities { source = .file(path: path, column: entry.column ?? "probability") }
        else if let model = entry.model, let spec = entry.spec { source = .model(path: model, spec: spec) }
        else { throw ConfigFileError(config, "strategies[\(k)]: the model strategy needs model: and spec:, or probabilities:") }
      }
      return .init(name: entry.name ?? entry.strategy, strategy: kind, parameters: entry.params ?? [:], probabilities: source)
    }
    let configuration = try asUsage { try entryOptions.settings.merged(over: annualization.settings).merged(over: RunSettings.load(path: config, schema: Self.schema)).configuration() }
    let prices = try read.ohlcv(dataPath)
    let comparison = try StrategyComparison(entries, on: prices, name: URL(fileURLWithPath: dataPath).lastPathComponent, configuration: configuration)
    let settings = configuration.manifestSettings.merging(["strategies": comparison.names.dropFirst().joined(separator: "; ")]) { $1 }
    try OutputFolder.write(try comparison.files(), manifest: .init(command: CommandLine.arguments, dataFiles: [RunFolder.dataFile(dataPath, rows: prices.rowCount)],
                                                                   settings: settings, now: nowNanoseconds()), to: out)
    let columns = ["strategy", "total_return", "sharpe", "max_drawdown", "alpha", "beta", "information_ratio", "tracking_error"]
    print(columns.map { $0.padding(toLength: 18, withPad: " ", startingAt: 0) }.joined())
    for (name, row) in zip(comparison.names, comparison.rows) {
      print(([name] + columns.dropFirst().map { String(format: "%.4g", row[StrategyComparison.header.firstIndex(of: $0)! - 1]) })
        .map { $0.padding(toLength: 18, withPad: " ", startingAt: 0) }.joined())
    }
    note("compared \(comparison.names.count - 1) strategies with buy-and-hold → \(out)/comparison.html")
  }
}
