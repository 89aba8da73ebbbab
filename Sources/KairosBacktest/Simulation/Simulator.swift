/// The whole-history backtest: a fold of the engine core (`EngineCore`) over one asset's bars,
/// with the rule's target taken after each close. Every rule reads data up to the close of the
/// bar it is asked about (docs/DESIGN.md §4), so this gives the same fills as feeding the bars
/// to the core one at a time.
public enum Simulator {
  public static func run<Rule: SignalRule, Recorder: BacktestRecorder>(
    market m: MarketSeries, rule: inout Rule, configuration c: BacktestConfiguration,
    accumulator: inout PerformanceAccumulator, recorder: inout Recorder
  ) -> PerformanceSummary {
    var core = EngineCore(configuration: c, accumulator: accumulator.take(), recorder: recorder)
    m.prepareImpactInputs(for: c)
    let readsImpact = c.readsImpactInputs
    let open = UnsafePointer(m.open.baseAddress!), high = UnsafePointer(m.high.baseAddress!)
    let low = UnsafePointer(m.low.baseAddress!), close = UnsafePointer(m.close.baseAddress!)
    let atr = UnsafePointer(m.atr.baseAddress!), sigma = UnsafePointer(m.sigma20.baseAddress!)
    let adv = UnsafePointer(m.averageVolume20.baseAddress!)
    // The core reads a bar's high and low only for stops and targets: without them the loop
    // does not stream those two columns through the cache (two copies of the loop, one each).
    let prices = QuietPrices(open: open, high: high, low: low, close: close, lowReach: UnsafePointer(m.lowReach.baseAddress!),
                             highReach: UnsafePointer(m.highReach.baseAddress!), closesComplete: m.closesComplete)
    @inline(__always) func inputs(_ t: Int) -> DecisionInputs {
      DecisionInputs(atr: atr[t], sigma20: readsImpact ? sigma[t] : .nan, averageVolume20: readsImpact ? adv[t] : .nan)
    }
    if c.stopLoss != nil || c.takeProfit != nil {
      fold(&core, &rule, count: m.count, prices, levels: true, inputs: inputs)
    } else {
      fold(&core, &rule, count: m.count, prices, levels: false, inputs: inputs)
    }
    accumulator = core.accumulator.take()  // the only reference left: finish works in place
    recorder = core.recorder
    return accumulator.finish()
  }

  /// Bar by bar through `atOpen`/`atClose` where something can happen; in between, the runs of
  /// quiet bars through `runQuiet` (the same steps, with the position's state hoisted). The
  /// core and the rule are parameters, not captured variables: a local function capturing
  /// them made every access a checked one at run time (5 % of a sweep's instructions).
  @inline(__always)
  static func fold<Rule: SignalRule, Recorder: BacktestRecorder>(
    _ core: inout EngineCore<Recorder>, _ rule: inout Rule, count n: Int, _ prices: QuietPrices, levels: Bool,
    inputs: (Int) -> DecisionInputs
  ) {
    var t = 0
    while t < n {
      let bar = BarPrices(open: prices.open[t], high: levels ? prices.high[t] : .nan, low: levels ? prices.low[t] : .nan, close: prices.close[t])
      core.atOpen(bar: t, bar)
      core.atClose(bar: t, bar, target: rule.target(at: t)) { inputs(t) }
      t += 1
      if core.canRunQuiet {
        t = core.runQuiet(from: t, to: n, prices: prices, rule: &rule, inputs: inputs)
      }
    }
  }
}
