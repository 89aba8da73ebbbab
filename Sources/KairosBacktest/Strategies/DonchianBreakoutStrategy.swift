import KairosFeatures

/// Channel breakout: long when the close rises above the highest high of the previous `window`
/// bars, out (or short) below their lowest low.
public enum DonchianBreakoutStrategy: StrategyDefinition {
  public static let name = "donchian-breakout"
  public static let summary = "long above the previous window's high, out (short) below its low"
  public static let parameters = [
    StrategyParameter("window", default: 20, range: 1...1e6, integer: true, help: "channel window (bars)"),
  ]
  public static let defaultGrid = ["window=10:100:5"]

  public static func indicators(_ p: [String: Double]) -> [IndicatorKey] {
    [.previousHigh(Int(p["window"]!)), .previousLow(Int(p["window"]!))]
  }

  public static func withColumnRule<V: RuleVisitor>(_ p: [String: Double], cache: IndicatorCache, allowShort: Bool,
                                                    _ visitor: inout V) throws(BacktestError) -> V.Output {
    let w = Int(p["window"]!)
    return visitor.visit(BreakoutSignal(close: UnsafePointer(cache.market.close.baseAddress!), previousUpper: cache.values(.previousHigh(w)),
                                        previousLower: cache.values(.previousLow(w)), allowShort: allowShort))
  }

  public static func stream(_ p: [String: Double], allowShort: Bool) -> any StrategyStream {
    let w = Int(p["window"]!)
    return Stream(upper: PreviousValue(RollingExtremumState(window: w, maximum: true)),
                  lower: PreviousValue(RollingExtremumState(window: w, maximum: false)), rule: BreakoutRule(allowShort: allowShort))
  }

  struct Stream: StrategyStream {
    var upper: PreviousValue<RollingExtremumState>, lower: PreviousValue<RollingExtremumState>
    var rule: BreakoutRule
    mutating func update(_ bar: OHLCVBar, probability: Double) -> Int8 {
      rule.update(close: bar.close, previousUpper: upper.update(bar.high), previousLower: lower.update(bar.low))
    }
  }
}
