import ArgumentParser
import Foundation
import Kairos

/// `kairos modelrisk --data FILE --spec SPEC.yaml --out DIR`: a model strategy with scheduled
/// retraining, degradation monitoring and a fallback while degraded.
struct ModelRiskCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "modelrisk",
    abstract: "Backtest a logistic model that retrains on the past every N bars, with degradation monitoring and a fallback.",
    discussion: """
      Retrains every --retrain-every bars on the rows whose labels are known, holding out the
      last --validation rows for the reference log-loss and hit rate; monitors the rolling
      out-of-sample log-loss, hit rate and AUC (--window rows) and the features' population
      stability index; while degraded (3 standard errors worse than validation, or PSI > 0.25)
      the strategy falls back to --fallback (flat, or a rule strategy with its defaults).
      Writes DIR/monitor.csv (per bar: probability, model_state 0 warm-up / 1 active /
      2 degraded, log_loss, hit_rate, auc, psi), events.csv (retrains, degradations,
      recoveries), equity.csv (with model_state), trades.csv, orders.csv (the events too, as
      rows with status event), metrics.json.

      Examples:
        kairos modelrisk --data aapl.csv --spec features.yaml --fee 0.0005 --out mr/
        kairos modelrisk --data aapl.csv --spec features.yaml --fallback sma-cross --retrain-every 21 --out mr/
      """)

  @Option(help: ArgumentHelp("The OHLCV file.", valueName: "path")) var data: String
  @Option(help: ArgumentHelp("A feature spec with a next_return_sign target.", valueName: "path")) var spec: String
  @Option(name: .customLong("retrain-every"), help: "Bars between refits.") var retrainEvery = 63
  @Option(help: "Rows of the rolling monitoring window.") var window = 63
  @Option(help: "Held-out validation rows of each fit.") var validation = 126
  @Option(name: .customLong("min-train"), help: "Rows before the first fit.") var minimumTrain = 500
  @Option(help: "The L2 penalty.") var l2 = 1.0
  @Option(help: "The probability threshold of the model strategy.") var threshold = 0.52
  @Option(help: "The EMA span smoothing the probability.") var smoothing = 1.0
  @Option(help: ArgumentHelp("While degraded: flat, or a rule strategy (\(StrategyKind.allCases.filter { $0 != .model }.map(\.rawValue).joined(separator: ", "))).", valueName: "name"))
  var fallback = "flat"
  @Option(help: "Proportional fee.") var fee = 0.0
  @Option(help: ArgumentHelp("The folder to write.", valueName: "dir")) var out: String

  func validate() throws {
    guard retrainEvery >= 1, window >= 10, validation >= 20, minimumTrain >= 50 else {
      throw ValidationError("--retrain-every >= 1, --window >= 10, --validation >= 20 and --min-train >= 50 are required")
    }
    guard threshold >= 0.5 && threshold < 1, smoothing >= 1, l2 >= 0 else { throw ValidationError("--threshold in [0.5, 1), --smoothing >= 1, --l2 >= 0") }
    guard fallback == "flat" || (StrategyKind(rawValue: fallback).map { $0 != .model } ?? false) else {
      throw ValidationError("--fallback must be flat or a rule strategy, was \(fallback)")
    }
  }

  func run() throws {
    let prices = try CSVReader.readOHLCV(path: data)
    let featureSpec = try FeatureSpec.load(path: spec)
    guard case let .nextReturnSign(horizon)? = featureSpec.target else { throw ValidationError("\(spec) needs target: next_return_sign") }
    let set = try FeatureSet(spec: featureSpec, frame: prices)
    var settings = ModelRiskMonitor.Settings()
    settings.retrainEvery = retrainEvery; settings.window = window; settings.validationRows = validation
    settings.minimumTrainRows = minimumTrain; settings.horizon = horizon; settings.l2 = l2
    let monitor = try ModelRiskMonitor(settings: settings).run(set)

    // Per price bar: the probability and the state (warm-up where the feature set has no row).
    var probability = [Double](repeating: .nan, count: prices.rowCount), state = [Int8](repeating: 0, count: prices.rowCount)
    var rowOfSet = [Int](repeating: -1, count: prices.rowCount)
    for (k, t) in set.timestamps.enumerated() {
      guard let row = prices.index.position(of: t) else { continue }
      probability[row] = monitor.probability[k]; state[row] = Int8(monitor.state[k].rawValue); rowOfSet[row] = k
    }
    var configuration = BacktestConfiguration()
    configuration.fee = fee
    let model = SignalGenerator(threshold: threshold, smoothingSpan: smoothing).signals(probabilities: Column(probability)).direction
    let market = try MarketSeries(name: "asset", frame: prices)
    var fallbackTargets = [Int8](repeating: 0, count: prices.rowCount)
    if let kind = StrategyKind(rawValue: fallback) {
      let runner = StrategyRunner(kind: kind, configuration: configuration)
      let cache = IndicatorCache(market: market)
      let p = try runner.resolve([:])
      cache.prepare(runner.indicators(p))
      fallbackTargets = try runner.targets(p, cache: cache)
    }
    let direction = (0..<prices.rowCount).map { t in state[t] == 2 ? fallbackTargets[t] : (state[t] == 1 ? model[t] : 0) }
    var recording = FullRecording()
    var accumulator = PerformanceAccumulator(initialEquity: configuration.initialCapital, periodsPerYear: 252, capacity: market.count)
    let summary = direction.withUnsafeBufferPointer { d in
      var rule = ArraySignal(direction: d.baseAddress!)
      return Simulator.run(market: market, rule: &rule, configuration: configuration, accumulator: &accumulator, recorder: &recording)
    }
    let orderEvents = monitor.events.compactMap { e in prices.index.position(of: set.timestamps[e.row]).map { (bar: $0, kind: "model_" + e.kind) } }
    var files = try BacktestFiles.files(market: market, recording: recording, summary: summary, events: orderEvents)
    // equity.csv with the model state.
    var equity = try CSVReader.readFrame(text: String(decoding: files[0].1, as: UTF8.self), name: "equity.csv")
    try equity.setColumn("model_state", Column(state.map(Double.init)))
    files[0].1 = CSVWriter.encode(equity)
    var monitorFrame = Frame(index: prices.index)
    func perBar(_ values: [Double]) -> Column<Double> { Column(rowOfSet.map { $0 >= 0 ? values[$0] : .nan }) }
    try monitorFrame.setColumn("probability", Column(probability))
    try monitorFrame.setColumn("model_state", Column(state.map(Double.init)))
    try monitorFrame.setColumn("log_loss", perBar(monitor.logLoss))
    try monitorFrame.setColumn("hit_rate", perBar(monitor.hitRate))
    try monitorFrame.setColumn("auc", perBar(monitor.auc))
    try monitorFrame.setColumn("psi", perBar(monitor.psi))
    let dateOnly = set.timestamps.allSatisfy(UTCCalendar.isMidnight)
    files.append(("monitor.csv", CSVWriter.encode(monitorFrame)))
    files.append(("events.csv", TableWriter.encode(header: ["timestamp", "event", "detail"],
                                                   rows: monitor.events.map { [UTCCalendar.iso8601(set.timestamps[$0.row], dateOnly: dateOnly), $0.kind, $0.detail] })))
    for (name, bytes) in files { try AtomicFile.write(bytes, to: URL(fileURLWithPath: out).appendingPathComponent(name).path) }
    let counts = Dictionary(grouping: monitor.events, by: \.kind).mapValues(\.count)
    print(BacktestFiles.table(summary))
    note("\(counts["retrain"] ?? 0) retrains, \(counts["degraded"] ?? 0) degradations, \(counts["recovered"] ?? 0) recoveries; fallback \(fallback) → \(out)")
  }
}
