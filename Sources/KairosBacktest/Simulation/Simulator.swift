/// The backtest engine: one pass over the whole history for one asset and one rule.
///
/// Per bar `t`, in this order (docs/DESIGN.md §4):
/// 1. with `next-open` fills, the order decided at the close of `t − 1` fills at `open[t]`, then
///    stops and targets are checked against bar `t`'s range (a fill at the open leaves the rest of
///    the bar); with `next-close` fills, stops come first and the order fills at `close[t]`;
/// 2. equity is marked at the close, `E_t = cash + units × close_t` (the last valid close when
///    bar `t` has none), and `r_t = E_t / E_{t−1} − 1` goes to the metric accumulator;
/// 3. the rule decides its target from data up to the close of `t`; a change becomes the order
///    for bar `t + 1`. A bar without a price never fills: the order waits for the next valid one.
///
/// Stops: a stop-loss and a take-profit at a distance from the entry fill; a gap through the
/// level fills at the open; when both are touched in one bar the stop is assumed first. After a
/// stop or target exit the rule must leave that direction before the engine enters it again.
///
/// Sizing happens at the entry only (units are held, never rebalanced): all-in uses the cash,
/// fixed-fractional and volatility-target use equity and the indicators of the decision bar;
/// `PositionLimits` clip the size (recorded). With all-in and square-root impact, the impact is
/// estimated from the size before impact (one step; stated so a reference can match it).
///
/// No allocation, dictionary or existential in the loop: the rule and the recorder are generic
/// parameters; rejected orders are status codes in the records, never throws.
public enum Simulator {
  public static func run<Rule: SignalRule, Recorder: BacktestRecorder>(
    market m: MarketSeries, rule: inout Rule, configuration c: BacktestConfiguration,
    accumulator: inout PerformanceAccumulator, recorder: inout Recorder
  ) -> PerformanceSummary {
    var engine = _Engine(market: m, rule: rule, configuration: c, accumulator: accumulator, recorder: recorder)
    engine.run()
    rule = engine.rule
    accumulator = engine.accumulator
    recorder = engine.recorder
    return accumulator.finish()
  }
}

/// The engine's state and loop. A struct with mutating methods (rather than local closures over
/// local variables), so every access is a plain stored property: no boxes, no dynamic
/// exclusivity checks in the loop.
@usableFromInline
struct _Engine<Rule: SignalRule, Recorder: BacktestRecorder> {
  let n: Int
  let open: UnsafePointer<Double>, high: UnsafePointer<Double>, low: UnsafePointer<Double>, close: UnsafePointer<Double>
  let atr: UnsafePointer<Double>, sigma: UnsafePointer<Double>, adv: UnsafePointer<Double>
  let c: BacktestConfiguration
  let fillAtOpen: Bool
  let fee: Double, fixedFee: Double, slippage: Double, impactK: Double
  var rule: Rule
  var accumulator: PerformanceAccumulator
  var recorder: Recorder

  var cash: Double, units = 0.0
  var previousEquity: Double
  var lastClose = Double.nan
  var pending: Int8 = 0, hasPending = false
  /// The direction a stop or target closed: not re-entered until the rule leaves it.
  var stoppedDirection: Int8 = 0
  // The open position.
  var entryBar = 0, entryPrice = 0.0, entryValue = 0.0, entryFee = 0.0
  var stopLevel = Double.nan, targetLevel = Double.nan
  var enteredThisBar = false
  // The risk manager's drawdown halt.
  var halted = false, haltBar = 0, peakEquity: Double
  /// Equity below this may breach the drawdown limit (`peak × (1 − limit)`, slightly raised):
  /// the exact test divides only then.
  var haltThreshold = -Double.infinity
  var refusedDirection: Int8 = 0

