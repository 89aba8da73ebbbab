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
    for name in values.keys where !knownParameters.contains(name) {
      throw .unknownParameter(name: name, strategy: kind.rawValue, known: knownParameters)
    }
    var p = values
    for (name, value) in kind.parameters where p[name] == nil { p[name] = value }
    func integer(_ name: String, minimum: Int) throws(BacktestError) {
      guard let v = p[name], v == v.rounded(), v >= Double(minimum) else {
        throw .invalidParameter(name: name, reason: "must be an integer >= \(minimum), was \(p[name] ?? .nan)")
      }
    }
    switch kind {
    case .smaCross, .emaCross:
      try integer("fast", minimum: 1); try integer("slow", minimum: 1)
    case .rsiReversion:
      try integer("window", minimum: 2)
      guard p["lower"]! < p["upper"]! else { throw .invalidParameter(name: "lower", reason: "must be below upper") }
    case .bollingerReversion:
      try integer("window", minimum: 2)
      guard p["k"]! > 0 else { throw .invalidParameter(name: "k", reason: "must be positive") }
    case .donchianBreakout: try integer("window", minimum: 1)
    case .model:
      guard let t = p["threshold"], t >= 0.5, t < 1 else { throw .invalidParameter(name: "threshold", reason: "must be in [0.5, 1)") }
      guard let s = p["smoothing"], s >= 1 else { throw .invalidParameter(name: "smoothing", reason: "must be >= 1 (1 = no smoothing)") }
    }
    for name in ["vol_lookback", "er_window", "chop_window"] where p[name] != nil { try integer(name, minimum: 2) }
    return p
  }

  /// The indicators the parameters need (prepare them before running).
  public func indicators(_ p: [String: Double]) -> [IndicatorKey] {
    var keys: [IndicatorKey] = []
    switch kind {
    case .smaCross: keys += [.sma(Int(p["fast"]!)), .sma(Int(p["slow"]!))]
    case .emaCross: keys += [.ema(p["fast"]!), .ema(p["slow"]!)]
    case .rsiReversion: keys.append(.rsi(Int(p["window"]!)))
    case .bollingerReversion:
      let w = Int(p["window"]!), k = p["k"]!
      keys += [.bollingerLower(w, k), .bollingerMiddle(w), .bollingerUpper(w, k)]
    case .donchianBreakout: keys += [.previousHigh(Int(p["window"]!)), .previousLow(Int(p["window"]!))]
    case .model: break
    }
    if let lookback = p["vol_lookback"] { keys.append(.volatilityRank(Int(lookback))) }
    if let w = p["er_window"] { keys.append(.efficiencyRatio(Int(w))) }
    if let w = p["chop_window"] { keys.append(.choppiness(Int(w))) }
    return keys
  }

  /// Runs the backtest of resolved parameters `p` on `cache`'s asset (indicators prepared).
  public func run<Recorder: BacktestRecorder>(
    _ p: [String: Double], cache: IndicatorCache, accumulator: inout PerformanceAccumulator, recorder: inout Recorder
  ) throws(BacktestError) -> PerformanceSummary {
    var visitor = SimulateVisitor(market: cache.market, configuration: try configuration.applying(p),
                                  gate: try gateValues(p, cache: cache), accumulator: accumulator, recorder: recorder)
    let summary = try withRule(p, cache: cache, &visitor)
    accumulator = visitor.accumulator
    recorder = visitor.recorder
    return summary
  }

  /// The rule's target after every bar (no costs, stops or gates): what it wants, bar by bar.
  public func targets(_ p: [String: Double], cache: IndicatorCache) throws(BacktestError) -> [Int8] {
    var visitor = TargetsVisitor(count: cache.market.count, allowShort: configuration.allowShort)
    return try withRule(p, cache: cache, &visitor)
  }

  /// Builds the concrete rule of `p` and hands it to `visitor` (so each use is specialized for
  /// the rule's type: no existential in the engine's loop).
  func withRule<V: RuleVisitor>(_ p: [String: Double], cache: IndicatorCache, _ visitor: inout V) throws(BacktestError) -> V.Output {
    let m = cache.market
    let short = configuration.allowShort
    switch kind {
    case .smaCross:
      return visitor.visit(CrossSignal(fast: cache.values(.sma(Int(p["fast"]!))), slow: cache.values(.sma(Int(p["slow"]!))), allowShort: short))
    case .emaCross:
      return visitor.visit(CrossSignal(fast: cache.values(.ema(p["fast"]!)), slow: cache.values(.ema(p["slow"]!)), allowShort: short))
    case .rsiReversion:
      return visitor.visit(OscillatorReversionSignal(value: cache.values(.rsi(Int(p["window"]!))), lower: p["lower"]!, upper: p["upper"]!, allowShort: short))
    case .bollingerReversion:
      let w = Int(p["window"]!), k = p["k"]!
      return visitor.visit(BandReversionSignal(close: UnsafePointer(m.close.baseAddress!), lower: cache.values(.bollingerLower(w, k)),
                                               middle: cache.values(.bollingerMiddle(w)), upper: cache.values(.bollingerUpper(w, k)), allowShort: short))
    case .donchianBreakout:
      let w = Int(p["window"]!)
      return visitor.visit(BreakoutSignal(close: UnsafePointer(m.close.baseAddress!), previousUpper: cache.values(.previousHigh(w)),
                                          previousLower: cache.values(.previousLow(w)), allowShort: short))
    case .model:
      guard let probabilities = cache.probabilities else { throw .missingProbabilities }
      let generator = SignalGenerator(threshold: p["threshold"]!, smoothingSpan: p["smoothing"]!, allowShort: short)
      let direction = generator.signals(probabilities: probabilities).direction
      return direction.withUnsafeBufferPointer { d in visitor.visit(ArraySignal(direction: d.baseAddress!)) }
    }
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
    do { coarseMarket = try MarketSeries(name: cache.market.name, frame: coarseFrame) } catch {
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
    let targetAfter = try StrategyRunner(kind: kind, configuration: configuration).targets(coarseParameters, cache: coarseCache)
    var out = [Int8](repeating: 0, count: frame.rowCount)
    var k = 0
    for t in 0..<frame.rowCount {
      while k + 1 < coarseFrame.rowCount && coarseFrame.index[k + 1] <= frame.index[t] { k += 1 }
      out[t] = k >= 1 ? targetAfter[k - 1] : 0
    }
    return out
  }
}

