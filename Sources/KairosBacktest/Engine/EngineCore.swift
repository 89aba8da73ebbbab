/// The engine core for one asset: a per-bar state machine with two entry points that match how
/// data arrives (docs/DESIGN.md §1, §4). The whole-history backtest (`Simulator`), the sweep
/// and the live session all drive this one type, so they make the same fills to the last bit.
///
/// Per bar `t`, in this order:
/// 1. `atOpen`: with `next-open` fills, the order decided at the close of `t − 1` fills at
///    `open[t]`; then stops and targets are checked against bar `t`'s range (a fill at the open
///    leaves the rest of the bar; a gap through a level fills at the open; stop first);
/// 2. `atClose`: with `next-close` fills the order fills at `close[t]` (after the stops);
///    equity is marked, `E_t = cash + units × close_t` (the last valid close when bar `t` has
///    none), and `r_t = E_t / E_{t−1} − 1` goes to the accumulator; the drawdown halt is
///    updated; the rule's target (from data up to the close of `t`) becomes the order for
///    `t + 1` by `PositionBook.decide`. A bar without a price never fills: the order waits.
///
/// Sizing happens at the entry only (units are held, never rebalanced): all-in uses the cash,
/// fixed-fractional and volatility-target use equity and the indicators of the decision close;
/// `PositionLimits` and the risk per trade clip the size (recorded). With all-in and
/// square-root impact the impact is estimated from the size before impact (one step).
///
/// The fast path of each entry point (no fill, no level reached) is a few comparisons; the
/// rest is out of line. A whole-history driver runs the stretches of bars where nothing can
/// happen through `runQuiet` (the same steps, the position's state hoisted into registers).
/// No allocation, dictionary or existential per bar: the recorder is a generic parameter;
/// rejected orders are status codes in the records, never throws.
public struct EngineCore<Recorder: BacktestRecorder> {
  public let configuration: BacktestConfiguration
  let costs: ExecutionCost
  let fillAtOpen: Bool, hasLevels: Bool, allowShort: Bool
  /// Whether the indicators must be kept at every close while a position is held (the impact
  /// of a stop exit uses those of the close before it).
  let needsInputsWhileHeld: Bool
  public private(set) var cash: Double
  public private(set) var book = PositionBook()
  public private(set) var halt: DrawdownHalt
  /// The equity at the last close (the initial capital before the first).
  public private(set) var previousEquity: Double
  public var accumulator: PerformanceAccumulator
  public var recorder: Recorder

  public init(configuration c: BacktestConfiguration, accumulator: PerformanceAccumulator, recorder: Recorder) {
    configuration = c
    costs = ExecutionCost(c)
    fillAtOpen = c.fill == .nextOpen
    hasLevels = c.stopLoss != nil || c.takeProfit != nil
    allowShort = c.allowShort
    needsInputsWhileHeld = c.impact > 0
    cash = c.initialCapital
    previousEquity = c.initialCapital
    halt = DrawdownHalt(rules: c.risk, initialEquity: c.initialCapital)
    self.accumulator = accumulator
    self.recorder = recorder
  }

  /// The open of bar `t` (its prices as far as known: with `next-open` fills only `open` must
  /// be final; stops read the whole range, so a live session calls this with the completed bar).
  @inline(__always)
  public mutating func atOpen(bar t: Int, _ b: BarPrices) {
    let fills = fillAtOpen && book.hasPending && !b.open.isNaN
    if fills || (hasLevels && book.levelsReached(b)) { openFillsAndStops(bar: t, b, fills: fills) }
  }

  /// The close of bar `t`: the `next-close` fill, the mark, the halt and the next order from
  /// the rule's `target`. `inputs` gives the indicators known at this close; it is read only
  /// when an order is decided or a position is held with impact on. Returns the equity.
  @inline(__always) @discardableResult
  public mutating func atClose(bar t: Int, _ b: BarPrices, target: Int8, inputs: () -> DecisionInputs) -> Double {
    if !fillAtOpen && book.hasPending && !b.close.isNaN { closeFill(bar: t, at: b.close) }
    book.mark(close: b.close)
    let units = book.units
    let equity = units == 0 ? cash : cash + units * book.lastClose
    let r = accumulator.addBar(equity: equity, previous: previousEquity, exposed: units != 0)
    recorder.recordBar(t, equity: equity, return: r, position: units)
    previousEquity = equity
    _ = halt.update(equity: equity, bar: t)
    book.decide(target: PositionBook.permitted(target, allowShort: allowShort), halted: halt.halted)
    if book.hasPending || (needsInputsWhileHeld && units != 0) { book.remember(inputs()) }
    return equity
  }

