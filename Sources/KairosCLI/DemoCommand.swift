import ArgumentParser
import Foundation
import Kairos

/// `kairos demo`: the pipeline on the bundled AAPL series, written to a run folder.
struct DemoCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "demo",
    abstract: "Run the research pipeline on the bundled AAPL data and write a run folder.",
    discussion: """
      1. back-adjusts the bundled AAPL daily series (2000–2013) for its splits and dividends;
      2. sweeps sma-cross (fast 5–50 step 5 × slow 20–200 step 10, fast < slow; fee 5 bp);
      3. computes features, fits a logistic model on the first 60 % of the rows, and backtests
         the model's probabilities on the remaining 40 % (threshold 0.52, smoothing 3, a 2-ATR
         stop with the risk manager: 2 % risk per trade, 20 % drawdown halt);
      4. sweeps threshold × smoothing on those out-of-sample probabilities;
      5. walk-forward: 3 folds, λ × threshold × smoothing selected on validation;
      6. writes everything to notebooks-export/runs/<run-id>-demo/, with an HTML report of the
         model backtest, prints the ten best SMA combinations and where the report is.

      Examples:
        kairos demo
        kairos demo --export-dir /tmp/runs --threads 1
      """)

  @Option(name: .customLong("export-dir"), help: ArgumentHelp("Where the run folder goes.", valueName: "dir"))
  var exportDirectory: String = "notebooks-export/runs"

  @Option(help: "Worker threads for the sweep (default: all cores).")
  var threads: Int = ProcessInfo.processInfo.activeProcessorCount

  @Flag(help: "No progress bar.")
  var quiet = false

  func validate() throws {
    guard (1...1024).contains(threads) else { throw ValidationError("--threads must be in 1...1024, was \(threads)") }
  }

  static let featureSpec = """
    features:
      - kind: log_returns
      - kind: returns
        periods: 5
      - kind: rsi
      - kind: zscore
        window: 20
      - kind: volume_zscore
        window: 20
      - kind: efficiency_ratio
      - kind: realized_volatility
    target: next_return_sign
    standardize: true
    """

  func run() throws {
    let now = nowNanoseconds()
    let pricesPath = try SampleData.path(SampleData.aaplDailyUnadjusted), actionsPath = try SampleData.path(SampleData.aaplCorporateActions)
    let raw = try CSVReader.readOHLCV(path: pricesPath)
    let adjusted = try raw.adjusted(for: try CorporateActionsReader.read(path: actionsPath))
    let folder = try RunFolder(root: exportDirectory, command: "demo", now: now)
    do {
      try produce(adjusted, folder: folder)
      try folder.finish(command: CommandLine.arguments, dataFiles: [RunFolder.dataFile(pricesPath, rows: raw.rowCount), RunFolder.dataFile(actionsPath, rows: 5)],
                        settings: ["sweep": "sma-cross fast=5:50:5 slow=20:200:10 fast<slow fee=0.0005", "model": "logistic l2=1 standardized, 60% train",
                                   "model_strategy": "threshold=0.52 smoothing=3 fee=0.0005"], now: now)
    } catch {
      folder.discard()
      throw error
    }
    // The HTML report of the model backtest, from the finished folder.
    let report = try BacktestReport(runDirectory: folder.path + "/model_backtest",
                                    options: .init(sweepResults: folder.path + "/results.csv", walkForwardDirectory: folder.path + "/walkforward"))
    try report.write(to: folder.path + "/model_backtest/report")
    print("reconciliation: \(report.breaks.isEmpty ? "0 breaks" : "\(report.breaks.count) breaks, first at \(report.firstBreak!)")")
    print("\nrun folder: \(folder.path)")
  }

  func produce(_ prices: Frame, folder: RunFolder) throws {
    try folder.write("aapl_adjusted.csv", bytes: CSVWriter.encode(prices))
    let market = try MarketSeries(name: "AAPL", frame: prices)
    var configuration = BacktestConfiguration()
    configuration.fee = 0.0005

    // 1. The sweep.
    let grid = try ParameterGrid(StrategyKind.smaCross.defaultGrid, where: StrategyKind.smaCross.defaultConstraint)
    let sweep = try SweepRunner(runner: StrategyRunner(kind: .smaCross, configuration: configuration), grid: grid)
    let progress = SharedProgress(total: grid.combinations.count, label: "sweep", quiet: quiet)
    let result = try sweep.run(caches: [IndicatorCache(market: market)], threads: threads, progress: { done, _ in progress.update(done) })
    progress.finish()
    try folder.write("results.csv", bytes: result.csv())
    print("The ten best SMA-cross combinations on AAPL 2000–2013 (adjusted, fee 5 bp), by Sharpe:")
    print(SweepJob.table(ArraySlice(try result.best(by: "sharpe", count: 10)), grid: grid, assets: ["AAPL"]))

    // 2. Features, a logistic model on the first 60 %, its probabilities on the rest.
    let spec = try FeatureSpec.parse(yaml: Self.featureSpec, name: "demo spec")
    let set = try FeatureSet(spec: spec, frame: prices)
    let trainRows = set.rowCount * 6 / 10
    let training = FeatureSet(names: set.names, timestamps: Array(set.timestamps[..<trainRows]),
                              matrix: Matrix(columns: (0..<set.names.count).map { set.matrix.column($0)[rows: 0..<trainRows] }),
                              target: Array(set.target![..<trainRows]))
    let model = try LinearModel.fit(.logistic, on: training, l2: 1, standardize: true)
    try folder.write("model.json", bytes: Array(try model.jsonData()) + [0x0A])
    // The spec beside it: `kairos paper --strategy model --model model.json --spec spec.yaml`.
    try folder.write("spec.yaml", bytes: Array((Self.featureSpec + "\n").utf8))
    let probabilities = try model.predictProbabilities(set.matrix)
    var p = [Double](repeating: .nan, count: prices.rowCount)
    let trainEnd = set.timestamps[trainRows - 1]
    for (k, t) in set.timestamps.enumerated() where t > trainEnd {
      if let row = prices.index.position(of: t) { p[row] = probabilities[k] }
    }
    var features = Frame(index: try TimeIndex(set.timestamps))
    for (j, name) in set.names.enumerated() { try features.setColumn(name, set.matrix.column(j)) }
    try features.setColumn("target", Column(set.target!))
    try features.setColumn("probability", Column(probabilities))
    try folder.write("features.csv", bytes: CSVWriter.encode(features))

    // 3. The model-driven backtest on the test rows only (after the training period), with a
    //    stop and the risk manager.
    // From 30 bars before the test period, so the ATR of the stop is known at its start (the
    // probabilities are NaN there: the strategy stays flat).
    let trainEndRow = prices.index.position(of: trainEnd)!
    let testPrices = prices.rows(from: prices.index[Swift.max(0, trainEndRow - 29)])
    let testMarket = try MarketSeries(name: "AAPL", frame: testPrices)
    var modelConfiguration = configuration
    modelConfiguration.stopLoss = .atrMultiple(2)
    modelConfiguration.risk = .standard
    let testProbabilities = Column(Array(p[(prices.rowCount - testPrices.rowCount)...]))
    let modelRun = try backtest(.model, parameters: ["threshold": 0.52, "smoothing": 3], on: testMarket, configuration: modelConfiguration,
                                probabilities: testProbabilities)
    let summary = modelRun.summary
    let backtestFiles = try modelRun.files()
    for (name, bytes) in backtestFiles { try folder.write(name, bytes: bytes) }
    // The same as a backtest folder of its own, so `kairos report` can read it.
    try folder.write("model_backtest/aapl_test.csv", bytes: CSVWriter.encode(testPrices))
    for (name, bytes) in backtestFiles { try folder.write("model_backtest/" + name, bytes: bytes) }
    let testDataPath = URL(fileURLWithPath: folder.path).appendingPathComponent("model_backtest/aapl_test.csv").path
    try folder.write("model_backtest/manifest.json", bytes: RunFolder.Manifest(
      command: CommandLine.arguments, dataFiles: [RunFolder.DataFile(path: testDataPath, sha256: SHA256.hex(CSVWriter.encode(testPrices)), rows: testPrices.rowCount)],
      settings: ["capital": CSVWriter.format(configuration.initialCapital), "param.max_dd": "0.2", "strategy": "model"],
      now: nowNanoseconds(), files: backtestFiles.map(\.0)).encoded())

    // 4. Threshold × smoothing on the out-of-sample probabilities.
    let modelGrid = try ParameterGrid(StrategyKind.model.defaultGrid)
    let cache = IndicatorCache(market: testMarket)
    cache.probabilities = testProbabilities
    let modelSweep = try SweepRunner(runner: StrategyRunner(kind: .model, configuration: modelConfiguration), grid: modelGrid).run(caches: [cache], threads: threads)
    try folder.write("results_model.csv", bytes: modelSweep.csv())

    // 5. Walk-forward.
    var settings = WalkForward.Settings()
    settings.folds = 3
    settings.configuration = configuration
    settings.threads = threads
    let walk = try WalkForward(settings: settings).run(prices: prices, spec: spec)
    let walkSummary = walk.summary
    for (name, bytes) in try walk.files() {
      try folder.write("walkforward/" + name, bytes: bytes)
    }
    print("\nModel-driven backtest out of sample (after \(UTCCalendar.iso8601(trainEnd, dateOnly: true)), 30 flat warm-up bars before; logistic on \(set.names.count) features, threshold 0.52, 2-ATR stop, risk manager):")
    print(BacktestFiles.table(summary))
    print(String(format: "\nWalk-forward, 3 folds (λ × threshold × smoothing chosen on validation): stitched out-of-sample Sharpe %.3f, total return %.3f",
                 SharpeRatio.value(walkSummary), TotalReturn.value(walkSummary)))
  }
}
