import KairosBacktest
import KairosResearch

/// What one committed time shows, for the alert rules and the daily ledger: the account after
/// it, each symbol's position and mark, the halt's view, the time's orders and model events.
public struct BarObservation: Sendable {
  public var time: Int64
  /// The session day the time belongs to (days since the epoch: the calendar's session date,
  /// or the UTC date).
  public var day: Int64
  public var equity: Double, cash: Double, peak: Double
  /// The drawdown limit (a positive fraction), if the session has one.
  public var limit: Double?
  public var halted: Bool
  public var grossExposure: Double
  public var symbols: [String], units: [Double], closes: [Double]
  public var orders: [(symbol: String, record: OrderRecord)]
  public var modelEvents: [(symbol: String, event: ModelRiskMonitor.Event, version: Int)]

  public init(time: Int64, day: Int64, equity: Double, cash: Double, peak: Double, limit: Double?, halted: Bool, grossExposure: Double,
              symbols: [String], units: [Double], closes: [Double], orders: [(symbol: String, record: OrderRecord)] = [],
              modelEvents: [(symbol: String, event: ModelRiskMonitor.Event, version: Int)] = []) {
    self.time = time; self.day = day; self.equity = equity; self.cash = cash; self.peak = peak; self.limit = limit; self.halted = halted
    self.grossExposure = grossExposure; self.symbols = symbols; self.units = units; self.closes = closes; self.orders = orders; self.modelEvents = modelEvents
  }
}
