import KairosBacktest
import KairosCore
import KairosFeatures
import KairosFrame
import KairosIO

extension ModelRiskBacktest {
  /// The label horizon of `spec`, whose target must be `next_return_sign` (the monitor scores
  /// sign predictions).
  public static func horizon(of spec: FeatureSpec) throws(BacktestError) -> Int {
    guard case let .nextReturnSign(horizon)? = spec.target else {
      throw .invalidParameter(name: "spec", reason: "the feature spec needs target: next_return_sign")
    }
    return horizon
  }
}

/// A model strategy under the model-risk monitor — what `kairos modelrisk` computes: the
/// monitor retrains on schedule and flags degradation; while it is active the model's signal
/// trades, while degraded the fallback rule (or flat), during warm-up nothing.
public struct ModelRiskBacktest: Sendable {
  public let monitor: ModelRiskMonitor.Output
  public let summary: PerformanceSummary
  /// `equity.csv` (with `model_state`), `trades.csv`, `orders.csv` (with the monitor's events),
  /// `metrics.json`, `monitor.csv` (per bar: probability, state, log-loss, hit rate, AUC, PSI)
  /// and `events.csv`.
  public let files: [(String, [UInt8])]

  /// - Parameters:
  ///   - spec: a feature spec whose target is `next_return_sign` (its horizon is the monitor's).
  ///   - fallback: the rule strategy traded while degraded (`nil`: flat).
  /// - Throws: `BacktestError` for a spec without that target or a model fallback; the
  ///   features' and models' errors.
  public init(prices: Frame, spec: FeatureSpec, settings: ModelRiskMonitor.Settings, threshold: Double, smoothing: Double,
              configuration: BacktestConfiguration, fallback: StrategyKind?) throws {
    let horizon = try Self.horizon(of: spec)
    if fallback == .model { throw BacktestError.invalidParameter(name: "fallback", reason: "must be flat or a rule strategy") }
    let set = try FeatureSet(spec: spec, frame: prices)
    var settings = settings
    settings.horizon = horizon
    let monitor = try ModelRiskMonitor(settings: settings).run(set)

    // Per price bar: the probability and the state (warm-up where the feature set has no row).
    var probability = [Double](repeating: .nan, count: prices.rowCount), state = [Int8](repeating: 0, count: prices.rowCount)
    var rowOfSet = [Int](repeating: -1, count: prices.rowCount)
    for (k, t) in set.timestamps.enumerated() {
      guard let row = prices.index.position(of: t) else { continue }
      probability[row] = monitor.probability[k]; state[row] = Int8(monitor.state[k].rawValue); rowOfSet[row] = k
    }
    let model = SignalGenerator(threshold: threshold, smoothingSpan: smoothing).signals(probabilities: Column(probability)).direction
    let market = try MarketSeries(name: "asset", frame: prices)
    var fallbackTargets = [Int8](repeating: 0, count: prices.rowCount)
    if let fallback {
      let runner = StrategyRunner(kind: fallback, configuration: configuration)
      let cache = IndicatorCache(market: market)
      let p = try runner.resolve([:])
      cache.prepare(runner.indicators(p))
      fallbackTargets = try runner.targets(p, cache: cache)
    }
    let direction = (0..<prices.rowCount).map { t in state[t] == 2 ? fallbackTargets[t] : (state[t] == 1 ? model[t] : 0) }
    var recording = FullRecording()
    var accumulator = PerformanceAccumulator(initialEquity: configuration.initialCapital, periodsPerYear: configuration.annualization(for: market.timestamps), capacity: market.count)
    let summary = direction.withUnsafeBufferPointer { d in
      var rule = ArraySignal(direction: d.baseAddress!)
      return Simulator.run(market: market, rule: &rule, configuration: configuration, accumulator: &accumulator, recorder: &recording)
    }
    let orderEvents = monitor.events.compactMap { e in prices.index.position(of: set.timestamps[e.row]).map { (bar: $0, kind: "model_" + e.kind) } }
    let states = state.map(Double.init)
    var files = try BacktestFiles.files(market: market, recording: recording, summary: summary, events: orderEvents, equityColumns: [("model_state", states)])
    var perBar = Frame(index: prices.index)
    func onBars(_ values: [Double]) -> Column<Double> { Column(rowOfSet.map { $0 >= 0 ? values[$0] : .nan }) }
    try perBar.setColumn("probability", Column(probability))
    try perBar.setColumn("model_state", Column(states))
    try perBar.setColumn("log_loss", onBars(monitor.logLoss))
    try perBar.setColumn("hit_rate", onBars(monitor.hitRate))
    try perBar.setColumn("auc", onBars(monitor.auc))
    try perBar.setColumn("psi", onBars(monitor.psi))
    let dateOnly = set.timestamps.allSatisfy(UTCCalendar.isMidnight)
    files.append(("monitor.csv", CSVWriter.encode(perBar)))
    files.append(("events.csv", TableWriter.encode(header: ["timestamp", "event", "detail"],
                                                   rows: monitor.events.map { [UTCCalendar.iso8601(set.timestamps[$0.row], dateOnly: dateOnly), $0.kind, $0.detail] })))
    self.monitor = monitor
    self.summary = summary
    self.files = files
  }
}
