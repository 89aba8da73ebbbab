import KairosFeatures

/// One parameter of a strategy: its name (as on the command line and in configs), default and
/// allowed range, and whether it must be a whole number (a window).
public struct StrategyParameter: Sendable, Equatable {
  public let name: String
  public let defaultValue: Double
  public let range: ClosedRange<Double>
  public let isInteger: Bool
  public let help: String

  public init(_ name: String, default value: Double, range: ClosedRange<Double>, integer: Bool = false, help: String) {
    self.name = name; defaultValue = value; self.range = range; isInteger = integer; self.help = help
  }

  /// Checks one value against the range and integrality.
  public func check(_ v: Double) throws(BacktestError) {
    guard v.isFinite, range.contains(v) else {
      throw .invalidParameter(name: name, reason: "must be in \(Self.format(range.lowerBound))...\(Self.format(range.upperBound)), was \(v)")
    }
    guard !isInteger || v == v.rounded() else { throw .invalidParameter(name: name, reason: "must be a whole number, was \(v)") }
  }

  static func format(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x) }
}

/// A trading strategy, defined once: its parameters, the indicators it reads, its rule over
/// precomputed indicator columns (backtests and sweeps) and its bar-by-bar form (the live
/// loop). Each strategy is one file; `StrategyKind.registry` names them.
public protocol StrategyDefinition: Sendable {
  /// The name on the command line and in configs (`sma-cross`).
  static var name: String { get }
  static var summary: String { get }
  static var parameters: [StrategyParameter] { get }
  /// The grid `kairos sweep --strategy NAME` uses when no `--grid` is given, and its constraint.
  static var defaultGrid: [String] { get }
  static var defaultConstraint: String? { get }
  /// Checks across parameters (`lower < upper`); single values are checked by their ranges.
  static func validate(_ p: [String: Double]) throws(BacktestError)
  /// The indicator columns the rule reads (prepared once per asset, shared by a sweep).
  static func indicators(_ p: [String: Double]) -> [IndicatorKey]
  /// Builds the rule over `cache`'s columns and hands it to `visitor` (specialized per rule: no
  /// existential in the engine's loop). Called through the entry points below, never through
  /// an existential (that would run the engine unspecialized).
  static func withColumnRule<V: RuleVisitor>(_ p: [String: Double], cache: IndicatorCache, allowShort: Bool,
                                             _ visitor: inout V) throws(BacktestError) -> V.Output
  // The entry points a `StrategyKind` calls. Each strategy gets them from the extension below;
  // as protocol requirements their witnesses are specialized for the strategy's concrete
  // types, so the engine's loop is compiled for each rule and recorder.
  static func simulate(_ p: [String: Double], cache: IndicatorCache, configuration: BacktestConfiguration, gate: [Int8]?,
                       accumulator: inout PerformanceAccumulator, recorder: inout NoRecording) throws(BacktestError) -> PerformanceSummary
  static func simulate(_ p: [String: Double], cache: IndicatorCache, configuration: BacktestConfiguration, gate: [Int8]?,
                       accumulator: inout PerformanceAccumulator, recorder: inout FullRecording) throws(BacktestError) -> PerformanceSummary
  static func targets(_ p: [String: Double], cache: IndicatorCache, allowShort: Bool, trigger: Trigger) throws(BacktestError) -> [Int8]
  /// The same rule bar by bar, from the indicators' streaming states.
  static func stream(_ p: [String: Double], allowShort: Bool) -> any StrategyStream
}

extension StrategyDefinition {
  public static var defaultConstraint: String? { nil }
  public static func validate(_ p: [String: Double]) throws(BacktestError) {}

  public static func simulate(_ p: [String: Double], cache: IndicatorCache, configuration: BacktestConfiguration, gate: [Int8]?,
                              accumulator: inout PerformanceAccumulator, recorder: inout NoRecording) throws(BacktestError) -> PerformanceSummary {
    try simulated(p, cache: cache, configuration: configuration, gate: gate, accumulator: &accumulator, recorder: &recorder)
  }

