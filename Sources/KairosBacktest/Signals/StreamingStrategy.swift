import KairosFeatures
import KairosFrame

/// A strategy bar by bar: its indicator states, its rule and its regime filters, fed one
/// completed bar at a time with no access to later bars (the live loop's form). It computes the
/// same targets, to the bit, as the backtest's rule over precomputed indicator columns, since
/// those columns are folds of the same states and the decision is the same value-level rule.
///
/// With multi-timeframe confirmation, the base bars are aggregated into coarse bars as they
/// arrive (`RunningAggregate`, the rule of `Frame.resampled`); a coarse bar counts once a base
/// bar of the next one arrives, and its target gates the base rule until the next completes.
public struct StreamingStrategy: Sendable {
  public let kind: StrategyKind
  let filters: RegimeFilters
  var confirmation: Confirmation?
  var rule: any StrategyStream
  var volatilityRank: VolatilityRankState?, efficiency: EfficiencyRatioState?, choppiness: ChoppinessState?
  /// `--trigger cross`: the target is held flat until it first changes after the warm-up.
  var cross: CrossTrigger?

  /// The coarse timeframe of a confirmation: the coarse bar being built and the strategy on
  /// completed coarse bars.
  struct Confirmation: Sendable {
    let interval: BarInterval
    var strategy: [StreamingStrategy]  // one element (an array: a struct cannot hold itself)
    var label: Int64? = nil
    var open = RunningAggregate(.first), high = RunningAggregate(.max), low = RunningAggregate(.min)
    var close = RunningAggregate(.last), volume = RunningAggregate(.sum), probability = RunningAggregate(.last)
    /// The target after the last completed coarse bar (0 before the first completes).
    var target: Int8 = 0

    /// Adds a base bar; returns the gate for it.
    mutating func add(_ bar: OHLCVBar, time: Int64, probability p: Double) -> Int8 {
      let start = interval.barStart(of: time)
      if let label, label != start {
        let coarse = OHLCVBar(open: open.value, high: high.value, low: low.value, close: close.value, volume: volume.value)
        target = strategy[0].update(coarse, probability: probability.value)
        (open, high, low, close, volume, probability) = (.init(.first), .init(.max), .init(.min), .init(.last), .init(.sum), .init(.last))
      }
      label = start
      open.add(bar.open); high.add(bar.high); low.add(bar.low); close.add(bar.close); volume.add(bar.volume); probability.add(p)
      return target
    }
  }

  /// - Parameters: `parameters` resolved by `StrategyRunner.resolve` (defaults filled in);
  ///   `confirmation`: the coarse timeframe whose completed bars must agree (`nil`: none).
  public init(kind: StrategyKind, parameters p: [String: Double], allowShort short: Bool, confirmation: BarInterval? = nil,
              trigger: Trigger = .level) throws(BacktestError) {
    self.kind = kind
    cross = trigger == .cross ? CrossTrigger() : nil
    if let interval = confirmation {
      var coarse = p
      for name in ["vol_lookback", "er_window", "chop_window"] { coarse[name] = nil }
      self.confirmation = Confirmation(interval: interval, strategy: [try StreamingStrategy(kind: kind, parameters: coarse, allowShort: short)])
    }
    for parameter in kind.definition.parameters where p[parameter.name] == nil {
      throw .invalidParameter(name: parameter.name, reason: "is missing (resolve the parameters first)")
    }
    rule = kind.definition.stream(p, allowShort: short)
    filters = RegimeFilters(p)
    volatilityRank = filters.volatilityLookback.map { VolatilityRankState(lookback: $0) }
    efficiency = filters.efficiencyWindow.map { EfficiencyRatioState(window: $0) }
    choppiness = filters.choppinessWindow.map { ChoppinessState(window: $0) }
  }

  /// The target after the close of `bar`, which starts at `time` (ns since the epoch; read only
  /// with a confirmation): +1, −1, 0 (shorts are clamped by the engine). `probability`: the
  /// model's probability for this bar (the `model` strategy only).
  public mutating func update(_ bar: OHLCVBar, time: Int64 = 0, probability: Double = .nan) -> Int8 {
    let target = gatedTarget(bar, time: time, probability: probability)
    guard cross != nil else { return target }
    return cross!.filter(target, defined: rule.isDefined)
  }

  mutating func gatedTarget(_ bar: OHLCVBar, time: Int64, probability: Double) -> Int8 {
    let base = ruleTarget(bar, probability: probability)
    let gate = confirmation?.add(bar, time: time, probability: probability) ?? 2
    guard !filters.isEmpty else { return gated(base, by: gate) }
    let hlc = HighLowClose(high: bar.high, low: bar.low, close: bar.close)
    let rank = volatilityRank?.update(hlc) ?? .nan, er = efficiency?.update(bar.close) ?? .nan, chop = choppiness?.update(hlc) ?? .nan
    return filters.allows(volatilityRank: rank, efficiencyRatio: er, choppiness: chop) ? gated(base, by: gate) : 0
  }

  mutating func ruleTarget(_ bar: OHLCVBar, probability: Double) -> Int8 {
    rule.update(bar, probability: probability)
  }
}