  init(market m: MarketSeries, rule: Rule, configuration c: BacktestConfiguration, accumulator: PerformanceAccumulator, recorder: Recorder) {
    n = m.count
    open = UnsafePointer(m.open.baseAddress!); high = UnsafePointer(m.high.baseAddress!)
    low = UnsafePointer(m.low.baseAddress!); close = UnsafePointer(m.close.baseAddress!)
    atr = UnsafePointer(m.atr.baseAddress!); sigma = UnsafePointer(m.sigma20.baseAddress!)
    adv = UnsafePointer(m.averageVolume20.baseAddress!)
    self.c = c
    fillAtOpen = c.fill == .nextOpen
    fee = c.fee; fixedFee = c.fixedFee; slippage = c.slippage; impactK = c.impact
    self.rule = rule
    self.accumulator = accumulator
    self.recorder = recorder
    cash = c.initialCapital
    previousEquity = c.initialCapital
    peakEquity = c.initialCapital
    if let limit = c.risk.maxDrawdown { haltThreshold = c.initialCapital * (1 - limit) * (1 + 1e-12) }
  }

  @inline(__always)
  func current(_ units: Double) -> Int8 { units > 0 ? 1 : (units < 0 ? -1 : 0) }

  /// The fill price for `side` (+1 buy, −1 sell) of `quantity` units at `price`, with the
  /// indicators of decision bar `d` (−1: none).
  @inline(__always)
  func fillPrice(_ price: Double, side: Int8, quantity: Double, decision d: Int) -> Double {
    ExecutionCost.fillPrice(price, side: side, quantity: quantity, slippage: slippage, impact: d >= 0 ? impactK : 0,
                            sigma: d >= 0 ? sigma[d] : .nan, averageVolume: d >= 0 ? adv[d] : .nan)
  }

  /// Closes the whole position at `price` (before costs) on bar `t`.
  mutating func exit(at price: Double, bar t: Int, reason: OrderReason, decision d: Int) {
    let quantity = Swift.abs(units)
    let side: Int8 = units > 0 ? -1 : 1
    let p = fillPrice(price, side: side, quantity: quantity, decision: d)
    let value = quantity * p
    let orderFee = fee * value + fixedFee
    let pnl: Double
    if units > 0 {
      cash += value - orderFee
      pnl = (value - orderFee) - (entryValue + entryFee)
    } else {
      cash -= value + orderFee
      pnl = (entryValue - entryFee) - (value + orderFee)
    }
    accumulator.addFill(value: value)
    accumulator.addTrade(pnl: pnl, return: pnl / (entryValue + entryFee))
    if reason == .stopLoss || reason == .takeProfit { stoppedDirection = units > 0 ? 1 : -1 }
    recorder.recordOrder(OrderRecord(bar: t, side: side, units: quantity, price: p, fee: orderFee, reason: reason, status: .filled, clip: .none))
    recorder.recordTrade(TradeRecord(entryBar: entryBar, exitBar: t, entryPrice: entryPrice, exitPrice: p, units: units,
                                     pnl: pnl, returnValue: pnl / (entryValue + entryFee), exitReason: reason))
    units = 0
    stopLevel = .nan; targetLevel = .nan
  }

