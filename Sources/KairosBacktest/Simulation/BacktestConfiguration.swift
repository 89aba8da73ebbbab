import KairosCore

/// When an order decided at the close of bar t fills (docs/DESIGN.md §4).
public enum FillTiming: String, Sendable, CaseIterable, Codable {
  /// At the open of bar t+1 (the default).
  case nextOpen = "next-open"
  /// At the close of bar t+1.
  case nextClose = "next-close"
}

/// When a rule's target is acted on (docs/DESIGN.md §4).
public enum Trigger: String, Sendable, CaseIterable, Codable {
  /// From the first bar where the target is defined (the default).
  case level
  /// Only once the target first changes after its warm-up: a cross strategy enters on a cross,
  /// as backtesting.py's `crossover` and vectorbt's `crossed_above` entries do.
  case cross
}

/// A stop or target distance from the entry price.
public enum ExitDistance: Sendable, Equatable, Codable {
  /// `k × ATR`, with the ATR known when the entry was decided.
  case atrMultiple(Double)
  /// A fraction of the entry fill price (0.05 = 5 %).
  case fraction(Double)
}

/// How many units an entry buys (or sells short). Units are held until the exit: there is no
/// rebalancing between orders.
public enum PositionSizing: Sendable, Equatable, Codable {
  /// `units = cash / (fill price × (1 + fee))` after the fixed fee (the default).
  case allIn
  /// Risk `risk` of equity per trade with a stop at `atrMultiple × ATR`:
  /// `units = equity·risk / (atrMultiple·ATR)`.
  case fixedFractional(risk: Double, atrMultiple: Double)
  /// `units = equity × (target / σ) / price`, σ the annualized 20-bar volatility of
  /// close-to-close returns, known at the decision.
  case volatilityTarget(annualVolatility: Double)
}

/// Limits applied to every entry after sizing. A clipped size is recorded with its reason.
public struct PositionLimits: Sendable, Equatable, Codable {
  /// Largest position value as a fraction of equity (`nil`: none).
  public var maxPositionFraction: Double?
  /// Largest `position value + fees` as a multiple of equity; 1 means no leverage (cash
  /// never goes negative).
  public var maxLeverage: Double
  /// Largest number of units (`nil`: none).
  public var maxUnits: Double?

  public init(maxPositionFraction: Double? = nil, maxLeverage: Double = 1, maxUnits: Double? = nil) {
    self.maxPositionFraction = maxPositionFraction
    self.maxLeverage = maxLeverage
    self.maxUnits = maxUnits
  }
}

/// Costs, timing and rules of a backtest (docs/DESIGN.md §4).
public struct BacktestConfiguration: Sendable, Equatable, Codable {
  public var initialCapital: Double = 100_000
  public var fill: FillTiming = .nextOpen
  /// Proportional fee on the traded value (0.001 = 10 bp).
  public var fee: Double = 0
  /// Fixed fee per order, in cash.
  public var fixedFee: Double = 0
  /// Slippage as a fraction of price: buys at `price × (1 + s)`, sells at `price × (1 − s)`.
  public var slippage: Double = 0
  /// Square-root impact coefficient: adds `k × σ₂₀ × √(units / ADV₂₀)` as a fraction of price.
  public var impact: Double = 0
  /// Long/short instead of long/flat.
  public var allowShort: Bool = false
  public var sizing: PositionSizing = .allIn
  public var limits = PositionLimits()
  public var stopLoss: ExitDistance? = nil
  public var takeProfit: ExitDistance? = nil
  /// Periods per year for annualized metrics; `nil`: inferred from the bars' timestamps by the
  /// `PeriodsPerYear` rule when a run starts (`resolved(for:)`).
  public var periodsPerYear: Double? = nil
  /// The trading calendar of the periods-per-year rule; `nil`: detected from the timestamps.
  public var calendar: TradingCalendar? = nil
  /// The risk manager's rules (none by default).
  public var risk = RiskRules()
  /// Units per lot: entries are rounded down to a whole number of lots (1 = whole shares);
  /// `nil`: fractional units.
  public var lotSize: Double? = nil
  /// When the rule's target is acted on.
  public var trigger: Trigger = .level

  public init() {}

  /// `quantity` rounded down to a whole number of lots (unchanged without a lot size). The one
  /// rounding rule of the single-asset and portfolio engines.
  @inlinable
  public func roundedToLots(_ quantity: Double) -> Double {
    guard let lot = lotSize else { return quantity }
    return (quantity / lot).rounded(.down) * lot
  }

  /// The periods per year of a run over bars at `timestamps`: the given value, else the
  /// `PeriodsPerYear` rule (252 for fewer than two bars, where nothing can be inferred).
  public func annualization(for timestamps: some Collection<Int64>) -> Double {
    periodsPerYear ?? PeriodsPerYear.infer(timestamps: timestamps, calendar: calendar)?.value ?? 252
  }

  /// This configuration with `periodsPerYear` fixed for bars at `timestamps` (once per run, so
  /// the engine reads a number, not a rule).
  public func resolved(for timestamps: some Collection<Int64>) -> BacktestConfiguration {
    guard periodsPerYear == nil else { return self }
    var c = self
    c.periodsPerYear = annualization(for: timestamps)
    return c
  }
}
