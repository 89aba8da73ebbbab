import KairosFeatures

/// Long while the fast simple moving average of the close is above the slow one (short below,
/// with shorts allowed).
public enum SMACrossStrategy: StrategyDefinition {
  public static let name = "sma-cross"
  public static let summary = "long while SMA(fast) > SMA(slow) of the close"
  public static let parameters = [
    StrategyParameter("fast", default: 10, range: 1...1e6, integer: true, help: "fast window (bars)"),
    StrategyParameter("slow", default: 50, range: 1...1e6, integer: true, help: "slow window (bars)"),
  ]
  public static let defaultGrid = ["fast=5:50:5", "slow=20:200:10"]
  public static let defaultConstraint: String? = "fast<slow"

  public static func indicators(_ p: [String: Double]) -> [IndicatorKey] { [.sma(Int(p["fast"]!)), .sma(Int(p["slow"]!))] }

  public static func withColumnRule<V: RuleVisitor>(_ p: [String: Double], cache: IndicatorCache, allowShort: Bool,
                                                    _ visitor: inout V) throws(BacktestError) -> V.Output {
    visitor.visit(CrossSignal(fast: cache.values(.sma(Int(p["fast"]!))), slow: cache.values(.sma(Int(p["slow"]!))), allowShort: allowShort))
  }

  public static func stream(_ p: [String: Double], allowShort: Bool) -> any StrategyStream {
    CrossStream(fast: RollingMeanState(window: Int(p["fast"]!)), slow: RollingMeanState(window: Int(p["slow"]!)), allowShort: allowShort)
  }
}
