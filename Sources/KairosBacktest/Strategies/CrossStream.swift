import KairosFeatures

/// The bar-by-bar form of a cross strategy: two averages of the close, each a streaming state,
/// and `CrossRule` on their values. `sma-cross` and `ema-cross` differ only in the average
/// (`RollingMeanState`, `EMAState`), so both stream through this one type.
struct CrossStream<Average: StreamingIndicator>: StrategyStream where Average.Input == Double {
  var fast: Average, slow: Average
  let rule: CrossRule
  var isDefined = false

  init(fast: Average, slow: Average, allowShort: Bool) {
    self.fast = fast
    self.slow = slow
    rule = CrossRule(allowShort: allowShort)
  }

  mutating func update(_ bar: OHLCVBar, probability: Double) -> Int8 {
    let (f, s) = (fast.update(bar.close), slow.update(bar.close))
    isDefined = !f.isNaN && !s.isNaN
    return rule.update(fast: f, slow: s)
  }
}