  /// Opens a position in `direction` at `price` (before costs) on bar `t`, decided at `d`.
  mutating func enter(_ direction: Int8, at price: Double, bar t: Int, decision d: Int) {
    let equity = cash  // flat here: the exit, if any, came first
    // An ATR stop (or ATR sizing) needs the ATR: no unprotected entry during its warm-up.
    let needsATR: Bool
    if case .atrMultiple = c.stopLoss { needsATR = true } else if case .fixedFractional = c.sizing { needsATR = true } else { needsATR = false }
    if needsATR && !(atr[d] > 0) {
      recorder.recordOrder(OrderRecord(bar: t, side: direction, units: 0, price: price, fee: 0, reason: .entry, status: .rejected, clip: .atrUnavailable))
      return
    }
    var quantity: Double
    switch c.sizing {
    case .allIn:
      let estimate = (cash - fixedFee) / (fillPrice(price, side: direction, quantity: 0, decision: -1) * (1 + fee))
      quantity = (cash - fixedFee) / (fillPrice(price, side: direction, quantity: Swift.max(estimate, 0), decision: d) * (1 + fee))
    case let .fixedFractional(risk, multiple):
      quantity = equity * risk / (multiple * atr[d])
    case let .volatilityTarget(target):
      quantity = equity * (target / (sigma[d] * c.periodsPerYear.squareRoot())) / price
    }
    var clip = ClipReason.none
    if !(quantity > 0) || !quantity.isFinite {
      recorder.recordOrder(OrderRecord(bar: t, side: direction, units: 0, price: price, fee: 0, reason: .entry, status: .rejected, clip: .none))
      return
    }
    if let maximum = c.limits.maxUnits, quantity > maximum { quantity = maximum; clip = .maxUnits }
    var p = fillPrice(price, side: direction, quantity: quantity, decision: d)
    if let fraction = c.limits.maxPositionFraction, quantity * p > fraction * equity {
      quantity = fraction * equity / p; clip = .maxPosition
      p = fillPrice(price, side: direction, quantity: quantity, decision: d)
    }
    if let risk = c.risk.maxRiskPerTrade, let stop = c.stopLoss {
      // Risk manager: the loss at the stop may not exceed `risk × equity`.
      let distance: Double
      switch stop { case let .atrMultiple(k): distance = k * atr[d]; case let .fraction(f): distance = f * p }
      if distance > 0 && quantity * distance > risk * equity {
        quantity = risk * equity / distance; clip = .risk
        p = fillPrice(price, side: direction, quantity: quantity, decision: d)
      }
    }
    let budget = c.limits.maxLeverage * equity - fixedFee
    if quantity * p * (1 + fee) > budget * (1 + 1e-12) {
      quantity = budget / (p * (1 + fee)); clip = .leverage
      p = fillPrice(price, side: direction, quantity: quantity, decision: d)
    }
    if !(quantity > 0) {
      recorder.recordOrder(OrderRecord(bar: t, side: direction, units: 0, price: p, fee: 0, reason: .entry, status: .rejected, clip: clip))
      return
    }
    let value = quantity * p
    let orderFee = fee * value + fixedFee
    if direction > 0 { cash -= value + orderFee; units = quantity } else { cash += value - orderFee; units = -quantity }
    entryBar = t; entryPrice = p; entryValue = value; entryFee = orderFee
    accumulator.addFill(value: value)
    recorder.recordOrder(OrderRecord(bar: t, side: direction, units: quantity, price: p, fee: orderFee, reason: .entry, status: .filled, clip: clip))
    if let stop = c.stopLoss {
      let distance: Double
      switch stop { case let .atrMultiple(k): distance = k * atr[d]; case let .fraction(f): distance = f * p }
      stopLevel = direction > 0 ? p - distance : p + distance
    }
    if let take = c.takeProfit {
      let distance: Double
      switch take { case let .atrMultiple(k): distance = k * atr[d]; case let .fraction(f): distance = f * p }
      targetLevel = direction > 0 ? p + distance : p - distance
    }
    enteredThisBar = true
  }

  mutating func execute(at price: Double, bar t: Int) {
    if units != 0 { exit(at: price, bar: t, reason: halted ? .halt : .exit, decision: t - 1) }
    if pending != 0 {
      if halted {
        recorder.recordOrder(OrderRecord(bar: t, side: pending, units: 0, price: price, fee: 0, reason: .entry, status: .rejected, clip: .halted))
      } else {
        enter(pending, at: price, bar: t, decision: t - 1)
      }
    }
    hasPending = false
  }

  /// The risk manager's drawdown halt after the close of bar `t`: triggers at the first close
  /// whose drawdown from the peak (initial capital included) is deeper than the limit; resumes
  /// by the rules' policy (the peak then restarts at the current equity).
  @inline(__always)
  mutating func updateHalt(equity: Double, bar t: Int) {
    guard let limit = c.risk.maxDrawdown else { return }
    if halted {
      guard c.risk.resumes(bar: t, haltBar: haltBar, equity: equity, peak: peakEquity) else { return }
      halted = false
      peakEquity = equity
      haltThreshold = peakEquity * (1 - limit) * (1 + 1e-12)
      return
    }
    if equity > peakEquity {
      peakEquity = equity
      haltThreshold = peakEquity * (1 - limit) * (1 + 1e-12)
    } else if equity < haltThreshold && equity / peakEquity - 1 < -limit {
      halted = true
      haltBar = t
    }
  }

