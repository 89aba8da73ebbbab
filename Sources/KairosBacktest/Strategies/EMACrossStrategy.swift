import KairosFeatures

/// Long while the fast exponential moving average of the close is above the slow one (short
/// below, with shorts allowed). The EMAs are recursive: a live session carries their state.
public enum EMACrossStrategy: StrategyDefinition {
  public static let name = "ema-cross"
  public static let summary = "long while EMA(fast) > EMA(slow) of the close"
  public static let parameters = [
    StrategyParameter("fast", default: 12, range: 1...1e6, integer: true, help: "fast span (bars)"),
    StrategyParameter("slow", default: 26, range: 1...1e6, integer: true, help: "slow span (bars)"),
  ]
  public static let defaultGrid = ["fast=5:50:5", "slow=20:200:10"]
  public static let defaultConstraint: String? = "fast<slow"

  public static func indicators(_ p: [String: Double]) -> [IndicatorKey] { [.ema(p["fast"]!), .ema(p["slow"]!)] }

  public static func withColumnRule<V: RuleVisitor>(_ p: [String: Double], cache: IndicatorCache, allowShort: Bool,
                                                    _ visitor: inout V) throws(BacktestError) -> V.Output {
    visitor.visit(CrossSignal(fast: cache.values(.ema(p["fast"]!)), slow: cache.values(.ema(p["slow"]!)), allowShort: allowShort))
  }

  public static func stream(_ p: [String: Double], allowShort: Bool) -> any StrategyStream {
    CrossStream(fast: EMAState(span: p["fast"]!), slow: EMAState(span: p["slow"]!), allowShort: allowShort)
  }
}
