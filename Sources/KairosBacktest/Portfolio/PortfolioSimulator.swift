/// How a portfolio of assets trades: the single-asset costs and risk rules, one cash account,
/// a size per position and the risk manager's cap on gross exposure across assets.
public struct PortfolioConfiguration: Sendable, Equatable {
  /// Capital, fees, slippage, impact, shorts, the stop-loss (take-profit is not used here) and
  /// the risk rules (risk per trade, drawdown halt and its resume policy). `fill` must be
  /// `nextOpen`; `sizing` and `limits` are replaced by the two fields below.
  public var base = BacktestConfiguration()
  /// Each entry's value as a fraction of equity at the fill (`nil`: 1 / number of assets).
  public var positionFraction: Double?
  /// Σ |units × price| / equity may not exceed this after an entry (1: no leverage).
  public var maxGrossExposure = 1.0

  public init() {}
}

/// One order of a portfolio run: the asset it is for, and the single-asset record.
public struct PortfolioOrder: Sendable, Equatable {
  public var asset: Int
  public var record: OrderRecord
}

/// Everything a portfolio run produced, per bar and per order.
public struct PortfolioRun: Sendable {
  public var equity: [Double], returns: [Double]
  /// Units held per asset at each close: `positions[asset][bar]`.
  public var positions: [[Double]]
  /// Σ |units × close| / equity and Σ units × close / equity at each close.
  public var grossExposure: [Double], netExposure: [Double]
  public var orders: [PortfolioOrder]
  public var trades: [(asset: Int, trade: TradeRecord)]
  /// The bars whose close triggered a drawdown halt (more than one when trading resumes).
  public var haltBars: [Int]
  public var summary: PerformanceSummary

  /// The fills in the form `Reconciliation` checks.
  public var fills: [Reconciliation.Fill] {
    orders.filter { $0.record.status == .filled }.map { o in
      Reconciliation.Fill(bar: o.record.bar, units: Double(o.record.side) * o.record.units, price: o.record.price, fee: o.record.fee, asset: o.asset)
    }
  }
}

/// The portfolio engine: several assets on one timeline, one cash account, per-bar targets per
/// asset (decided at the close of `t`, filled at the open of `t + 1`, docs/DESIGN.md §4).
///
/// Per bar: pending orders fill at the open — every exit first, then entries in asset order,
/// each sized at `positionFraction × equity` (marked at this open) and clipped by the risk per
/// trade, the gross-exposure cap and the cash (never negative) with the reason recorded; then
/// stops (a gap through the level fills at the open); equity is marked at the close; the
/// drawdown halt is checked; the targets of the close become the next orders. While halted
/// every position is flattened and every entry the strategies ask for is refused (recorded once
/// per change of mind). It is plain safe Swift: a portfolio is one run, not a sweep's hot loop.
public enum PortfolioSimulator {
  public static func run(markets: [MarketSeries], targets: [[Int8]], configuration: PortfolioConfiguration) throws(BacktestError) -> PortfolioRun {
    guard let first = markets.first else { throw .invalidParameter(name: "markets", reason: "a portfolio needs at least one asset") }
    guard targets.count == markets.count else { throw .invalidParameter(name: "targets", reason: "\(targets.count) target series for \(markets.count) assets") }
    for (a, m) in markets.enumerated() where m.timestamps != first.timestamps || targets[a].count != m.count {
      throw .invalidParameter(name: "markets", reason: "\(m.name) is not on the first asset's timeline (align the frames first)")
    }
    guard configuration.base.fill == .nextOpen else { throw .invalidParameter(name: "fill", reason: "the portfolio engine fills at the next open only") }
    var engine = PortfolioEngine(markets: markets, targets: targets, configuration: configuration)
    return engine.run()
  }
}

/// The state of one portfolio run (a struct with mutating methods, like `_Engine`).
struct PortfolioEngine {
  let markets: [MarketSeries], targets: [[Int8]]
  let c: BacktestConfiguration, fraction: Double, maxGross: Double
  let n: Int, assets: Int
  var cash: Double
  var units: [Double], lastClose: [Double]
  var pending: [Int8], hasPending: [Bool], stoppedDirection: [Int8], refusedDirection: [Int8]
  var entryBar: [Int], entryPrice: [Double], entryValue: [Double], entryFee: [Double], stopLevel: [Double]
  var halted = false, haltBar = 0, peak: Double
  var accumulator: PerformanceAccumulator
  var out: PortfolioRun

