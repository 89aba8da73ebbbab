import Foundation
import KairosBacktest
import KairosCore
import KairosFeatures
import KairosFrame
import KairosIO
import KairosResearch
import KairosTestSupport
import Testing

/// The model-risk monitor bar by bar equals the batch monitor of `kairos modelrisk`: the same
/// retraining rows, probabilities, states and events, bit for bit — except on the last
/// `horizon` bars, which the batch feature set drops (their labels are not known yet).
@Suite struct LiveModelRiskTests {
  static let yaml = "features:\n  - kind: log_returns\n  - kind: zscore\n    window: 20\n  - kind: rsi\n    period: 14\ntarget:\n  kind: next_return_sign\n"

  @Test(arguments: [1, 3])
  func barByBarEqualsTheBatchMonitor(horizon: Int) throws {
    let frame = try CSVReader.readOHLCV(path: TestPaths.sample(SampleData.aaplDailyUnadjusted))
    let spec = try FeatureSpec.parse(yaml: Self.yaml.replacingOccurrences(of: "next_return_sign\n", with: "next_return_sign\n  horizon: \(horizon)\n"))
    var settings = ModelRiskMonitor.Settings()
    settings.minimumTrainRows = 400; settings.validationRows = 100; settings.retrainEvery = 50; settings.window = 40; settings.psiLimit = 0.2
    settings.horizon = horizon
    let set = try FeatureSet(spec: spec, frame: frame)
    let batch = try ModelRiskMonitor(settings: settings).run(set)
    let config = BacktestConfiguration()
    var live = try LiveModelRisk(spec: spec, settings: settings, threshold: 0.52, smoothing: 3, fallback: .smaCross, configuration: config)
    var probability: [Int64: Double] = [:], state: [Int64: ModelRiskMonitor.State] = [:], targets: [Int8] = []
    var events: [(Int64, String)] = [], versions = 0
    let (o, h, l, c, v) = (try frame.column("open"), try frame.column("high"), try frame.column("low"), try frame.column("close"), try frame.column("volume"))
    for t in 0..<frame.rowCount {
      let step = try live.update(OHLCVBar(open: o[t], high: h[t], low: l[t], close: c[t], volume: v[t]), time: frame.index[t])
      probability[frame.index[t]] = step.probability; state[frame.index[t]] = step.state
      targets.append(step.target)
      events += step.events.map { (frame.index[t], $0.kind) }
      if step.retrained != nil { versions += 1 }
    }
    // Every row of the batch set (it has no row for the last `horizon` bars).
    for (k, t) in set.timestamps.enumerated() {
      #expect(state[t] == batch.state[k], "row \(k): state")
      #expect(probability[t]!.bitPattern == batch.probability[k].bitPattern || (probability[t]!.isNaN && batch.probability[k].isNaN), "row \(k): probability")
    }
    #expect(batch.events.map { (set.timestamps[$0.row], $0.kind) }.elementsEqual(events.prefix(batch.events.count)) { $0 == $1 })
    #expect(batch.state.contains(.degraded) && batch.state.contains(.active), "the data should exercise both states")
    #expect(versions == events.filter { $0.1 == "retrain" }.count && versions >= 40, "each refit gives a model version")
    // The targets: the model's signal while active, the fallback's while degraded, flat in warm-up.
    var p = [Double](repeating: .nan, count: frame.rowCount), s = [Int](repeating: 0, count: frame.rowCount)
    for (k, t) in set.timestamps.enumerated() { let r = frame.index.position(of: t)!; p[r] = batch.probability[k]; s[r] = batch.state[k].rawValue }
    let model = SignalGenerator(threshold: 0.52, smoothingSpan: 3).signals(probabilities: Column(p)).direction
    let market = try MarketSeries(name: "aapl", frame: frame)
    let runner = StrategyRunner(kind: .smaCross, configuration: config)
    let cache = IndicatorCache(market: market)
    let resolved = try runner.resolve([:])
    cache.prepare(runner.indicators(resolved))
    let fallback = try runner.targets(resolved, cache: cache)
    let expected = (0..<frame.rowCount).map { t in s[t] == 2 ? fallback[t] : (s[t] == 1 ? model[t] : 0) }
    let checked = frame.rowCount - horizon
    #expect(Array(targets.prefix(checked)) == Array(expected.prefix(checked)))
  }
}
