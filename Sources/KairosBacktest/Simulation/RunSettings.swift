import KairosCore
import KairosIO

/// The costs, timing and capital a user gives for a run — on the command line or in a config
/// file (`snake_case` keys: `fee`, `fixed_fee`, `slippage`, `impact`, `fill`, `shorts`,
/// `capital`, `periods_per_year`, `calendar`, `lot_size`, `trigger`) — each optional. `configuration()` is the one place that
/// fills the defaults and validates them, for every command and config file.
public struct RunSettings: Sendable, Equatable, Decodable {
  public var fee: Double?, fixedFee: Double?, slippage: Double?, impact: Double?
  /// `next-open` or `next-close`.
  public var fill: String?
  public var shorts: Bool?
  public var capital: Double?, periodsPerYear: Double?
  /// `24x7`, `24x5` or `nyse` (the periods-per-year rule's calendar; detected when absent).
  public var calendar: String?
  /// Units per lot (entries round down to whole lots); `trigger`: `level` or `cross`.
  public var lotSize: Double?, trigger: String?

  enum CodingKeys: String, CodingKey, CaseIterable {
    case fee, fixedFee = "fixed_fee", slippage, impact, fill, shorts, capital, periodsPerYear = "periods_per_year", calendar
    case lotSize = "lot_size", trigger
  }

  /// The keys these settings take in a config file.
  public static let keys = CodingKeys.allCases.map(\.rawValue)

  public init(fee: Double? = nil, fixedFee: Double? = nil, slippage: Double? = nil, impact: Double? = nil, fill: String? = nil,
              shorts: Bool? = nil, capital: Double? = nil, periodsPerYear: Double? = nil, calendar: String? = nil,
              lotSize: Double? = nil, trigger: String? = nil) {
    self.fee = fee; self.fixedFee = fixedFee; self.slippage = slippage; self.impact = impact; self.fill = fill
    self.shorts = shorts; self.capital = capital; self.periodsPerYear = periodsPerYear; self.calendar = calendar
    self.lotSize = lotSize; self.trigger = trigger
  }

  /// These settings where given, `other`'s elsewhere (flags over a config file).
  public func merged(over other: RunSettings?) -> RunSettings {
    guard let other else { return self }
    return RunSettings(fee: fee ?? other.fee, fixedFee: fixedFee ?? other.fixedFee, slippage: slippage ?? other.slippage,
                       impact: impact ?? other.impact, fill: fill ?? other.fill, shorts: shorts ?? other.shorts,
                       capital: capital ?? other.capital, periodsPerYear: periodsPerYear ?? other.periodsPerYear,
                       calendar: calendar ?? other.calendar, lotSize: lotSize ?? other.lotSize, trigger: trigger ?? other.trigger)
  }

  /// The configuration with the defaults (no costs, next-open fills, long/flat, 100,000 of
  /// capital, periods per year inferred from the data) where a setting is not given.
  ///
  /// - Throws: `BacktestError.invalidParameter` for a fee or slippage outside [0, 1), a negative
  ///   or non-finite fixed fee or impact, a fill other
  ///   than `next-open`/`next-close`, a capital or period count that is not positive and finite.
  public func configuration() throws(BacktestError) -> BacktestConfiguration {
    var c = BacktestConfiguration()
    for (name, value) in [("fixed_fee", fixedFee), ("impact", impact)] {
      guard let value else { continue }
      guard value >= 0 && value.isFinite else { throw .invalidParameter(name: name, reason: "must be a finite number >= 0, was \(value)") }
    }
    // Fractions of the traded value or price: 1 or more would make a fill price or the cash
    // left after an entry negative.
    for (name, value) in [("fee", fee), ("slippage", slippage)] {
      guard let value else { continue }
      guard value >= 0 && value < 1 else { throw .invalidParameter(name: name, reason: "must be a fraction in [0, 1) (0.001 = 10 bp), was \(value)") }
    }
    c.fee = fee ?? c.fee
    c.fixedFee = fixedFee ?? c.fixedFee
    c.slippage = slippage ?? c.slippage
    c.impact = impact ?? c.impact
    if let fill {
      guard let timing = FillTiming(rawValue: fill) else { throw .invalidParameter(name: "fill", reason: "must be next-open or next-close, was \(fill)") }
      c.fill = timing
    }
    c.allowShort = shorts ?? c.allowShort
    for (name, value) in [("capital", capital), ("periods_per_year", periodsPerYear)] {
      guard let value else { continue }
      guard value > 0 && value.isFinite else { throw .invalidParameter(name: name, reason: "must be a positive number, was \(value)") }
    }
    c.initialCapital = capital ?? c.initialCapital
    c.periodsPerYear = periodsPerYear
    if let lotSize {
      guard lotSize > 0 && lotSize.isFinite else { throw .invalidParameter(name: "lot_size", reason: "must be a positive number of units (1 = whole shares), was \(lotSize)") }
      c.lotSize = lotSize
    }
    if let trigger {
      guard let known = Trigger(rawValue: trigger) else { throw .invalidParameter(name: "trigger", reason: "must be level or cross, was \(trigger)") }
      c.trigger = known
    }
    if let calendar {
      guard let known = TradingCalendar(rawValue: calendar) else {
        throw .invalidParameter(name: "calendar", reason: "must be one of \(TradingCalendar.allCases.map(\.rawValue).joined(separator: ", ")), was \(calendar)")
      }
      c.calendar = known
    }
    return c
  }
}

extension BacktestConfiguration {
  /// The costs, timing and capital as a manifest records them (`settings` of docs/DESIGN.md §9).
  public var manifestSettings: [String: String] {
    let f = CSVWriter.format
    return ["fee": f(fee), "fixed_fee": f(fixedFee), "slippage": f(slippage), "impact": f(impact), "fill": fill.rawValue,
            "shorts": "\(allowShort)", "capital": f(initialCapital), "periods_per_year": periodsPerYear.map(f) ?? "inferred",
            "calendar": calendar?.rawValue ?? "detected", "lot_size": lotSize.map(f) ?? "fractional", "trigger": trigger.rawValue]
  }
}

extension BacktestConfiguration {
  /// Whether a run reads σ₂₀ and ADV₂₀: the impact model and volatility-target sizing.
  public var readsImpactInputs: Bool {
    if impact != 0 { return true }
    if case .volatilityTarget = sizing { return true }
    return false
  }
}