  /// Whether the bars ahead can run through `runQuiet`: no order pending, no drawdown halt to
  /// watch, and no re-entry block on a held position (a block is only ever set on a flat one).
  @inline(__always)
  public var canRunQuiet: Bool {
    !book.hasPending && !halt.isEnabled && (book.stoppedDirection == 0 || book.units == 0)
  }

  /// Bars `start..<end` of a whole history while nothing can happen to the position: the
  /// same steps as `atOpen` and `atClose` with what cannot change on such bars hoisted out of
  /// the loop (units, cash, levels, the quiet target), so a backtest or a sweep spends its time
  /// on the mark, the return and the running statistics, in registers.
  ///
  /// Requires `canRunQuiet`. Stops *before* a bar whose open or range reaches a stop or target
  /// level (the caller runs that bar through `atOpen`/`atClose`), and *after* a bar whose
  /// target asks for an order or lifts the re-entry block (its decision taken here, by
  /// `PositionBook.decide`, as `atClose` takes it). Returns the first bar not consumed. With
  /// fills at the open or the close alike: no order is pending, so no bar here fills.
  /// - Parameters:
  ///   - prices: the bars' closes, and their reach down and up (read only with levels set).
  ///   - rule: asked for its target after the close of each bar consumed, once, in order.
  ///   - inputs: the indicators known at a close (read at the last bar when a position is held
  ///     with impact on, and at the bar that decides an order).
  @inline(__always)
  public mutating func runQuiet<Rule: SignalRule>(
    from start: Int, to end: Int, prices: QuietPrices, rule: inout Rule, inputs: (Int) -> DecisionInputs
  ) -> Int {
    let exposed = book.units != 0
    // The target that changes nothing: the blocked direction while a stop's block holds (the
    // position is flat then), else the held direction.
    let quiet = book.stoppedDirection != 0 ? book.stoppedDirection : book.direction
    var lastClose = book.lastClose, previous = previousEquity
    accumulator.reserve(end - start)  // room for every bar: the loop never grows the buffers
    var bars = accumulator.bars
    let (t, decision) = exposed
      ? Self.quietBars(&bars, &recorder, &rule, start, end, prices, position: book, cash: cash, quiet: quiet,
                       allowShort: allowShort, levels: hasLevels, lastClose: &lastClose, previous: &previous)
      : Self.flatBars(&bars, &recorder, &rule, start, end, prices.close, cash: cash, quiet: quiet,
                      allowShort: allowShort, lastClose: &lastClose, previous: &previous)
    accumulator.bars = bars
    previousEquity = previous
    book.mark(close: lastClose)
    if let decision { book.decide(target: decision, halted: false) }
    if t > start && (book.hasPending || (needsInputsWhileHeld && exposed)) { book.remember(inputs(t - 1)) }
    return t
  }