/// Something done with a concrete rule (see `StrategyRunner.withRule`).
protocol RuleVisitor {
  associatedtype Output
  mutating func visit<R: SignalRule>(_ rule: R) -> Output
}

/// Runs the engine on the rule, gated when there is a gate.
struct SimulateVisitor<Recorder: BacktestRecorder>: RuleVisitor {
  let market: MarketSeries
  let configuration: BacktestConfiguration
  let gate: [Int8]?
  var accumulator: PerformanceAccumulator
  var recorder: Recorder

  mutating func visit<R: SignalRule>(_ rule: R) -> PerformanceSummary {
    if let gate {
      return gate.withUnsafeBufferPointer { g in
        var gated = GatedSignal(rule, gate: g.baseAddress!)
        return Simulator.run(market: market, rule: &gated, configuration: configuration, accumulator: &accumulator, recorder: &recorder)
      }
    }
    var plain = rule
    return Simulator.run(market: market, rule: &plain, configuration: configuration, accumulator: &accumulator, recorder: &recorder)
  }
}

/// Collects the rule's target after every bar.
struct TargetsVisitor: RuleVisitor {
  let count: Int
  let allowShort: Bool

  func visit<R: SignalRule>(_ rule: R) -> [Int8] {
    var r = rule
    return (0..<count).map { t in
      let target = r.target(at: t)
      return target < 0 && !allowShort ? 0 : target
    }
  }
}
