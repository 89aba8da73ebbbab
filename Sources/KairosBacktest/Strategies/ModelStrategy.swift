import KairosCore
import KairosFeatures

/// Signals from model probabilities (a model file with its features, or a CSV column) through
/// a `SignalGenerator`: EMA smoothing, then long above `threshold` (short below `1 − threshold`).
public enum ModelStrategy: StrategyDefinition {
  public static let name = "model"
  public static let summary = "long when the (smoothed) model probability > threshold"
  public static let parameters = [
    StrategyParameter("threshold", default: 0.55, range: 0.5...0.999999, help: "enter long above this probability"),
    StrategyParameter("smoothing", default: 1, range: 1...1e6, help: "EMA span of the probability (1: none)"),
  ]
  public static let defaultGrid = ["threshold=0.5,0.52,0.55,0.6", "smoothing=1,3,5,10"]

  public static func indicators(_ p: [String: Double]) -> [IndicatorKey] { [] }

  public static func withColumnRule<V: RuleVisitor>(_ p: [String: Double], cache: IndicatorCache, allowShort: Bool,
                                                    _ visitor: inout V) throws(BacktestError) -> V.Output {
    guard let probabilities = cache.probabilities else { throw .missingProbabilities }
    let generator = SignalGenerator(threshold: p["threshold"]!, smoothingSpan: p["smoothing"]!, allowShort: allowShort)
    let direction = generator.signals(probabilities: probabilities).direction
    return direction.withUnsafeBufferPointer { d in visitor.visit(ArraySignal(direction: d.baseAddress!)) }
  }

  public static func stream(_ p: [String: Double], allowShort: Bool) -> any StrategyStream {
    Stream(generator: SignalGenerator.Stream(SignalGenerator(threshold: p["threshold"]!, smoothingSpan: p["smoothing"]!, allowShort: allowShort)))
  }

  struct Stream: StrategyStream {
    var generator: SignalGenerator.Stream
    mutating func update(_ bar: OHLCVBar, probability: Double) -> Int8 { generator.update(probability).direction }
  }
}