  init(markets: [MarketSeries], targets: [[Int8]], configuration: PortfolioConfiguration) {
    self.markets = markets; self.targets = targets
    c = configuration.base
    assets = markets.count; n = markets[0].count
    fraction = configuration.positionFraction ?? 1 / Double(assets)
    maxGross = configuration.maxGrossExposure
    cash = c.initialCapital; peak = c.initialCapital
    units = Array(repeating: 0, count: assets); lastClose = Array(repeating: .nan, count: assets)
    pending = Array(repeating: 0, count: assets); hasPending = Array(repeating: false, count: assets)
    stoppedDirection = pending; refusedDirection = pending
    entryBar = Array(repeating: 0, count: assets); entryPrice = units; entryValue = units; entryFee = units
    stopLevel = Array(repeating: .nan, count: assets)
    accumulator = PerformanceAccumulator(initialEquity: c.initialCapital, periodsPerYear: c.periodsPerYear, capacity: n)
    out = PortfolioRun(equity: [], returns: [], positions: Array(repeating: [], count: assets), grossExposure: [], netExposure: [],
                       orders: [], trades: [], haltBars: [], summary: PerformanceSummary())
  }

  func fillPrice(_ a: Int, _ price: Double, side: Int8, quantity: Double, decision d: Int) -> Double {
    let m = markets[a]
    return ExecutionCost.fillPrice(price, side: side, quantity: quantity, slippage: c.slippage, impact: c.impact,
                                   sigma: m.sigma20[d], averageVolume: m.averageVolume20[d])
  }

  mutating func record(_ a: Int, _ record: OrderRecord) { out.orders.append(PortfolioOrder(asset: a, record: record)) }

  mutating func exit(_ a: Int, at price: Double, bar t: Int, reason: OrderReason) {
    let quantity = abs(units[a]), side: Int8 = units[a] > 0 ? -1 : 1
    let p = fillPrice(a, price, side: side, quantity: quantity, decision: t - 1)
    let value = quantity * p, orderFee = c.fee * value + c.fixedFee
    let pnl: Double
    if units[a] > 0 {
      cash += value - orderFee
      pnl = (value - orderFee) - (entryValue[a] + entryFee[a])
    } else {
      cash -= value + orderFee
      pnl = (entryValue[a] - entryFee[a]) - (value + orderFee)
    }
    accumulator.addFill(value: value)
    accumulator.addTrade(pnl: pnl, return: pnl / (entryValue[a] + entryFee[a]))
    if reason == .stopLoss { stoppedDirection[a] = units[a] > 0 ? 1 : -1 }
    record(a, OrderRecord(bar: t, side: side, units: quantity, price: p, fee: orderFee, reason: reason, status: .filled, clip: .none))
    out.trades.append((a, TradeRecord(entryBar: entryBar[a], exitBar: t, entryPrice: entryPrice[a], exitPrice: p, units: units[a],
                                      pnl: pnl, returnValue: pnl / (entryValue[a] + entryFee[a]), exitReason: reason)))
    units[a] = 0
    stopLevel[a] = .nan
  }

  /// Equity and gross exposure marked at bar `t`'s opens (the last close where an open is missing).
  func markedAtOpen(_ t: Int) -> (equity: Double, gross: Double) {
    var equity = cash, gross = 0.0
    for b in 0..<assets where units[b] != 0 {
      let o = markets[b].open[t]
      let value = units[b] * (o.isNaN ? lastClose[b] : o)
      equity += value; gross += abs(value)
    }
    return (equity, gross)
  }

  mutating func enter(_ a: Int, _ direction: Int8, at price: Double, bar t: Int) {
    let d = t - 1, m = markets[a]
    var stopDistance = Double.nan
    if let stop = c.stopLoss {
      switch stop {
      case let .atrMultiple(k):
        guard m.atr[d] > 0 else {
          record(a, OrderRecord(bar: t, side: direction, units: 0, price: price, fee: 0, reason: .entry, status: .rejected, clip: .atrUnavailable))
          return
        }
        stopDistance = k * m.atr[d]
      case let .fraction(f): stopDistance = f * price
      }
    }
    let (equity, gross) = markedAtOpen(t)
    // The entry's value at its fill price is `fraction × equity`; the impact is estimated from
    // the size before impact (one step, as the single-asset engine's all-in sizing does).
    let estimate = fraction * equity / fillPrice(a, price, side: direction, quantity: 0, decision: d)
    var quantity = fraction * equity / fillPrice(a, price, side: direction, quantity: estimate, decision: d), clip = ClipReason.none
    var p = fillPrice(a, price, side: direction, quantity: quantity, decision: d)
    if let risk = c.risk.maxRiskPerTrade, stopDistance > 0, quantity * stopDistance > risk * equity {
      quantity = risk * equity / stopDistance; clip = .risk
      p = fillPrice(a, price, side: direction, quantity: quantity, decision: d)
    }
    let room = maxGross * equity - gross
    if quantity * p > room {
      // A short's price rises as its size (and impact) falls: divide by its highest possible price.
      quantity = room / (direction > 0 ? p : price * (1 - c.slippage)); clip = .grossExposure
      p = fillPrice(a, price, side: direction, quantity: quantity, decision: d)
    }
    if direction > 0 && quantity * p * (1 + c.fee) + c.fixedFee > cash {
      quantity = (cash - c.fixedFee) / (p * (1 + c.fee)); clip = .leverage
      p = fillPrice(a, price, side: direction, quantity: quantity, decision: d)
    }
    guard quantity > 0, quantity.isFinite else {
      record(a, OrderRecord(bar: t, side: direction, units: 0, price: p, fee: 0, reason: .entry, status: .rejected, clip: clip))
      return
    }
    let value = quantity * p, orderFee = c.fee * value + c.fixedFee
    if direction > 0 { cash -= value + orderFee; units[a] = quantity } else { cash += value - orderFee; units[a] = -quantity }
    entryBar[a] = t; entryPrice[a] = p; entryValue[a] = value; entryFee[a] = orderFee
    if stopDistance > 0 { stopLevel[a] = direction > 0 ? p - stopDistance : p + stopDistance }
    accumulator.addFill(value: value)
    record(a, OrderRecord(bar: t, side: direction, units: quantity, price: p, fee: orderFee, reason: .entry, status: .filled, clip: clip))
  }

