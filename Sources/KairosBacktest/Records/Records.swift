/// Why an order was sent.
public enum OrderReason: String, Sendable, Codable {
  case entry, exit, stopLoss = "stop-loss", takeProfit = "take-profit"
  /// The exit that flattens the position when a drawdown halt triggers.
  case halt
}

/// What limited an entry's size (docs/DESIGN.md §4: a clipped size is recorded with its reason).
public enum ClipReason: String, Sendable, Codable {
  case none = "", maxUnits = "max-units", maxPosition = "max-position", leverage = "leverage"
  /// The risk manager's per-trade risk limit (`RiskRules.maxRiskPerTrade`).
  case risk
  /// Refused: trading is halted after a drawdown (`RiskRules.maxDrawdown`).
  case halted
  /// Refused: the stop is k × ATR and the ATR is not known yet (its first 14 bars).
  case atrUnavailable = "atr-unavailable"
  /// The portfolio's gross exposure limit (`PortfolioConfiguration.maxGrossExposure`).
  case grossExposure = "gross-exposure"
  /// Refused: the entry rounds down to 0 lots (`--lot-size`).
  case lot
}

/// What happened to an order (vectorbt's `OrderStatus`, as codes: no throwing in the loop).
public enum OrderStatus: String, Sendable, Codable {
  case filled
  /// Nothing could be bought: no cash left after the fixed fee, or no ATR/volatility yet.
  case rejected
}

/// One order (a sparse record, like vectorbt's order records).
public struct OrderRecord: Sendable, Equatable {
  /// The bar of the fill; the decision was at the close of the bar before.
  public var bar: Int
  /// +1 buy, −1 sell.
  public var side: Int8
  public var units: Double
  /// Fill price, slippage and impact included.
  public var price: Double
  public var fee: Double
  public var reason: OrderReason
  public var status: OrderStatus
  public var clip: ClipReason

  public init(bar: Int, side: Int8, units: Double, price: Double, fee: Double, reason: OrderReason, status: OrderStatus, clip: ClipReason) {
    self.bar = bar; self.side = side; self.units = units; self.price = price; self.fee = fee
    self.reason = reason; self.status = status; self.clip = clip
  }
}

/// A round trip, entry to exit (docs/DESIGN.md §4).
public struct TradeRecord: Sendable, Equatable {
  public var entryBar: Int
  public var exitBar: Int
  public var entryPrice: Double
  public var exitPrice: Double
  /// Signed: > 0 long, < 0 short.
  public var units: Double
  /// Net of every fee, slippage and impact.
  public var pnl: Double
  /// `pnl / entry value`, the entry fee included in the entry value.
  public var returnValue: Double
  public var exitReason: OrderReason
}

/// Receives what the engine does. The engine is generic over its recorder, so sweeps pass
/// `NoRecording` and pay nothing, and single backtests pass `FullRecording`.
public protocol BacktestRecorder {
  mutating func recordOrder(_ order: OrderRecord)
  mutating func recordTrade(_ trade: TradeRecord)
  mutating func recordBar(_ bar: Int, equity: Double, return: Double, position: Double)
}

/// Records nothing (sweeps: metrics only).
public struct NoRecording: BacktestRecorder {
  public init() {}
  @inline(__always) public mutating func recordOrder(_ order: OrderRecord) {}
  @inline(__always) public mutating func recordTrade(_ trade: TradeRecord) {}
  @inline(__always) public mutating func recordBar(_ bar: Int, equity: Double, return: Double, position: Double) {}
}

/// Records the equity curve, returns, positions, orders and trades.
public struct FullRecording: BacktestRecorder, Sendable {
  public var orders: [OrderRecord] = []
  public var trades: [TradeRecord] = []
  public var equity: [Double] = []
  public var returns: [Double] = []
  /// Units held at each bar's close (signed).
  public var positions: [Double] = []

  public init() {}
  public mutating func recordOrder(_ order: OrderRecord) { orders.append(order) }
  public mutating func recordTrade(_ trade: TradeRecord) { trades.append(trade) }
  public mutating func recordBar(_ bar: Int, equity e: Double, return r: Double, position: Double) {
    equity.append(e); returns.append(r); positions.append(position)
  }
}
