import KairosCore
import KairosFeatures
import KairosFrame

/// One asset's bars in the form the engine reads: contiguous buffers it can walk with plain
/// pointers, plus the indicators every option may need, computed once per asset.
///
/// A final class so the buffers are shared, never copied, by every combination of a sweep
/// (read-only after `init`, hence `Sendable`).
public final class MarketSeries: @unchecked Sendable {
  public let name: String
  public let timestamps: [Int64]
  public let count: Int
  public let open: UnsafeMutableBufferPointer<Double>
  public let high: UnsafeMutableBufferPointer<Double>
  public let low: UnsafeMutableBufferPointer<Double>
  public let close: UnsafeMutableBufferPointer<Double>
  public let volume: UnsafeMutableBufferPointer<Double>
  /// ATR(14), TA-Lib convention (stop distances, fixed-fractional sizing). The engine's
  /// indicators are computed on forward-filled prices (causal), so one missing bar does not
  /// leave them `NaN` for the rest of the history.
  public let atr: UnsafeMutableBufferPointer<Double>
  /// Sample standard deviation of close-to-close returns over 20 bars (impact, volatility target).
  public let sigma20: UnsafeMutableBufferPointer<Double>
  /// Mean volume over 20 bars (impact).
  public let averageVolume20: UnsafeMutableBufferPointer<Double>
  /// The source frame (strategies compute their indicators from it).
  public let frame: Frame

  /// - Throws: `FrameError.columnNotFound` when an OHLCV column is missing.
  public init(name: String, frame: Frame) throws(FrameError) {
    self.name = name
    self.frame = frame
    count = frame.rowCount
    timestamps = Array(frame.index.timestamps)
    func buffer(_ column: Column<Double>) -> UnsafeMutableBufferPointer<Double> {
      let b = UnsafeMutableBufferPointer<Double>.allocate(capacity: column.count)
      _ = b.initialize(from: column)
      return b
    }
    let c = try frame.column("close")
    open = buffer(try frame.column("open"))
    high = buffer(try frame.column("high"))
    low = buffer(try frame.column("low"))
    close = buffer(c)
    volume = buffer(try frame.column("volume"))
    let filledHigh = try frame.column("high").forwardFilled(), filledLow = try frame.column("low").forwardFilled()
    let filledClose = c.forwardFilled()
    atr = buffer(PriceBars.averageTrueRange(high: filledHigh, low: filledLow, close: filledClose, period: 14))
    sigma20 = buffer(filledClose.returns(periods: 1).rollingStandardDeviation(window: 20))
    averageVolume20 = buffer(try frame.column("volume").forwardFilled().rollingMean(window: 20))
  }

  deinit {
    for b in [open, high, low, close, volume, atr, sigma20, averageVolume20] { b.deallocate() }
  }
}
