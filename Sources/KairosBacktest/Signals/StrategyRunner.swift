import KairosCore
import KairosFrame

/// Runs one strategy with one set of parameters on one asset: builds the concrete rule (and its
/// gates: filters, multi-timeframe confirmation) and hands it to the generic `Simulator`.
public struct StrategyRunner: Sendable {
  public let kind: StrategyKind
  public let configuration: BacktestConfiguration
  /// Confirmation on a coarser timeframe (e.g. `1w` for daily bars), or `nil`.
  public let confirmation: BarInterval?

  public init(kind: StrategyKind, configuration: BacktestConfiguration, confirmation: BarInterval? = nil) {
    self.kind = kind
    self.configuration = configuration
    self.confirmation = confirmation
  }

  /// The names every parameter map may use with this strategy.
  public var knownParameters: [String] { kind.parameters.map(\.name) + CommonParameter.names.keys.sorted() }

  /// Checks names and values; returns the strategy parameters with defaults filled in.
  public func resolve(_ values: [String: Double]) throws(BacktestError) -> [String: Double] {
    // Each name checked without building the list (a sweep resolves millions of combinations).
    for name in values.keys where CommonParameter.names[name] == nil && !kind.definition.parameters.contains(where: { $0.name == name }) {
      throw .unknownParameter(name: name, strategy: kind.rawValue, known: knownParameters)
    }
    var p = values
    for parameter in kind.definition.parameters {
      if p[parameter.name] == nil { p[parameter.name] = parameter.defaultValue }
      try parameter.check(p[parameter.name]!)
    }
    try kind.definition.validate(p)
    for name in ["vol_lookback", "er_window", "chop_window"] {
      guard let v = p[name] else { continue }
      guard v == v.rounded(), v >= 2, v <= 1e6 else { throw .invalidParameter(name: name, reason: "must be a whole number in 2...1000000, was \(v)") }
    }
    _ = try configuration.applying(p)  // the common parameters' domains, before any work
    return p
  }

  /// The parameters counted in bars: the strategy's integer parameters and the filters' windows.
  public var windowParameters: Set<String> {
    Set(kind.definition.parameters.filter(\.isInteger).map(\.name) + ["vol_lookback", "er_window", "chop_window"])
  }

  /// Refuses a window longer than the data (`bars` of `asset`): its indicator would never be
  /// known and nothing could be traded — a silent empty result otherwise.
  public func checkWindows(_ p: [String: Double], bars: Int, asset: String) throws(BacktestError) {
    for name in windowParameters.sorted() {
      guard let v = p[name], v > Double(bars) else { continue }
      throw .invalidParameter(name: name, reason: "\(Int(v)) bars is longer than the data (\(bars) bars of \(asset)); nothing could be traded")
    }
  }

  /// The indicators the parameters need (prepare them before running).
  public func indicators(_ p: [String: Double]) -> [IndicatorKey] {
    var keys = kind.definition.indicators(p)
    let filters = RegimeFilters(p)
    if let lookback = filters.volatilityLookback { keys.append(.volatilityRank(lookback)) }
    if let w = filters.efficiencyWindow { keys.append(.efficiencyRatio(w)) }
    if let w = filters.choppinessWindow { keys.append(.choppiness(w)) }
    return keys
  }

  /// What a run takes from its parameters besides the strategy's own: the configuration with
  /// the common parameters applied, and the gate of the filters and the confirmation (nil:
  /// none). A sweep takes each once for the rows that agree on its `settingAxes` (in a
  /// fast × slow grid, all of them): both cost dictionary look-ups per combination otherwise.
  public struct RunSetting: Sendable {
    public let configuration: BacktestConfiguration
    let gate: [Int8]?
  }

  /// The setting of resolved parameters `p` on `cache`'s asset (indicators prepared).
  public func setting(_ p: [String: Double], cache: IndicatorCache) throws(BacktestError) -> RunSetting {
    RunSetting(configuration: try configuration.applying(p), gate: try gateValues(p, cache: cache))
  }

  /// The axes of `grid` the two parts of a run's setting depend on. The configuration: all but
  /// the strategy's own parameters. The gate: the filters' — neither the strategy's own nor
  /// engine parameters — or every axis with a confirmation, whose gate runs the strategy itself.
  public func settingAxes(of grid: ParameterGrid) -> (configuration: [Int], gate: [Int]) {
    let own = Set(kind.definition.parameters.map(\.name))
    let configuration = grid.axes.indices.filter { !own.contains(grid.axes[$0].name) }
    let gate = confirmation != nil ? Array(grid.axes.indices) : configuration.filter { !CommonParameter.engineOnly.contains(grid.axes[$0].name) }
    return (configuration, gate)
  }

