import Dispatch
import KairosCore
import KairosFeatures
import KairosFrame

/// An indicator a rule reads, identified by its parameters.
public enum IndicatorKey: Hashable, Sendable {
  case sma(Int), ema(Double), rsi(Int)
  case bollingerLower(Int, Double), bollingerMiddle(Int), bollingerUpper(Int, Double)
  /// Highest high / lowest low of the `w` bars before the current one.
  case previousHigh(Int), previousLow(Int)
  /// Percentile rank of ATR/close within the trailing lookback (volatility band filter).
  case volatilityRank(Int)
  case efficiencyRatio(Int), choppiness(Int)
}

/// One asset's indicators, each computed once and shared by every combination of a sweep
/// ("shared precomputation"). Filled by `prepare` before the fan-out, read-only afterwards.
public final class IndicatorCache: @unchecked Sendable {
  public let market: MarketSeries
  private var arrays: [IndicatorKey: UnsafeMutableBufferPointer<Double>] = [:]
  private lazy var bank = MovingAverageBank(market.frame["close"]!)
  /// Model probabilities on the asset's timeline (the `model` strategy).
  public var probabilities: Column<Double>?

  public init(market: MarketSeries) { self.market = market }

  deinit { release() }

  /// Frees every computed indicator (a sweep calls it when it is done with the asset).
  public func release() {
    for b in arrays.values { b.deallocate() }
    arrays = [:]
  }

  /// Computes every key not computed yet, on up to `threads` threads (each column is
  /// independent; the values do not depend on the thread count). Not thread-safe itself: call
  /// before fanning out.
  public func prepare(_ keys: some Sequence<IndicatorKey>, threads: Int = 1) {
    var missing: [IndicatorKey] = []
    for key in keys where arrays[key] == nil && !missing.contains(key) { missing.append(key) }
    guard !missing.isEmpty else { return }
    if missing.contains(where: { if case .sma = $0 { return true } else { return false } }) { _ = bank }  // built once, before the fan-out
    var computed = [UnsafeMutableBufferPointer<Double>?](repeating: nil, count: missing.count)
    computed.withUnsafeMutableBufferPointer { out in
      nonisolated(unsafe) let slots = out  // each iteration writes only its own slot
      let work = missing
      if threads <= 1 || work.count == 1 {
        for i in work.indices { slots[i] = compute(work[i]) }
      } else {
        DispatchQueue.concurrentPerform(iterations: work.count) { i in slots[i] = self.compute(work[i]) }
      }
    }
    for (key, buffer) in zip(missing, computed) { arrays[key] = buffer }
  }

  /// The values of a prepared indicator.
  public func values(_ key: IndicatorKey) -> UnsafePointer<Double> {
    guard let b = arrays[key] else { preconditionFailure("indicator \(key) was not prepared") }
    return UnsafePointer(b.baseAddress!)
  }

  private func compute(_ key: IndicatorKey) -> UnsafeMutableBufferPointer<Double> {
    let frame = market.frame
    let close = frame["close"]!, high = frame["high"]!, low = frame["low"]!
    let column: Column<Double>
    // Every column is the fold of the streaming state a live session steps bar by bar.
    switch key {
    // The bank gives `RollingMeanState`'s bits in O(1) per value (shared by every window).
    case let .sma(w): column = bank.movingAverage(window: w)
    case let .ema(span): column = close.streamed(EMAState(span: span))
    case let .rsi(w): column = close.streamed(RSIState(period: w))
    case let .bollingerMiddle(w): column = close.streamed(RollingMeanState(window: w))
    case let .bollingerLower(w, k), let .bollingerUpper(w, k):
      var bands = BollingerState(window: w, k: k)
      let lower: Bool = { if case .bollingerLower = key { return true } else { return false } }()
      column = Column(close.map { x in let b = bands.update(x); return lower ? b.lower : b.upper })
    case let .previousHigh(w): column = high.streamed(PreviousValue(RollingExtremumState(window: w, maximum: true)))
    case let .previousLow(w): column = low.streamed(PreviousValue(RollingExtremumState(window: w, maximum: false)))
    case let .volatilityRank(lookback): column = streamed(VolatilityRankState(lookback: lookback), high: high, low: low, close: close)
    case let .efficiencyRatio(w): column = close.streamed(EfficiencyRatioState(window: w))
    case let .choppiness(w): column = PriceBars.choppinessIndex(high: high, low: low, close: close, window: w)
    }
    let buffer = UnsafeMutableBufferPointer<Double>.allocate(capacity: column.count)
    _ = buffer.initialize(from: column)
    return buffer
  }
}