  /// Stop and target checks on bar `t`; `gap` when the position was held at the open.
  @inline(__always)
  mutating func checkStops(bar t: Int, gap: Bool) {
    guard units != 0, !(stopLevel.isNaN && targetLevel.isNaN) else { return }
    let o = open[t], h = high[t], l = low[t]
    let long = units > 0
    if gap && !o.isNaN {
      if long ? o <= stopLevel : o >= stopLevel { exit(at: o, bar: t, reason: .stopLoss, decision: t - 1); return }
      if long ? o >= targetLevel : o <= targetLevel { exit(at: o, bar: t, reason: .takeProfit, decision: t - 1); return }
    }
    if h.isNaN || l.isNaN { return }
    if long ? l <= stopLevel : h >= stopLevel { exit(at: stopLevel, bar: t, reason: .stopLoss, decision: t - 1); return }
    if long ? h >= targetLevel : l <= targetLevel { exit(at: targetLevel, bar: t, reason: .takeProfit, decision: t - 1) }
  }

  mutating func run() {
    // The hot state lives in locals so the optimizer keeps it in registers; it is written back
    // to `self` only around the rare calls that need it (fills and stop checks).
    let allowShort = c.allowShort
    let hasStops = c.stopLoss != nil || c.takeProfit != nil
    let hasDrawdownHalt = c.risk.maxDrawdown != nil
    var acc = accumulator
    var rule = self.rule
    var cash = self.cash, units = self.units, previousEquity = self.previousEquity, lastClose = self.lastClose
    var pending = self.pending, hasPending = self.hasPending, stoppedDirection = self.stoppedDirection
    var stopLevel = self.stopLevel, targetLevel = self.targetLevel
    for t in 0..<n {
      let fillPrice = fillAtOpen ? open[t] : close[t]
      let fills = hasPending && !fillPrice.isNaN
      // A stop or target can only act on a bar whose range (or open) reaches its level.
      var stopsReached = false
      if hasStops && units != 0 {
        let o = open[t], h = high[t], l = low[t]
        stopsReached = units > 0
          ? (l <= stopLevel || h >= targetLevel || o <= stopLevel || o >= targetLevel)
          : (h >= stopLevel || l <= targetLevel || o >= stopLevel || o <= targetLevel)
      }
      if fills || stopsReached {
        accumulator = acc
        self.cash = cash; self.units = units; self.pending = pending; self.hasPending = hasPending
        self.stoppedDirection = stoppedDirection
        enteredThisBar = false
        if fillAtOpen {
          if fills { execute(at: fillPrice, bar: t) }
          checkStops(bar: t, gap: !enteredThisBar)
        } else {
          checkStops(bar: t, gap: true)
          if fills { execute(at: fillPrice, bar: t) }
        }
        acc = accumulator
        cash = self.cash; units = self.units; hasPending = self.hasPending; stoppedDirection = self.stoppedDirection
        stopLevel = self.stopLevel; targetLevel = self.targetLevel
      }
      let cl = close[t]
      if !cl.isNaN { lastClose = cl }
      let equity = units == 0 ? cash : cash + units * lastClose
      let r = equity == previousEquity ? 0 : equity / previousEquity - 1
      acc.addBar(equity: equity, return: r, exposed: units != 0)
      recorder.recordBar(t, equity: equity, return: r, position: units)
      previousEquity = equity
      var target = rule.target(at: t)
      if target < 0 && !allowShort { target = 0 }
      if hasDrawdownHalt {
        if halted || equity > peakEquity || equity < haltThreshold { updateHalt(equity: equity, bar: t) }
        if halted {
          // Flatten; a new direction the rule asks for reaches `execute` once, to be refused
          // and recorded, and is not asked again until the rule changes its mind.
          let held = current(units)
          if target == 0 || target == held { target = 0 }
          else if target == refusedDirection { target = held }
          else { refusedDirection = target }
        } else {
          refusedDirection = 0
        }
      }
      if stoppedDirection != 0 {
        if target == stoppedDirection { target = 0 } else { stoppedDirection = 0 }
      }
      let current: Int8 = units > 0 ? 1 : (units < 0 ? -1 : 0)
      if target != current { pending = target; hasPending = true } else { hasPending = false }
    }
    accumulator = acc
    self.rule = rule
    self.cash = cash; self.units = units; self.previousEquity = previousEquity; self.lastClose = lastClose
    self.pending = pending; self.hasPending = hasPending; self.stoppedDirection = stoppedDirection
  }
}