  /// Runs the backtest of resolved parameters `p` on `cache`'s asset (indicators prepared).
  /// Sweeps record nothing (`NoRecording`); backtests everything (`FullRecording`). Two entry
  /// points rather than a generic one, so the engine's loop is compiled for each strategy and
  /// recorder (see `StrategyDefinition`).
  public func run(
    _ p: [String: Double], cache: IndicatorCache, accumulator: inout PerformanceAccumulator, recorder: inout NoRecording
  ) throws(BacktestError) -> PerformanceSummary {
    try run(p, setting: try setting(p, cache: cache), cache: cache, accumulator: &accumulator, recorder: &recorder)
  }

  public func run(
    _ p: [String: Double], cache: IndicatorCache, accumulator: inout PerformanceAccumulator, recorder: inout FullRecording
  ) throws(BacktestError) -> PerformanceSummary {
    let s = try setting(p, cache: cache)
    return try kind.definition.simulate(p, cache: cache, configuration: s.configuration, gate: s.gate, accumulator: &accumulator, recorder: &recorder)
  }

  /// `run(_:cache:…)` with the setting of `p` (or of parameters that agree with `p` on
  /// `settingAxes`) taken beforehand.
  public func run(
    _ p: [String: Double], setting s: RunSetting, cache: IndicatorCache, accumulator: inout PerformanceAccumulator, recorder: inout NoRecording
  ) throws(BacktestError) -> PerformanceSummary {
    try kind.definition.simulate(p, cache: cache, configuration: s.configuration, gate: s.gate, accumulator: &accumulator, recorder: &recorder)
  }

  /// The track of the rule of resolved parameters `p` on `cache`'s asset (indicators
  /// prepared): the targets the engine will be given, gates and trigger included. Shared by
  /// the combinations that differ only in engine parameters (`ParameterGrid.sameSignal`).
  public func track(_ p: [String: Double], cache: IndicatorCache) throws(BacktestError) -> SignalTrack {
    try track(p, setting: try setting(p, cache: cache), cache: cache)
  }

  /// `track(_:cache:)` with the setting taken beforehand.
  public func track(_ p: [String: Double], setting s: RunSetting, cache: IndicatorCache) throws(BacktestError) -> SignalTrack {
    let c = s.configuration
    var composed = ComposedRule(gate: s.gate, trigger: c.trigger, body: TrackBody(count: cache.market.count, allowShort: c.allowShort))
    return try kind.definition.withColumnRule(p, cache: cache, allowShort: c.allowShort, &composed)
  }

  /// Runs the backtest of resolved parameters `p` with the targets of `track` (the track of
  /// parameters that differ from `p` only in engine parameters): the same bits as
  /// `run(_:cache:…)`.
  public func run(
    _ p: [String: Double], track: SignalTrack, cache: IndicatorCache, accumulator: inout PerformanceAccumulator, recorder: inout NoRecording
  ) throws(BacktestError) -> PerformanceSummary {
    run(track: track, configuration: try configuration.applying(p), cache: cache, accumulator: &accumulator, recorder: &recorder)
  }

  /// `run(_:track:…)` with the configuration of the combination taken beforehand.
  public func run(
    track: SignalTrack, configuration: BacktestConfiguration, cache: IndicatorCache, accumulator: inout PerformanceAccumulator, recorder: inout NoRecording
  ) -> PerformanceSummary {
    precondition(track.count == cache.market.count, "a track of another asset")
    var rule = track.rule
    return Simulator.run(market: cache.market, rule: &rule, configuration: configuration, accumulator: &accumulator, recorder: &recorder)
  }

  /// The rule's target after every bar (no costs, stops or gates; under the configured
  /// trigger): what it wants, bar by bar.
  public func targets(_ p: [String: Double], cache: IndicatorCache) throws(BacktestError) -> [Int8] {
    try kind.definition.targets(p, cache: cache, allowShort: configuration.allowShort, trigger: configuration.trigger)
  }

  /// The bar-by-bar form of this strategy with resolved parameters `p` (the live loop's).
  public func stream(_ p: [String: Double]) throws(BacktestError) -> StreamingStrategy {
    try StreamingStrategy(kind: kind, parameters: p, allowShort: configuration.allowShort, confirmation: confirmation, trigger: configuration.trigger)
  }

  /// The gate of `GatedSignal` (filters and confirmation), or `nil` when there is none.
  func gateValues(_ p: [String: Double], cache: IndicatorCache) throws(BacktestError) -> [Int8]? {
    let n = cache.market.count
    let filters = RegimeFilters(p)
    guard !filters.isEmpty || confirmation != nil else { return nil }
    var gate = [Int8](repeating: 2, count: n)
    if !filters.isEmpty {
      let rank = filters.volatilityLookback.map { cache.values(.volatilityRank($0)) }
      let er = filters.efficiencyWindow.map { cache.values(.efficiencyRatio($0)) }
      let chop = filters.choppinessWindow.map { cache.values(.choppiness($0)) }
      for t in 0..<n where !filters.allows(volatilityRank: rank?[t] ?? .nan, efficiencyRatio: er?[t] ?? .nan, choppiness: chop?[t] ?? .nan) {
        gate[t] = 0
      }
    }
    if let interval = confirmation {
      let coarse = try coarseDirections(p, cache: cache, interval: interval)
      for t in 0..<n where gate[t] != 0 { gate[t] = coarse[t] }
    }
    return gate
  }

