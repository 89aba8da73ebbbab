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
    // One pass over the map's entries (a few), not a lookup of each of the two dozen names:
    // a sweep applies every combination's map, and each lookup hashes a string.
    var given = EngineParameters()
    for (name, value) in values { given.set(name, value) }
    var c = self
    func positive(_ name: String, _ value: Double?) throws(BacktestError) -> Double? {
      guard let v = value else { return nil }
      guard v >= 0, v.isFinite else { throw .invalidParameter(name: name, reason: "must be a finite number >= 0, was \(v)") }
      return v
    }
    func fraction(_ name: String, _ value: Double?) throws(BacktestError) {
      if let v = value, !(v >= 0 && v < 1) { throw .invalidParameter(name: name, reason: "must be a fraction in [0, 1) (0.001 = 10 bp), was \(v)") }
    }
    try fraction("fee", given.fee)
    try fraction("slippage", given.slippage)
    if let v = try positive("fee", given.fee) { c.fee = v }
    if let v = try positive("fixed_fee", given.fixedFee) { c.fixedFee = v }
    if let v = try positive("slippage", given.slippage) { c.slippage = v }
    if let v = try positive("lot_size", given.lotSize) { c.lotSize = v > 0 ? v : nil }
    if let v = given.trigger {
      guard v == 0 || v == 1 else { throw .invalidParameter(name: "trigger", reason: "must be 0 (level) or 1 (cross), was \(v)") }
      c.trigger = v == 1 ? .cross : .level
    }
    if let v = try positive("impact", given.impact) { c.impact = v }
    if let v = try positive("stop_atr", given.stopATR) { c.stopLoss = v > 0 ? .atrMultiple(v) : nil }
    if let v = try positive("stop_pct", given.stopPercent) { c.stopLoss = v > 0 ? .fraction(v) : nil }
    if let v = try positive("take_atr", given.takeATR) { c.takeProfit = v > 0 ? .atrMultiple(v) : nil }
    if let v = try positive("take_pct", given.takePercent) { c.takeProfit = v > 0 ? .fraction(v) : nil }
    if let risk = try positive("risk", given.risk), risk > 0 {
      c.sizing = .fixedFractional(risk: risk, atrMultiple: try positive("risk_atr", given.riskATR) ?? 2)
    }
    if let v = try positive("vol_target", given.volatilityTarget), v > 0 { c.sizing = .volatilityTarget(annualVolatility: v) }
    if let v = try positive("max_position", given.maxPosition) { c.limits.maxPositionFraction = v }
    if let v = try positive("max_leverage", given.maxLeverage) { c.limits.maxLeverage = v }
    if let v = try positive("max_units", given.maxUnits) { c.limits.maxUnits = v }
    if let v = try positive("risk_per_trade", given.riskPerTrade) { c.risk.maxRiskPerTrade = v > 0 ? v : nil }
    if let v = try positive("max_dd", given.maxDrawdown) {
      guard v < 1 else { throw .invalidParameter(name: "max_dd", reason: "must be below 1 (a fraction of the peak), was \(v)") }
      c.risk.maxDrawdown = v > 0 ? v : nil
    }
    if let v = try positive("dd_resume_bars", given.resumeBars) { c.risk.resume = .afterBars(Int(v)) }
    if let v = try positive("dd_resume_recovery", given.resumeRecovery) { c.risk.resume = .recovery(v) }
    return c
  }
}

/// The common parameters `BacktestConfiguration.applying` reads, picked out of a parameter
/// map in one pass (any other name is left to the strategy and the filters).
struct EngineParameters {
  var fee, fixedFee, slippage, lotSize, trigger, impact, stopATR, stopPercent, takeATR, takePercent: Double?
  var risk, riskATR, volatilityTarget, maxPosition, maxLeverage, maxUnits, riskPerTrade, maxDrawdown: Double?
  var resumeBars, resumeRecovery: Double?

  mutating func set(_ name: String, _ value: Double) {
    switch name {
    case "fee": fee = value
    case "fixed_fee": fixedFee = value
    case "slippage": slippage = value
    case "lot_size": lotSize = value
    case "trigger": trigger = value
    case "impact": impact = value
    case "stop_atr": stopATR = value
    case "stop_pct": stopPercent = value
    case "take_atr": takeATR = value
    case "take_pct": takePercent = value
    case "risk": risk = value
    case "risk_atr": riskATR = value
    case "vol_target": volatilityTarget = value
    case "max_position": maxPosition = value
    case "max_leverage": maxLeverage = value
    case "max_units": maxUnits = value
    case "risk_per_trade": riskPerTrade = value
    case "max_dd": maxDrawdown = value
    case "dd_resume_bars": resumeBars = value
    case "dd_resume_recovery": resumeRecovery = value
    default: break
    }
  }
}