  /// The loop of `runQuiet` while a position is held, out of line so its state is its own:
  /// the tally's fields stay in registers (nothing stored through the return buffers can
  /// alias them). Returns the first bar not consumed and, if the loop ended on a decision,
  /// the target that asked for it.
  @inline(never)
  static func quietBars<Rule: SignalRule>(
    _ bars: inout BarTally, _ recorder: inout Recorder, _ rule: inout Rule, _ start: Int, _ end: Int, _ p: QuietPrices,
    position: PositionBook, cash: Double, quiet: Int8, allowShort: Bool, levels: Bool,
    lastClose: inout Double, previous: inout Double
  ) -> (Int, Int8?) {
    let units = position.units
    // Locals, not the parameters: their fields stay in registers across the buffer stores.
    var tally = bars, last = lastClose, prior = previous, signal = rule
    defer { bars = tally; lastClose = last; previous = prior; rule = signal }
    let stop = position.stopLevel, target = position.targetLevel
    // A rule known ahead (`TrackedSignal`) says at once which bar asks for an order: the loop
    // runs to it without asking. Any other rule is asked after each bar.
    let departure = signal.departure(from: start, to: end, quiet: quiet)
    let stretchEnd = departure.map { Swift.min($0 + 1, end) } ?? end
    // One copy of the loop per case, the case a constant in each: levels or none, long or
    // short, a stop alone (the target's tests fold away) or both, every close there or not.
    @inline(__always) func run(levels: Bool, long: Bool, stopOnly: Bool, complete: Bool) -> (Int, Int8?) {
      var t = start
      while t < stretchEnd {
        if levels && PositionBook.levelsReached(lowReach: p.lowReach[t], highReach: p.highReach[t],
                                                long: long, stop: stop, target: stopOnly ? .nan : target) { return (t, nil) }
        let c = p.close[t]
        if complete || c == c { last = c }  // not NaN (one compare)
        let equity = cash + units * last
        let r = tally.add(equity: equity, previous: prior, exposed: true)
        recorder.recordBar(t, equity: equity, return: r, position: units)
        prior = equity
        t &+= 1
        if departure == nil {
          let next = PositionBook.permitted(signal.target(at: t &- 1), allowShort: allowShort)
          if next != quiet { return (t, next) }
        }
      }
      if let u = departure, u < end { return (t, signal.target(at: u)) }
      return (t, nil)
    }
    let complete = p.closesComplete
    if !levels { return complete ? run(levels: false, long: true, stopOnly: false, complete: true) : run(levels: false, long: true, stopOnly: false, complete: false) }
    if target.isNaN && complete {
      return units > 0 ? run(levels: true, long: true, stopOnly: true, complete: true) : run(levels: true, long: false, stopOnly: true, complete: true)
    }
    return units > 0 ? run(levels: true, long: true, stopOnly: false, complete: false) : run(levels: true, long: false, stopOnly: false, complete: false)
  }

  /// The loop of `runQuiet` while flat: the equity is the cash on every bar. The rule alone
  /// finds how far the stretch goes; the last valid close is looked up backwards; then the
  /// bars are added at once — the first by the general rule, the rest, whose equity equals
  /// the bar before, by `BarTally.addUnmoved` (counted, not stored).
  @inline(never)
  static func flatBars<Rule: SignalRule>(
    _ bars: inout BarTally, _ recorder: inout Recorder, _ rule: inout Rule, _ start: Int, _ end: Int, _ close: UnsafePointer<Double>,
    cash: Double, quiet: Int8, allowShort: Bool, lastClose: inout Double, previous: inout Double
  ) -> (Int, Int8?) {
    var last = lastClose, signal = rule
    defer { lastClose = last; rule = signal }
    var t = start
    var decision: Int8? = nil
    if let u = signal.departure(from: start, to: end, quiet: quiet) {
      // A rule known ahead: the stretch's end at once.
      t = u < end ? u + 1 : end
      if u < end { decision = signal.target(at: u) }
    } else {
      while t < end {
        let next = PositionBook.permitted(signal.target(at: t), allowShort: allowShort)
        t &+= 1
        if next != quiet { decision = next; break }
      }
    }
    guard t > start else { return (t, decision) }
    // The last valid close of the stretch (a flat equity does not read it on the way).
    var u = t - 1
    while u > start && close[u].isNaN { u -= 1 }
    if !close[u].isNaN { last = close[u] }
    let r = bars.add(equity: cash, previous: previous, exposed: false)
    recorder.recordBar(start, equity: cash, return: r, position: 0)
    bars.addUnmoved(equity: cash, bars: t - start - 1)
    for k in (start + 1)..<t { recorder.recordBar(k, equity: cash, return: 0, position: 0) }
    previous = cash
    return (t, decision)
  }

  /// The end of the run: the summary of every bar so far.
  public mutating func finish() -> PerformanceSummary { accumulator.finish() }

  // MARK: - Out of line

  // The rare paths work in place: the core is hundreds of bytes (its configuration, book and
  // accumulator), and taking it by value and returning it copied it twice per fill or stop.

  @inline(never)
  mutating func openFillsAndStops(bar t: Int, _ b: BarPrices, fills: Bool) {
    var entered = false
    if fills { entered = execute(at: b.open, bar: t) }
    if let (price, reason) = book.stopExit(b, gap: !entered) { exit(at: price, bar: t, reason: reason) }
  }

  @inline(never)
  mutating func closeFill(bar t: Int, at price: Double) {
    execute(at: price, bar: t)
  }

