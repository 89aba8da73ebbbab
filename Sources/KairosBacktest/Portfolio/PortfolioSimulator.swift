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

  /// An empty run of `assets` assets.
  public init(assets: Int) {
    self.init(equity: [], returns: [], positions: Array(repeating: [], count: assets), grossExposure: [], netExposure: [],
              orders: [], trades: [], haltBars: [], summary: PerformanceSummary())
  }

  public init(equity: [Double], returns: [Double], positions: [[Double]], grossExposure: [Double], netExposure: [Double],
              orders: [PortfolioOrder], trades: [(asset: Int, trade: TradeRecord)], haltBars: [Int], summary: PerformanceSummary) {
    self.equity = equity; self.returns = returns; self.positions = positions; self.grossExposure = grossExposure
    self.netExposure = netExposure; self.orders = orders; self.trades = trades; self.haltBars = haltBars; self.summary = summary
  }

  /// Bar `t` through `core` (its open, then its close) and what it did appended to the run:
  /// the one step of the whole-history simulator and of a live portfolio session.
  public mutating func step(_ core: inout PortfolioCore, bar t: Int, _ bars: [BarPrices], targets: [Int8], inputs: [DecisionInputs]) {
    core.atOpen(bar: t, bars)
    let mark = core.atClose(bar: t, bars, targets: targets, inputs: inputs)
    equity.append(mark.equity); returns.append(mark.return)
    grossExposure.append(mark.gross / mark.equity); netExposure.append(mark.net / mark.equity)
    for a in 0..<positions.count { positions[a].append(core.books[a].units) }
    if mark.haltTriggered { haltBars.append(t) }
  }

  /// The orders, trades and summary of `core` (a copy finishes: the core goes on).
  public mutating func finish(_ core: PortfolioCore) {
    var core = core
    orders = core.orders
    trades = core.trades
    summary = core.finish()
  }

  /// The fills in the form `Reconciliation` checks.
  public var fills: [Reconciliation.Fill] {
    orders.filter { $0.record.status == .filled }.map { o in
      Reconciliation.Fill(bar: o.record.bar, units: Double(o.record.side) * o.record.units, price: o.record.price, fee: o.record.fee, asset: o.asset)
    }
  }
}

/// The portfolio engine over whole histories: a fold of `PortfolioCore` over the assets' bars
/// with each asset's target series (decided at the close of `t`, filled at the open of `t + 1`,
/// docs/DESIGN.md §4).
public enum PortfolioSimulator {
  public static func run(markets: [MarketSeries], targets: [[Int8]], configuration: PortfolioConfiguration) throws(BacktestError) -> PortfolioRun {
    guard let first = markets.first else { throw .invalidParameter(name: "markets", reason: "a portfolio needs at least one asset") }
    guard targets.count == markets.count else { throw .invalidParameter(name: "targets", reason: "\(targets.count) target series for \(markets.count) assets") }
    for (a, m) in markets.enumerated() where m.timestamps != first.timestamps || targets[a].count != m.count {
      throw .invalidParameter(name: "markets", reason: "\(m.name) is not on the first asset's timeline (align the frames first)")
    }
    var configuration = configuration
    configuration.base = configuration.base.resolved(for: first.timestamps)
    var core = try PortfolioCore(assets: markets.count, configuration: configuration)
    for m in markets { m.prepareImpactInputs(for: configuration.base) }
    let readsImpact = configuration.base.readsImpactInputs
    var run = PortfolioRun(assets: markets.count)
    for t in 0..<first.count {
      let bars = markets.map { BarPrices(open: $0.open[t], high: $0.high[t], low: $0.low[t], close: $0.close[t]) }
      run.step(&core, bar: t, bars, targets: targets.map { $0[t] },
               inputs: markets.map { DecisionInputs(atr: $0.atr[t], sigma20: readsImpact ? $0.sigma20[t] : .nan,
                                                    averageVolume20: readsImpact ? $0.averageVolume20[t] : .nan) })
    }
    run.finish(core)
    return run
  }
}
