import KairosCore

/// Parameters that any strategy accepts: costs, sizing, stops and filters, so a grid can sweep
/// them like strategy parameters.
public enum CommonParameter {
  public static let names: [String: String] = [
    "fee": "proportional fee (0.001 = 10 bp)", "fixed_fee": "fixed fee per order", "slippage": "slippage fraction",
    "impact": "square-root impact coefficient", "stop_atr": "stop-loss at k × ATR", "stop_pct": "stop-loss at a fraction of entry",
    "take_atr": "take-profit at k × ATR", "take_pct": "take-profit at a fraction of entry",
    "risk": "fixed-fractional risk per trade (with risk_atr)", "risk_atr": "stop distance in ATRs for fixed-fractional sizing",
    "vol_target": "annualized volatility target for sizing", "max_position": "largest position as a fraction of equity",
    "max_leverage": "largest exposure as a multiple of equity", "max_units": "largest number of units",
    "vol_lookback": "volatility-band filter: lookback of the ATR/close percentile", "vol_low": "volatility band: lowest percentile (0–1)",
    "vol_high": "volatility band: highest percentile (0–1)", "er_window": "efficiency-ratio filter window",
    "er_min": "trade only when the efficiency ratio is at least this", "chop_window": "choppiness filter window",
    "chop_max": "trade only when the choppiness index is at most this",
    "risk_per_trade": "risk manager: largest loss per trade as a fraction of equity at the stop",
    "max_dd": "risk manager: halt at a drawdown deeper than this fraction (0.2 = 20 %)",
    "dd_resume_bars": "risk manager: resume this many bars after a halt",
    "dd_resume_recovery": "risk manager: resume when equity is back to this fraction of the peak",
    "lot_size": "units per lot: entries round down to whole lots (1 = whole shares; 0 = fractional)",
    "trigger": "0: act on the target from the warm-up on (level); 1: only once it changes (cross)",
  ]

  /// The parameters the engine alone reads (costs, stops, sizing, the risk manager): they never
  /// change a rule's targets, so a sweep's combinations that differ only in these share one
  /// `SignalTrack`. A parameter not listed here is taken to shape the targets (filters, the
  /// trigger, the strategy's own): at worst a track is not shared.
  public static let engineOnly: Set<String> = [
    "fee", "fixed_fee", "slippage", "impact", "stop_atr", "stop_pct", "take_atr", "take_pct", "risk", "risk_atr", "vol_target",
    "max_position", "max_leverage", "max_units", "risk_per_trade", "max_dd", "dd_resume_bars", "dd_resume_recovery", "lot_size",
  ]
}

/// Errors of strategy parameters and grids.
public enum BacktestError: Error, Equatable, Sendable, CustomStringConvertible {
  case unknownParameter(name: String, strategy: String, known: [String])
  case invalidParameter(name: String, reason: String)
  case invalidGrid(String)
  case invalidConstraint(String)
  case emptyGrid
  case missingProbabilities
  case cancelled
  case unsupported(String)

  public var description: String {
    switch self {
    case let .unknownParameter(name, strategy, known):
      return "unknown parameter '\(name)' for \(strategy); expected one of \(known.joined(separator: ", "))"
    case let .invalidParameter(name, reason): return "parameter \(name): \(reason)"
    case let .invalidGrid(reason): return "invalid grid: \(reason)"
    case let .invalidConstraint(reason): return "invalid --where constraint: \(reason)"
    case .emptyGrid: return "the grid has no combination that satisfies the constraint"
    case .missingProbabilities: return "the model strategy needs probabilities (a model file with features, or a CSV column)"
    case .cancelled: return "interrupted; nothing was written"
    case let .unsupported(what): return what
    }
  }
}

extension BacktestConfiguration {
  /// A copy with the common parameters of `values` applied (see `CommonParameter.names`).
  public func applying(_ values: [String: Double]) throws(BacktestError) -> BacktestConfiguration {
    var c = self
    func positive(_ name: String) throws(BacktestError) -> Double? {
      guard let v = values[name] else { return nil }
      guard v >= 0, v.isFinite else { throw .invalidParameter(name: name, reason: "must be a finite number >= 0, was \(v)") }
      return v
    }
    for name in ["fee", "slippage"] {
      if let v = values[name], !(v >= 0 && v < 1) { throw .invalidParameter(name: name, reason: "must be a fraction in [0, 1) (0.001 = 10 bp), was \(v)") }
    }
    if let v = try positive("fee") { c.fee = v }
    if let v = try positive("fixed_fee") { c.fixedFee = v }
    if let v = try positive("slippage") { c.slippage = v }
    if let v = try positive("lot_size") { c.lotSize = v > 0 ? v : nil }
    if let v = values["trigger"] {
      guard v == 0 || v == 1 else { throw .invalidParameter(name: "trigger", reason: "must be 0 (level) or 1 (cross), was \(v)") }
      c.trigger = v == 1 ? .cross : .level
    }
    if let v = try positive("impact") { c.impact = v }
    if let v = try positive("stop_atr") { c.stopLoss = v > 0 ? .atrMultiple(v) : nil }
    if let v = try positive("stop_pct") { c.stopLoss = v > 0 ? .fraction(v) : nil }
    if let v = try positive("take_atr") { c.takeProfit = v > 0 ? .atrMultiple(v) : nil }
    if let v = try positive("take_pct") { c.takeProfit = v > 0 ? .fraction(v) : nil }
    if let risk = try positive("risk"), risk > 0 { c.sizing = .fixedFractional(risk: risk, atrMultiple: try positive("risk_atr") ?? 2) }
    if let v = try positive("vol_target"), v > 0 { c.sizing = .volatilityTarget(annualVolatility: v) }
    if let v = try positive("max_position") { c.limits.maxPositionFraction = v }
    if let v = try positive("max_leverage") { c.limits.maxLeverage = v }
    if let v = try positive("max_units") { c.limits.maxUnits = v }
    if let v = try positive("risk_per_trade") { c.risk.maxRiskPerTrade = v > 0 ? v : nil }
    if let v = try positive("max_dd") {
      guard v < 1 else { throw .invalidParameter(name: "max_dd", reason: "must be below 1 (a fraction of the peak), was \(v)") }
      c.risk.maxDrawdown = v > 0 ? v : nil
    }
    if let v = try positive("dd_resume_bars") { c.risk.resume = .afterBars(Int(v)) }
    if let v = try positive("dd_resume_recovery") { c.risk.resume = .recovery(v) }
    return c
  }
}