  /// Acts on the pending order at `price`: exit, then the entry (or its refusal while halted).
  /// Returns whether an entry filled.
  @discardableResult
  mutating func execute(at price: Double, bar t: Int) -> Bool {
    if book.units != 0 { exit(at: price, bar: t, reason: halt.halted ? .halt : .exit) }
    var entered = false
    if book.pending != 0 {
      if halt.halted {
        recorder.recordOrder(OrderRecord(bar: t, side: book.pending, units: 0, price: price, fee: 0, reason: .entry, status: .rejected, clip: .halted))
      } else {
        entered = enter(book.pending, at: price, bar: t)
      }
    }
    book.clearPending()
    return entered
  }

  mutating func exit(at price: Double, bar t: Int, reason: OrderReason) {
    let (order, trade) = book.exit(at: price, bar: t, reason: reason, costs: costs, cash: &cash)
    accumulator.addFill(value: order.units * order.price)
    accumulator.addTrade(pnl: trade.pnl, return: trade.returnValue)
    recorder.recordOrder(order)
    recorder.recordTrade(trade)
  }

  /// Sizes, clips and fills an entry in `direction` at `price` (before costs) on bar `t`.
  mutating func enter(_ direction: Int8, at price: Double, bar t: Int) -> Bool {
    let c = configuration, known = book.known, atr = known.atr
    let equity = cash  // flat here: the exit, if any, came first
    func rejected(_ price: Double, _ clip: ClipReason) -> Bool {
      recorder.recordOrder(OrderRecord(bar: t, side: direction, units: 0, price: price, fee: 0, reason: .entry, status: .rejected, clip: clip))
      return false
    }
    // An ATR stop (or ATR sizing) needs the ATR: no unprotected entry during its warm-up.
    var needsATR = c.stopLoss?.needsATR ?? false
    if case .fixedFractional = c.sizing { needsATR = true }
    if needsATR && !(atr > 0) { return rejected(price, .atrUnavailable) }
    var quantity: Double
    switch c.sizing {
    case .allIn:
      let estimate = (cash - c.fixedFee) / (costs.fillPrice(price, side: direction, quantity: 0, known: nil) * (1 + c.fee))
      quantity = (cash - c.fixedFee) / (costs.fillPrice(price, side: direction, quantity: Swift.max(estimate, 0), known: known) * (1 + c.fee))
    case let .fixedFractional(risk, multiple):
      quantity = equity * risk / (multiple * atr)
    case let .volatilityTarget(target):
      quantity = equity * (target / (known.sigma20 * accumulator.summary.periodsPerYear.squareRoot())) / price
    }
    if !(quantity > 0) || !quantity.isFinite { return rejected(price, .none) }
    var clip = ClipReason.none
    if let maximum = c.limits.maxUnits, quantity > maximum { quantity = maximum; clip = .maxUnits }
    var p = costs.fillPrice(price, side: direction, quantity: quantity, known: known)
    if let fraction = c.limits.maxPositionFraction, quantity * p > fraction * equity {
      quantity = fraction * equity / p; clip = .maxPosition
      p = costs.fillPrice(price, side: direction, quantity: quantity, known: known)
    }
    if let risk = c.risk.maxRiskPerTrade, let stop = c.stopLoss {
      // Risk manager: the loss at the stop may not exceed `risk × equity`.
      let distance = stop.distance(atr: atr, price: p)
      if distance > 0 && quantity * distance > risk * equity {
        quantity = risk * equity / distance; clip = .risk
        p = costs.fillPrice(price, side: direction, quantity: quantity, known: known)
      }
    }
    let budget = c.limits.maxLeverage * equity - c.fixedFee
    if quantity * p * (1 + c.fee) > budget * (1 + 1e-12) {
      quantity = budget / (p * (1 + c.fee)); clip = .leverage
      p = costs.fillPrice(price, side: direction, quantity: quantity, known: known)
    }
    if c.lotSize != nil {
      let lots = c.roundedToLots(quantity)
      // Rounding down is the normal case and keeps the earlier clip reason; 0 lots is refused.
      if lots == 0 { return rejected(p, .lot) }
      if lots != quantity { quantity = lots; p = costs.fillPrice(price, side: direction, quantity: quantity, known: known) }
    }
    if !(quantity > 0) { return rejected(p, clip) }
    let order = book.enter(direction, quantity: quantity, price: p, bar: t, clip: clip,
                           stopDistance: c.stopLoss.map { $0.distance(atr: atr, price: p) } ?? .nan,
                           targetDistance: c.takeProfit.map { $0.distance(atr: atr, price: p) } ?? .nan,
                           costs: costs, cash: &cash)
    accumulator.addFill(value: order.units * order.price)
    recorder.recordOrder(order)
    return true
  }
}
