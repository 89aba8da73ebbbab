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
         the model's probabilities on the remaining 40 % (threshold 0.52, smoothing 3);
      4. writes everything to notebooks-export/runs/<run-id>-demo/ and prints the ten best
         combinations.

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
      try folder.finish(version: KairosVersion.current, command: CommandLine.arguments, seed: nil,
                        dataFiles: [RunFolder.dataFile(pricesPath, rows: raw.rowCount), RunFolder.dataFile(actionsPath, rows: 5)],
                        settings: ["sweep": "sma-cross fast=5:50:5 slow=20:200:10 fast<slow fee=0.0005", "model": "logistic l2=1 standardized, 60% train",
                                   "model_strategy": "threshold=0.52 smoothing=3 fee=0.0005"], now: now)
    } catch {
      folder.discard()
      throw error
    }
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
    var rows: [[String]] = []
    var ranked: [(combination: Int, metrics: [Double])] = []
    for k in 0..<grid.combinations.count {
      let values = Array(result.row(k))
      rows.append(["AAPL"] + grid.combinations[k].map(CSVWriter.format) + values.map(CSVWriter.format))
      ranked.append((k, values))
    }
    try folder.write("results.csv", bytes: TableWriter.encode(header: ["asset"] + grid.names + Metrics.names, rows: rows))
    let sharpe = Metrics.names.firstIndex(of: "sharpe")!
    ranked.sort { ($0.metrics[sharpe].isNaN ? -.infinity : $0.metrics[sharpe]) > ($1.metrics[sharpe].isNaN ? -.infinity : $1.metrics[sharpe]) }
    print("The ten best SMA-cross combinations on AAPL 2000–2013 (adjusted, fee 5 bp), by Sharpe:")
    print(SweepCommand.table(ArraySlice(ranked.prefix(10).map { (asset: 0, combination: $0.combination, metrics: $0.metrics) }), grid: grid, assets: ["AAPL"]))

    // 2. Features, a logistic model on the first 60 %, its probabilities on the rest.
    let spec = try FeatureSpec.parse(yaml: Self.featureSpec, name: "demo spec")
    let set = try FeatureSet(spec: spec, frame: prices)
    let trainRows = set.rowCount * 6 / 10
    let training = FeatureSet(names: set.names, timestamps: Array(set.timestamps[..<trainRows]),
                              matrix: Matrix(columns: (0..<set.names.count).map { set.matrix.column($0)[rows: 0..<trainRows] }),
                              target: Array(set.target![..<trainRows]))
    let model = try LinearModel.fit(.logistic, on: training, l2: 1, standardize: true)
    try folder.write("model.json", bytes: Array(try model.jsonData()) + [0x0A])
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

    // 3. The model-driven backtest on the test rows only (after the training period).
    let testPrices = prices.rows(from: trainEnd + 1)
    let testMarket = try MarketSeries(name: "AAPL", frame: testPrices)
    let runner = StrategyRunner(kind: .model, configuration: configuration)
    let cache = IndicatorCache(market: testMarket)
    cache.probabilities = Column(Array(p[(prices.rowCount - testPrices.rowCount)...]))
    var recording = FullRecording()
    var accumulator = PerformanceAccumulator(initialEquity: configuration.initialCapital, periodsPerYear: 252, capacity: testMarket.count)
    let summary = try runner.run(try runner.resolve(["threshold": 0.52, "smoothing": 3]), cache: cache, accumulator: &accumulator, recorder: &recording)
    for (name, bytes) in try BacktestOutput.files(market: testMarket, recording: recording, summary: summary) { try folder.write(name, bytes: bytes) }
    print("\nModel-driven backtest out of sample (after \(UTCCalendar.iso8601(trainEnd, dateOnly: true)); logistic on \(set.names.count) features, threshold 0.52):")
    print(BacktestOutput.table(summary))
  }
}