  /// The strategy's direction on `interval` bars, from completed coarse bars only, on the
  /// base timeline: base bar `t` sees the coarse bar before the one that contains it (a
  /// coarse bar is complete once a base bar of the next one has arrived).
  func coarseDirections(_ p: [String: Double], cache: IndicatorCache, interval: BarInterval) throws(BacktestError) -> [Int8] {
    let frame = cache.market.frame
    let coarseFrame = frame.resampled(to: interval)
    let coarseMarket: MarketSeries
    do { coarseMarket = try MarketSeries(name: cache.market.name, frame: coarseFrame, checked: false) } catch {
      throw .invalidParameter(name: "confirm", reason: "\(error)")
    }
    let coarseCache = IndicatorCache(market: coarseMarket)
    if let probabilities = cache.probabilities {
      // Coarse probability: the last one of each coarse bar.
      var byBar = [Double](repeating: .nan, count: coarseFrame.rowCount)
      var k = 0
      for t in 0..<frame.rowCount {
        while k + 1 < coarseFrame.rowCount && coarseFrame.index[k + 1] <= frame.index[t] { k += 1 }
        if !probabilities[t].isNaN { byBar[k] = probabilities[t] }
      }
      coarseCache.probabilities = Column(byBar)
    }
    var coarseParameters = p
    for name in ["vol_lookback", "er_window", "chop_window"] { coarseParameters[name] = nil }
    coarseCache.prepare(indicators(coarseParameters))
    var coarse = configuration
    coarse.trigger = .level  // the confirmation is a state to agree with, not an entry
    let targetAfter = try StrategyRunner(kind: kind, configuration: coarse).targets(coarseParameters, cache: coarseCache)
    var out = [Int8](repeating: 0, count: frame.rowCount)
    var k = 0
    for t in 0..<frame.rowCount {
      while k + 1 < coarseFrame.rowCount && coarseFrame.index[k + 1] <= frame.index[t] { k += 1 }
      out[t] = k >= 1 ? targetAfter[k - 1] : 0
    }
    return out
  }
}

/// What is done with the rule the engine runs (`ComposedRule`): run the engine on it, or take
/// its track.
protocol ComposedRuleBody {
  associatedtype Output
  mutating func run<R: SignalRule>(_ rule: inout R) -> Output
}

/// The rule the engine runs for a strategy's rule: gated when there is a gate (filters,
/// confirmation), under `--trigger cross` when asked. The one composition, for backtests and
/// for the tracks sweeps share (`SignalTrack`), so both see the same targets.
struct ComposedRule<Body: ComposedRuleBody>: RuleVisitor {
  let gate: [Int8]?
  let trigger: Trigger
  var body: Body

  mutating func visit<R: SignalRule>(_ rule: R) -> Body.Output {
    if let gate {
      return gate.withUnsafeBufferPointer { g in triggered(GatedSignal(rule, gate: g.baseAddress!)) }
    }
    return triggered(rule)
  }

  mutating func triggered<R: SignalRule>(_ rule: R) -> Body.Output {
    if trigger == .cross {
      var triggered = CrossTriggeredSignal(rule)
      return body.run(&triggered)
    }
    var plain = rule
    return body.run(&plain)
  }
}

/// Runs the engine (`Simulator`) on the composed rule.
struct SimulateBody<Recorder: BacktestRecorder>: ComposedRuleBody {
  let market: MarketSeries
  let configuration: BacktestConfiguration
  var accumulator: PerformanceAccumulator
  var recorder: Recorder

  mutating func run<R: SignalRule>(_ rule: inout R) -> PerformanceSummary {
    Simulator.run(market: market, rule: &rule, configuration: configuration, accumulator: &accumulator, recorder: &recorder)
  }
}

/// Takes the composed rule's track.
struct TrackBody: ComposedRuleBody {
  let count: Int
  let allowShort: Bool
  func run<R: SignalRule>(_ rule: inout R) -> SignalTrack { SignalTrack(rule: &rule, count: count, allowShort: allowShort) }
}

/// Collects the rule's target after every bar.
struct TargetsVisitor: RuleVisitor {
  let count: Int
  let allowShort: Bool
  let trigger: Trigger

  func visit<R: SignalRule>(_ rule: R) -> [Int8] {
    var r = rule
    var cross = CrossTrigger()
    return (0..<count).map { t in
      var target = r.target(at: t)
      if trigger == .cross { target = cross.filter(target, defined: r.isDefined(at: t)) }
      return PositionBook.permitted(target, allowShort: allowShort)
    }
  }
}