  public static func simulate(_ p: [String: Double], cache: IndicatorCache, configuration: BacktestConfiguration, gate: [Int8]?,
                              accumulator: inout PerformanceAccumulator, recorder: inout FullRecording) throws(BacktestError) -> PerformanceSummary {
    try simulated(p, cache: cache, configuration: configuration, gate: gate, accumulator: &accumulator, recorder: &recorder)
  }

  public static func targets(_ p: [String: Double], cache: IndicatorCache, allowShort: Bool, trigger: Trigger = .level) throws(BacktestError) -> [Int8] {
    var visitor = TargetsVisitor(count: cache.market.count, allowShort: allowShort, trigger: trigger)
    return try withColumnRule(p, cache: cache, allowShort: allowShort, &visitor)
  }

  @inline(__always)
  static func simulated<Recorder: BacktestRecorder>(
    _ p: [String: Double], cache: IndicatorCache, configuration: BacktestConfiguration, gate: [Int8]?,
    accumulator: inout PerformanceAccumulator, recorder: inout Recorder
  ) throws(BacktestError) -> PerformanceSummary {
    // The accumulator moves into the run and back (its buffers stay uniquely referenced).
    var visitor = ComposedRule(gate: gate, trigger: configuration.trigger,
                               body: SimulateBody(market: cache.market, configuration: configuration, accumulator: accumulator.take(), recorder: recorder))
    defer {
      accumulator = visitor.body.accumulator.take()
      recorder = visitor.body.recorder
    }
    return try withColumnRule(p, cache: cache, allowShort: configuration.allowShort, &visitor)
  }
}

/// A strategy's rule and indicator states, stepped one completed bar at a time.
public protocol StrategyStream: Sendable {
  /// The target after the close of `bar`; `probability` is the model's for this bar (the
  /// `model` strategy; `NaN` otherwise).
  mutating func update(_ bar: OHLCVBar, probability: Double) -> Int8
  /// Whether the last update's inputs were known (see `SignalRule.isDefined(at:)`).
  var isDefined: Bool { get }
}

extension StrategyStream {
  public var isDefined: Bool { true }
}

/// Something done with a concrete rule (see `StrategyDefinition.withColumnRule`).
public protocol RuleVisitor {
  associatedtype Output
  mutating func visit<R: SignalRule>(_ rule: R) -> Output
}

/// A strategy by name: a handle on its definition. Adding a strategy is its file plus one line
/// in `registry`.
public struct StrategyKind: Hashable, Sendable, CaseIterable, RawRepresentable, Codable, CustomStringConvertible {
  public let definition: any StrategyDefinition.Type
  public var rawValue: String { definition.name }
  public var description: String { rawValue }

  /// Every strategy, in the order help texts list them.
  public static let registry: [any StrategyDefinition.Type] = [
    SMACrossStrategy.self, EMACrossStrategy.self, RSIReversionStrategy.self, BollingerReversionStrategy.self,
    DonchianBreakoutStrategy.self, ModelStrategy.self,
  ]

  public static let smaCross = StrategyKind(SMACrossStrategy.self)
  public static let emaCross = StrategyKind(EMACrossStrategy.self)
  public static let rsiReversion = StrategyKind(RSIReversionStrategy.self)
  public static let bollingerReversion = StrategyKind(BollingerReversionStrategy.self)
  public static let donchianBreakout = StrategyKind(DonchianBreakoutStrategy.self)
  /// Probabilities from a model file or a CSV column, through a `SignalGenerator`.
  public static let model = StrategyKind(ModelStrategy.self)

  public static var allCases: [StrategyKind] { registry.map(StrategyKind.init) }

  public init(_ definition: any StrategyDefinition.Type) { self.definition = definition }

  public init?(rawValue: String) {
    guard let d = Self.registry.first(where: { $0.name == rawValue }) else { return nil }
    definition = d
  }

  public static func == (a: Self, b: Self) -> Bool { a.rawValue == b.rawValue }
  public func hash(into h: inout Hasher) { h.combine(rawValue) }

  /// The strategy's own parameters and their defaults.
  public var parameters: [(name: String, value: Double)] { definition.parameters.map { ($0.name, $0.defaultValue) } }
  public var defaultGrid: [String] { definition.defaultGrid }
  public var defaultConstraint: String? { definition.defaultConstraint }
}