  /// The drawdown halt after the close of `t` (the single-asset engine's rule and resume policies).
  mutating func updateHalt(equity: Double, bar t: Int) {
    guard let limit = c.risk.maxDrawdown else { return }
    if halted {
      guard c.risk.resumes(bar: t, haltBar: haltBar, equity: equity, peak: peak) else { return }
      halted = false
      peak = equity
      return
    }
    peak = max(peak, equity)
    if equity / peak - 1 < -limit { halted = true; haltBar = t; out.haltBars.append(t) }
  }

  mutating func run() -> PortfolioRun {
    var previousEquity = c.initialCapital
    for t in 0..<n {
      // 1. Fills at the open: every exit, then the entries.
      var entered = [Bool](repeating: false, count: assets)
      for a in 0..<assets where hasPending[a] && !markets[a].open[t].isNaN && units[a] != 0 {
        exit(a, at: markets[a].open[t], bar: t, reason: halted ? .halt : .exit)
      }
      for a in 0..<assets where hasPending[a] && !markets[a].open[t].isNaN {
        if pending[a] != 0 {
          if halted {
            record(a, OrderRecord(bar: t, side: pending[a], units: 0, price: markets[a].open[t], fee: 0, reason: .entry, status: .rejected, clip: .halted))
          } else {
            enter(a, pending[a], at: markets[a].open[t], bar: t)
            entered[a] = units[a] != 0
          }
        }
        hasPending[a] = false
      }
      // 2. Stops: a gap through the level fills at the open, else at the level.
      for a in 0..<assets where units[a] != 0 && !stopLevel[a].isNaN {
        let m = markets[a], long = units[a] > 0, o = m.open[t]
        if !entered[a] && !o.isNaN && (long ? o <= stopLevel[a] : o >= stopLevel[a]) {
          exit(a, at: o, bar: t, reason: .stopLoss)
        } else if !m.low[t].isNaN && (long ? m.low[t] <= stopLevel[a] : m.high[t] >= stopLevel[a]) {
          exit(a, at: stopLevel[a], bar: t, reason: .stopLoss)
        }
      }
      // 3. Mark at the close.
      var equity = cash, gross = 0.0, net = 0.0
      for a in 0..<assets {
        let cl = markets[a].close[t]
        if !cl.isNaN { lastClose[a] = cl }
        out.positions[a].append(units[a])
        if units[a] != 0 { let value = units[a] * lastClose[a]; equity += value; gross += abs(value); net += value }
      }
      let r = equity == previousEquity ? 0 : equity / previousEquity - 1
      accumulator.addBar(equity: equity, return: r, exposed: gross > 0)
      out.equity.append(equity); out.returns.append(r)
      out.grossExposure.append(gross / equity); out.netExposure.append(net / equity)
      previousEquity = equity
      // 4. The risk manager's halt; 5. the next orders.
      updateHalt(equity: equity, bar: t)
      for a in 0..<assets {
        var target = targets[a][t]
        if target < 0 && !c.allowShort { target = 0 }
        let held: Int8 = units[a] > 0 ? 1 : (units[a] < 0 ? -1 : 0)
        if halted {
          if target == 0 || target == held { target = 0 }
          else if target == refusedDirection[a] { target = 0 }
          else { refusedDirection[a] = target }
        } else {
          refusedDirection[a] = 0
        }
        if stoppedDirection[a] != 0 {
          if target == stoppedDirection[a] { target = 0 } else { stoppedDirection[a] = 0 }
        }
        if target != held { pending[a] = target; hasPending[a] = true } else { hasPending[a] = false }
      }
    }
    out.summary = accumulator.finish()
    return out
  }
}
