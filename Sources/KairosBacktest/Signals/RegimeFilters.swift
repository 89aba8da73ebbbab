/// The regime filters any strategy can take (common parameters `vol_lookback`/`vol_low`/
/// `vol_high`, `er_window`/`er_min`, `chop_window`/`chop_max`): while one of them fails, the
/// strategy's target is held flat. One definition for the precomputed gate of a backtest or
/// sweep and the bar-by-bar strategy of a live session.
public struct RegimeFilters: Sendable, Equatable {
  /// Trade only while the percentile rank of ATR/close within `lookback` bars is in `low...high`.
  public var volatilityLookback: Int?, volatilityLow = 0.0, volatilityHigh = 1.0
  /// Trade only while the efficiency ratio over `window` bars is at least `minimum`.
  public var efficiencyWindow: Int?, efficiencyMinimum = 0.3
  /// Trade only while the choppiness index over `window` bars is at most `maximum`.
  public var choppinessWindow: Int?, choppinessMaximum = 61.8

  /// The filters named in resolved strategy parameters.
  public init(_ p: [String: Double]) {
    volatilityLookback = p["vol_lookback"].map { Int($0) }
    volatilityLow = p["vol_low"] ?? 0; volatilityHigh = p["vol_high"] ?? 1
    efficiencyWindow = p["er_window"].map { Int($0) }
    efficiencyMinimum = p["er_min"] ?? 0.3
    choppinessWindow = p["chop_window"].map { Int($0) }
    choppinessMaximum = p["chop_max"] ?? 61.8
  }

  public var isEmpty: Bool { volatilityLookback == nil && efficiencyWindow == nil && choppinessWindow == nil }

  /// Whether the filters allow trading with these indicator values (a filter that is off
  /// ignores its value; an unknown value, `NaN`, fails its filter).
  @inline(__always)
  public func allows(volatilityRank rank: Double, efficiencyRatio er: Double, choppiness chop: Double) -> Bool {
    if volatilityLookback != nil && !(rank >= volatilityLow && rank <= volatilityHigh) { return false }
    if efficiencyWindow != nil && !(er >= efficiencyMinimum) { return false }
    if choppinessWindow != nil && !(chop <= choppinessMaximum) { return false }
    return true
  }
}
