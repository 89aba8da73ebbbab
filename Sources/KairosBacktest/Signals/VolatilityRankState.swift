import KairosFeatures

/// The volatility filter's input: the percentile rank of ATR(14) / close within the trailing
/// `lookback` bars, on forward-filled prices like the engine's own ATR (TA-Lib's ATR turns
/// `NaN` for good at the first missing bar, which would close the filter for the rest of the
/// history). A bar without a close has no rank. The ATR part is recursive (see
/// `StreamingIndicator`).
public struct VolatilityRankState: StreamingIndicator {
  var atr = ATRState(period: 14)
  var rank: RollingPercentileRankState
  var last = HighLowClose(high: .nan, low: .nan, close: .nan)
  public init(lookback: Int) { rank = RollingPercentileRankState(window: lookback) }
  public mutating func update(_ b: HighLowClose) -> Double {
    if !b.high.isNaN { last.high = b.high }
    if !b.low.isNaN { last.low = b.low }
    if !b.close.isNaN { last.close = b.close }
    let a = atr.update(last)
    return rank.update(b.close.isNaN ? .nan : a / b.close)
  }
}
