import KairosBacktest
import KairosCore
import KairosFeatures
import KairosLinalg
import KairosModels

/// `kairos modelrisk` bar by bar, for a live session: the spec's features streamed, the rows
/// with every feature known gathered as the batch feature set gathers them, each row's label
/// (the sign of the return `horizon` bars on) filled in when its bar arrives, and the monitor
/// walked one row at a time (`ModelRiskMonitor.Walker`: retraining every `retrainEvery` rows on
/// the past only, degradation, recovery). The target of a bar is the model's signal while the
/// monitor is active, the fallback rule's while degraded, flat during the warm-up — as
/// `ModelRiskBacktest` trades them.
///
/// The batch feature set also drops the last `horizon` rows of a history (their labels are
/// not known yet); a live session scores them: on those bars the two may differ.
public struct LiveModelRisk: Sendable {
  public let settings: ModelRiskMonitor.Settings
  var stream: FeatureStream
  var walker: ModelRiskMonitor.Walker
  var signal: StreamingStrategy
  var fallback: StreamingStrategy?
  /// The feature rows gathered so far (column-major by feature), their labels (NaN until
  /// known), and per price bar the row it gave (−1: a feature was missing).
  var columns: [[Double]]
  var labels: [Double] = []
  var rowOfBar: [Int] = []
  var closes: [Double] = []
  var times: [Int64] = []
  let columnNames = ["open", "high", "low", "close", "volume"]

  /// What one bar did.
  public struct Step: Sendable {
    public var target: Int8
    public var state: ModelRiskMonitor.State
    public var probability: Double
    /// The monitor's events at this bar (retrain, degraded, recovered) and the model fitted.
    public var events: [ModelRiskMonitor.Event]
    public var retrained: LinearModel?
  }

  /// - Throws: `BacktestError` for a spec whose target is not `next_return_sign` or a model
  ///   fallback; the features' errors.
  /// The monitor's view so far: rolling out-of-sample log-loss, hit rate, AUC and the largest
  /// feature PSI per row (NaN before the first fit), and the validation reference.
  public var monitor: ModelRiskMonitor.Output { walker.out }
  public var reference: (logLoss: Double, hitRate: Double) { walker.reference }

  public init(spec: FeatureSpec, settings: ModelRiskMonitor.Settings, threshold: Double, smoothing: Double,
              fallback: StrategyKind?, configuration: BacktestConfiguration) throws {
    var settings = settings
    settings.horizon = try ModelRiskBacktest.horizon(of: spec)
    if fallback == .model { throw BacktestError.invalidParameter(name: "fallback", reason: "must be flat or a rule strategy") }
    self.settings = settings
    stream = try FeatureStream(spec: spec, columns: columnNames)
    walker = ModelRiskMonitor.Walker(settings: settings)
    let model = StrategyRunner(kind: .model, configuration: configuration)
    signal = try model.stream(try model.resolve(["threshold": threshold, "smoothing": smoothing]))
    if let fallback {
      let runner = StrategyRunner(kind: fallback, configuration: configuration)
      self.fallback = try runner.stream(try runner.resolve([:]))
    }
    columns = Array(repeating: [], count: stream.names.count)
  }

  public var names: [String] { stream.names }
  /// The monitor's state at the last row (warm-up before the first fit).
  public var state: ModelRiskMonitor.State { walker.out.state.last ?? .warmUp }

  public mutating func update(_ bar: OHLCVBar, time: Int64) throws -> Step {
    let b = closes.count
    closes.append(bar.close)
    times.append(time)
    // The label of the row `horizon` bars back is known now.
    let h = settings.horizon
    if b >= h, rowOfBar[b - h] >= 0 {
      let r = bar.close / closes[b - h] - 1
      labels[rowOfBar[b - h]] = r.isNaN ? .nan : (r > 0 ? 1 : 0)
    }
    var features = [Double](repeating: .nan, count: stream.names.count)
    let fields = stream.inputs.map { name -> Double in
      switch name { case "open": bar.open; case "high": bar.high; case "low": bar.low; case "close": bar.close; default: bar.volume }
    }
    fields.withUnsafeBufferPointer { f in features.withUnsafeMutableBufferPointer { o in stream.update(f, into: o) } }
    var step = Step(target: 0, state: .warmUp, probability: .nan, events: [], retrained: nil)
    if features.allSatisfy({ !$0.isNaN }) {
      let i = labels.count
      rowOfBar.append(i)
      for j in features.indices { columns[j].append(features[j]) }
      labels.append(.nan)
      let events = walker.out.events.count, model = walker.model
      try walker.step(i, currentSet())
      step.state = walker.out.state[i]
      step.probability = walker.out.probability[i]
      step.events = Array(walker.out.events[events...])
      if let fitted = walker.model, fitted != model { step.retrained = fitted }
    } else {
      rowOfBar.append(-1)
    }
    // Both signals advance on every bar (their smoothing and indicators must not skip bars).
    let modelTarget = signal.update(bar, time: time, probability: step.probability)
    let fallbackTarget = fallback?.update(bar, time: time, probability: .nan) ?? 0
    step.target = step.state == .degraded ? fallbackTarget : (step.state == .active ? modelTarget : 0)
    return step
  }

  /// The rows so far as a feature set (labels NaN where not known yet).
  func currentSet() -> FeatureSet {
    let n = labels.count
    var values: [Double] = []
    values.reserveCapacity(n * columns.count)
    for c in columns { values += c }
    return FeatureSet(names: stream.names, timestamps: rowOfBar.indices.filter { rowOfBar[$0] >= 0 }.map { times[$0] },
                      matrix: Matrix(rows: n, columns: columns.count, columnMajor: values), target: labels)
  }
}

/// The settings of a live model-risk session, as stored in its state folder (JSON): the
/// feature spec's YAML, the monitor's schedule and limits, the signal and the fallback.
public struct ModelRiskPlan: Codable, Sendable, Equatable {
  public var specYAML: String
  public var retrainEvery = 63, window = 63, validationRows = 126, minimumTrainRows = 500
  public var l2 = 1.0
  public var threshold = 0.52, smoothing = 1.0
  /// A rule strategy's name, or nil for flat.
  public var fallback: String?

  public init(specYAML: String) { self.specYAML = specYAML }

  public var settings: ModelRiskMonitor.Settings {
    var s = ModelRiskMonitor.Settings()
    s.retrainEvery = retrainEvery; s.window = window; s.validationRows = validationRows; s.minimumTrainRows = minimumTrainRows; s.l2 = l2
    return s
  }

  /// One line for the state folder's settings.
  public var summary: String {
    "model_risk(retrain_every=\(retrainEvery) window=\(window) validation=\(validationRows) min_train=\(minimumTrainRows) l2=\(l2) "
      + "threshold=\(threshold) smoothing=\(smoothing) fallback=\(fallback ?? "flat"))"
  }

  public func live(configuration: BacktestConfiguration) throws -> LiveModelRisk {
    try LiveModelRisk(spec: try FeatureSpec.parse(yaml: specYAML, name: "spec"), settings: settings, threshold: threshold, smoothing: smoothing,
                      fallback: fallback.flatMap(StrategyKind.init(rawValue:)), configuration: configuration)
  }
}
