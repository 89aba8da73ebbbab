import KairosFeatures

/// One bar of OHLCV as it arrives (`NaN` where missing).
public struct OHLCVBar: Sendable, Equatable {
  public var open: Double, high: Double, low: Double, close: Double, volume: Double
  public init(open: Double, high: Double, low: Double, close: Double, volume: Double) {
    self.open = open; self.high = high; self.low = low; self.close = close; self.volume = volume
  }
  public var prices: BarPrices { BarPrices(open: open, high: high, low: low, close: close) }
}

/// The engine's own indicators, bar by bar: ATR(14) (TA-Lib), σ₂₀ (sample standard deviation of
/// 20 close-to-close returns) and ADV₂₀ (mean volume of 20 bars), computed on forward-filled
/// prices and volumes so that one missing bar does not leave them `NaN` for the rest of the
/// history. `MarketSeries` folds this state over a whole history; a live session steps it per
/// bar: the same `DecisionInputs`, bit for bit.
///
/// History: σ₂₀ and ADV₂₀ are finite-window (21 and 20 bars); the ATR is recursive (Wilder),
/// so a session that must match a backtest's ATR-based stops and sizing carries this state
/// from the backtest's first bar.
public struct DecisionInputsState: Sendable {
  var lastHigh = Double.nan, lastLow = Double.nan, lastClose = Double.nan, lastVolume = Double.nan
  var atr = ATRState(period: 14)
  var sigma = RollingDeviationState(window: 20, ddof: 1)
  var volume = RollingMeanState(window: 20)
  var previousClose = Double.nan, seen = false
  /// Whether σ₂₀ and ADV₂₀ are computed (they are `NaN` otherwise: only the impact model and
  /// volatility-target sizing read them).
  public let computesImpactInputs: Bool

  public init(impactInputs: Bool = true) { computesImpactInputs = impactInputs }

  public mutating func update(_ b: OHLCVBar) -> DecisionInputs {
    if !b.high.isNaN { lastHigh = b.high }
    if !b.low.isNaN { lastLow = b.low }
    if !b.close.isNaN { lastClose = b.close }
    if !b.volume.isNaN { lastVolume = b.volume }
    let a = atr.update(HighLowClose(high: lastHigh, low: lastLow, close: lastClose))
    let r = seen ? lastClose / previousClose - 1 : .nan
    previousClose = lastClose
    seen = true
    guard computesImpactInputs else { return DecisionInputs(atr: a, sigma20: .nan, averageVolume20: .nan) }
    return DecisionInputs(atr: a, sigma20: sigma.update(r), averageVolume20: volume.update(lastVolume))
  }
}
