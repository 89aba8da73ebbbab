import KairosFeatures

/// Mean reversion on Wilder's RSI: long below `lower`, out (or short) above `upper`.
public enum RSIReversionStrategy: StrategyDefinition {
  public static let name = "rsi-reversion"
  public static let summary = "long when RSI(window) < lower, out (short) when > upper"
  public static let parameters = [
    StrategyParameter("window", default: 14, range: 2...1e6, integer: true, help: "RSI period (bars)"),
    StrategyParameter("lower", default: 30, range: 0...100, help: "enter long below this RSI"),
    StrategyParameter("upper", default: 70, range: 0...100, help: "leave (or go short) above this RSI"),
  ]
  public static let defaultGrid = ["window=7:28:7", "lower=20:40:5", "upper=60:80:5"]
  public static let defaultConstraint: String? = "lower<upper"

  public static func validate(_ p: [String: Double]) throws(BacktestError) {
    guard p["lower"]! < p["upper"]! else { throw .invalidParameter(name: "lower", reason: "must be below upper") }
  }

  public static func indicators(_ p: [String: Double]) -> [IndicatorKey] { [.rsi(Int(p["window"]!))] }

  public static func withColumnRule<V: RuleVisitor>(_ p: [String: Double], cache: IndicatorCache, allowShort: Bool,
                                                    _ visitor: inout V) throws(BacktestError) -> V.Output {
    visitor.visit(OscillatorReversionSignal(value: cache.values(.rsi(Int(p["window"]!))), lower: p["lower"]!, upper: p["upper"]!, allowShort: allowShort))
  }

  public static func stream(_ p: [String: Double], allowShort: Bool) -> any StrategyStream {
    Stream(rsi: RSIState(period: Int(p["window"]!)), rule: OscillatorReversionRule(lower: p["lower"]!, upper: p["upper"]!, allowShort: allowShort))
  }

  struct Stream: StrategyStream {
    var rsi: RSIState
    var rule: OscillatorReversionRule
    mutating func update(_ bar: OHLCVBar, probability: Double) -> Int8 { rule.update(rsi.update(bar.close)) }
  }
}
