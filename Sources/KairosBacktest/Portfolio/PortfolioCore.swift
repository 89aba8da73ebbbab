/// The engine core for a portfolio: one `PositionBook` per asset over one cash account, stepped
/// bar by bar with the same two entry points as `EngineCore` and the same position rules
/// (`PositionBook`: exits, stops, `decide`; `DrawdownHalt` on the account's equity).
///
/// Per bar: pending orders fill at the open — every exit first, then entries in asset order,
/// each sized at `positionFraction × equity` (marked at this open) and clipped by the risk per
/// trade, the gross-exposure cap and the cash (never negative) with the reason recorded; then
/// stops (a gap through the level fills at the open); at the close equity is marked, the
/// drawdown halt is checked, and the targets become the next orders. Fills at the next open
/// only. Plain safe Swift: a portfolio is one run, not a sweep's hot loop.
public struct PortfolioCore {
  public let configuration: BacktestConfiguration
  let costs: ExecutionCost
  /// Each entry's value as a fraction of equity, and the cap on Σ|value| / equity.
  public let positionFraction: Double, maxGrossExposure: Double
  public private(set) var cash: Double
  public private(set) var books: [PositionBook]
  public private(set) var halt: DrawdownHalt
  public private(set) var previousEquity: Double
  public private(set) var accumulator: PerformanceAccumulator
  /// What happened, in order.
  public private(set) var orders: [PortfolioOrder] = []
  public private(set) var trades: [(asset: Int, trade: TradeRecord)] = []

  /// The account at one close.
  public struct Mark: Sendable {
    public var equity: Double, `return`: Double
    /// Σ|units × close| and Σ units × close.
    public var gross: Double, net: Double
    public var haltTriggered: Bool
  }

  public init(assets: Int, configuration: PortfolioConfiguration) throws(BacktestError) {
    guard assets > 0 else { throw .invalidParameter(name: "markets", reason: "a portfolio needs at least one asset") }
    guard configuration.base.fill == .nextOpen else { throw .invalidParameter(name: "fill", reason: "the portfolio engine fills at the next open only") }
    let c = configuration.base
    self.configuration = c
    costs = ExecutionCost(c)
    positionFraction = configuration.positionFraction ?? 1 / Double(assets)
    maxGrossExposure = configuration.maxGrossExposure
    cash = c.initialCapital
    previousEquity = c.initialCapital
    books = Array(repeating: PositionBook(), count: assets)
    halt = DrawdownHalt(rules: c.risk, initialEquity: c.initialCapital)
    // Callers resolve the periods per year for their bars first (`PortfolioSimulator` does);
    // with none given and no bars known, 252.
    accumulator = PerformanceAccumulator(initialEquity: c.initialCapital, periodsPerYear: c.annualization(for: EmptyCollection()))
  }

  /// The open of bar `t` with every asset's prices (`NaN` where an asset has none).
  public mutating func atOpen(bar t: Int, _ bars: [BarPrices]) {
    let assets = books.count
    var entered = [Bool](repeating: false, count: assets)
    for a in 0..<assets where books[a].hasPending && !bars[a].open.isNaN && books[a].units != 0 {
      exit(a, at: bars[a].open, bar: t, reason: halt.halted ? .halt : .exit)
    }
    for a in 0..<assets where books[a].hasPending && !bars[a].open.isNaN {
      let direction = books[a].pending
      if direction != 0 {
        if halt.halted {
          record(a, OrderRecord(bar: t, side: direction, units: 0, price: bars[a].open, fee: 0, reason: .entry, status: .rejected, clip: .halted))
        } else {
          entered[a] = enter(a, direction, at: bars[a].open, bar: t, bars: bars)
        }
      }
      books[a].clearPending()
    }
    for a in 0..<assets {
      if let (price, reason) = books[a].stopExit(bars[a], gap: !entered[a]) { exit(a, at: price, bar: t, reason: reason) }
    }
  }

  /// The close of bar `t`: the mark, the halt, and the next orders from each asset's target
  /// with the indicators known at this close.
  public mutating func atClose(bar t: Int, _ bars: [BarPrices], targets: [Int8], inputs: [DecisionInputs]) -> Mark {
    var equity = cash, gross = 0.0, net = 0.0
    for a in 0..<books.count {
      books[a].mark(close: bars[a].close)
      if books[a].units != 0 {
        let value = books[a].units * books[a].lastClose
        equity += value; gross += Swift.abs(value); net += value
      }
    }
    let r = accumulator.addBar(equity: equity, previous: previousEquity, exposed: gross > 0)
    previousEquity = equity
    let triggered = halt.update(equity: equity, bar: t)
    for a in 0..<books.count {
      let target = PositionBook.permitted(targets[a], allowShort: configuration.allowShort)
      books[a].decide(target: target, halted: halt.halted)
      books[a].remember(inputs[a])
    }
    return Mark(equity: equity, return: r, gross: gross, net: net, haltTriggered: triggered)
  }

