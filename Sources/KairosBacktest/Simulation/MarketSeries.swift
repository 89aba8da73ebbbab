import KairosCore
import KairosFeatures
import KairosFrame
import Synchronization

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
  /// Each bar's reach down and up, its open included (`BarPrices.lowReach`, `highReach`): the
  /// columns the engine's quiet loop tests stop and target levels against, one load and one
  /// comparison per side and bar.
  public let lowReach: UnsafeMutableBufferPointer<Double>
  public let highReach: UnsafeMutableBufferPointer<Double>
  /// Whether every bar has a close: the engine's quiet loops then mark with it without
  /// looking back for the last valid one.
  public let closesComplete: Bool
  /// ATR(14), TA-Lib convention (stop distances, fixed-fractional sizing). The engine's
  /// indicators are the fold of `DecisionInputsState` (forward-filled prices, causal).
  public let atr: UnsafeMutableBufferPointer<Double>
  /// Sample standard deviation of close-to-close returns over 20 bars (impact, volatility
  /// target). Valid only after `prepareImpactInputs(for:)` with a configuration that reads it:
  /// most runs never do, and its pages are never touched.
  public let sigma20: UnsafeMutableBufferPointer<Double>
  /// Mean volume over 20 bars (impact). Valid only after `prepareImpactInputs(for:)`.
  public let averageVolume20: UnsafeMutableBufferPointer<Double>
  /// Whether `sigma20` and `averageVolume20` are filled (the lock orders the writes before
  /// every reader that asked).
  let impactInputsReady = Mutex(false)
  /// The source frame (strategies compute their indicators from it).
  public let frame: Frame

  /// - Throws: `FrameError.columnNotFound` when an OHLCV column is missing;
  ///   `FrameError.invalidArgument` for a price at or below zero or a negative volume (missing
  ///   values are `NaN` and allowed: a bar without a price never fills).
  /// - Parameter checked: refuse the bars `kairos data check` calls unusable (`BarProblems`).
  ///   Only frames derived here from checked data (the coarse bars of a confirmation, whose
  ///   aggregates of partly missing bars need not be consistent) skip it.
  public init(name: String, frame: Frame, checked: Bool = true) throws(FrameError) {
    // The bars `kairos data check` calls unusable are refused here, by the same rule.
    let (o, h, l, cl, v) = (try frame.column("open"), try frame.column("high"), try frame.column("low"), try frame.column("close"), try frame.column("volume"))
    for row in 0..<(checked ? frame.rowCount : 0) {
      let problems = BarProblems.of(open: o[row], high: h[row], low: l[row], close: cl[row], volume: v[row])
      guard !problems.isEmpty, let first = problems.firstDescription else { continue }
      let stamp = UTCCalendar.iso8601(frame.index[row], dateOnly: frame.index.isDateOnly)
      throw .invalidArgument(name: "data", reason: "\(name): data row \(row + 1) (\(stamp)) has \(first) (open \(o[row]), high \(h[row]), low \(l[row]), "
                             + "close \(cl[row]), volume \(v[row])); kairos data check lists every such row")
    }
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
    closesComplete = !c.contains { $0.isNaN }
    volume = buffer(try frame.column("volume"))
    lowReach = .allocate(capacity: count); highReach = .allocate(capacity: count)
    for t in 0..<count {
      lowReach[t] = BarPrices.lowReach(open: open[t], low: low[t])
      highReach[t] = BarPrices.highReach(open: open[t], high: high[t])
    }
    atr = .allocate(capacity: count); sigma20 = .allocate(capacity: count); averageVolume20 = .allocate(capacity: count)
    // The fold of the engine's streaming state: the values a live session computes bar by bar.
    var state = DecisionInputsState(impactInputs: false)
    for t in 0..<count { atr[t] = state.update(bar(t)).atr }
  }

  func bar(_ t: Int) -> OHLCVBar { OHLCVBar(open: open[t], high: high[t], low: low[t], close: close[t], volume: volume[t]) }

  /// Computes σ₂₀ and ADV₂₀ (the same fold of `DecisionInputsState`) unless done already; safe
  /// to call from several threads. The engine's drivers call it when `configuration` reads them.
  public func prepareImpactInputs(for configuration: BacktestConfiguration) {
    guard configuration.readsImpactInputs else { return }
    impactInputsReady.withLock { ready in
      guard !ready else { return }
      var state = DecisionInputsState()
      for t in 0..<count {
        let inputs = state.update(bar(t))
        sigma20[t] = inputs.sigma20; averageVolume20[t] = inputs.averageVolume20
      }
      ready = true
    }
  }

  deinit {
    for b in [open, high, low, close, volume, lowReach, highReach, atr, sigma20, averageVolume20] { b.deallocate() }
  }
}
