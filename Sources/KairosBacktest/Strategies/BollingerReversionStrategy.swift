import KairosFeatures

/// Mean reversion to the middle of Bollinger bands: long below the lower band until the close
/// is back above the middle (the mirror image short, with shorts allowed).
public enum BollingerReversionStrategy: StrategyDefinition {
  public static let name = "bollinger-reversion"
  public static let summary = "long below the lower band until back above the middle"
  public static let parameters = [
    StrategyParameter("window", default: 20, range: 2...1e6, integer: true, help: "band window (bars)"),
    StrategyParameter("k", default: 2, range: 1e-9...1e6, help: "band width in population standard deviations"),
  ]
  public static let defaultGrid = ["window=10:50:5", "k=1.5,2,2.5"]

  public static func indicators(_ p: [String: Double]) -> [IndicatorKey] {
    let w = Int(p["window"]!), k = p["k"]!
    return [.bollingerLower(w, k), .bollingerMiddle(w), .bollingerUpper(w, k)]
  }

  public static func withColumnRule<V: RuleVisitor>(_ p: [String: Double], cache: IndicatorCache, allowShort: Bool,
                                                    _ visitor: inout V) throws(BacktestError) -> V.Output {
    let w = Int(p["window"]!), k = p["k"]!
    return visitor.visit(BandReversionSignal(close: UnsafePointer(cache.market.close.baseAddress!), lower: cache.values(.bollingerLower(w, k)),
                                             middle: cache.values(.bollingerMiddle(w)), upper: cache.values(.bollingerUpper(w, k)), allowShort: allowShort))
  }

  public static func stream(_ p: [String: Double], allowShort: Bool) -> any StrategyStream {
    let w = Int(p["window"]!)
    return Stream(middle: RollingMeanState(window: w), bands: BollingerState(window: w, k: p["k"]!), rule: BandReversionRule(allowShort: allowShort))
  }

  struct Stream: StrategyStream {
    var middle: RollingMeanState, bands: BollingerState
    var rule: BandReversionRule
    mutating func update(_ bar: OHLCVBar, probability: Double) -> Int8 {
      let m = middle.update(bar.close), b = bands.update(bar.close)
      return rule.update(close: bar.close, lower: b.lower, middle: m, upper: b.upper)
    }
  }
}