  /// The end of the run: the summary of every bar so far.
  public mutating func finish() -> PerformanceSummary { accumulator.finish() }

  // MARK: - Fills

  mutating func record(_ a: Int, _ order: OrderRecord) { orders.append(PortfolioOrder(asset: a, record: order)) }

  mutating func exit(_ a: Int, at price: Double, bar t: Int, reason: OrderReason) {
    let (order, trade) = books[a].exit(at: price, bar: t, reason: reason, costs: costs, cash: &cash)
    accumulator.addFill(value: order.units * order.price)
    accumulator.addTrade(pnl: trade.pnl, return: trade.returnValue)
    record(a, order)
    trades.append((a, trade))
  }

  /// Equity and gross exposure marked at bar `t`'s opens (the last close where an open is missing).
  func markedAtOpen(_ bars: [BarPrices]) -> (equity: Double, gross: Double) {
    var equity = cash, gross = 0.0
    for (b, book) in books.enumerated() where book.units != 0 {
      let value = book.units * (bars[b].open.isNaN ? book.lastClose : bars[b].open)
      equity += value; gross += Swift.abs(value)
    }
    return (equity, gross)
  }

  mutating func enter(_ a: Int, _ direction: Int8, at price: Double, bar t: Int, bars: [BarPrices]) -> Bool {
    let c = configuration, known = books[a].known
    func rejected(_ price: Double, _ clip: ClipReason) -> Bool {
      record(a, OrderRecord(bar: t, side: direction, units: 0, price: price, fee: 0, reason: .entry, status: .rejected, clip: clip))
      return false
    }
    var stopDistance = Double.nan
    if let stop = c.stopLoss {
      if stop.needsATR && !(known.atr > 0) { return rejected(price, .atrUnavailable) }
      stopDistance = stop.distance(atr: known.atr, price: price)
    }
    let (equity, gross) = markedAtOpen(bars)
    // The entry's value at its fill price is `fraction × equity`; the impact is estimated from
    // the size before impact (one step, as the single-asset all-in sizing does).
    let estimate = positionFraction * equity / costs.fillPrice(price, side: direction, quantity: 0, known: known)
    var quantity = positionFraction * equity / costs.fillPrice(price, side: direction, quantity: estimate, known: known), clip = ClipReason.none
    var p = costs.fillPrice(price, side: direction, quantity: quantity, known: known)
    if let risk = c.risk.maxRiskPerTrade, stopDistance > 0, quantity * stopDistance > risk * equity {
      quantity = risk * equity / stopDistance; clip = .risk
      p = costs.fillPrice(price, side: direction, quantity: quantity, known: known)
    }
    let room = maxGrossExposure * equity - gross
    if quantity * p > room {
      // A short's price rises as its size (and impact) falls: divide by its highest possible price.
      quantity = room / (direction > 0 ? p : price * (1 - c.slippage)); clip = .grossExposure
      p = costs.fillPrice(price, side: direction, quantity: quantity, known: known)
    }
    if direction > 0 && quantity * p * (1 + c.fee) + c.fixedFee > cash {
      quantity = (cash - c.fixedFee) / (p * (1 + c.fee)); clip = .leverage
      p = costs.fillPrice(price, side: direction, quantity: quantity, known: known)
    }
    if c.lotSize != nil, quantity.isFinite {
      let lots = c.roundedToLots(quantity)
      // Rounding down is the normal case and keeps the earlier clip reason; 0 lots is refused.
      if lots == 0 { return rejected(p, .lot) }
      if lots != quantity { quantity = lots; p = costs.fillPrice(price, side: direction, quantity: quantity, known: known) }
    }
    guard quantity > 0, quantity.isFinite else { return rejected(p, clip) }
    let order = books[a].enter(direction, quantity: quantity, price: p, bar: t, clip: clip,
                               stopDistance: stopDistance > 0 ? stopDistance : .nan, targetDistance: .nan, costs: costs, cash: &cash)
    accumulator.addFill(value: order.units * order.price)
    record(a, order)
    return true
  }
}
