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
  private lazy var bank = MovingAverageBank(Column(Array(market.close)))
  /// Model probabilities on the asset's timeline (the `model` strategy).
  public var probabilities: Column<Double>?

  public init(market: MarketSeries) { self.market = market }

  deinit { release() }

  /// Frees every computed indicator (a sweep calls it when it is done with the asset).
  public func release() {
    for b in arrays.values { b.deallocate() }
    arrays = [:]
  }

  /// Computes every key not computed yet. Not thread-safe: call before fanning out.
  public func prepare(_ keys: some Sequence<IndicatorKey>) {
    for key in keys where arrays[key] == nil { arrays[key] = compute(key) }
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
    switch key {
    case let .sma(w): column = bank.movingAverage(window: w)
    case let .ema(span): column = close.exponentialMovingAverage(span: span)
    case let .rsi(w): column = close.relativeStrengthIndex(period: w)
    case let .bollingerMiddle(w): column = close.rollingMean(window: w)
    case let .bollingerLower(w, k), let .bollingerUpper(w, k):
      let middle = close.rollingMean(window: w), variance = close.rollingVariance(window: w)
      let scale = Double(w - 1) / Double(w), sign: Double = { if case .bollingerLower = key { return -1 } else { return 1 } }()
      column = Column((0..<close.count).map { middle[$0] + sign * k * (variance[$0] * scale).squareRoot() })
    case let .previousHigh(w): column = high.rollingMax(window: w).lagged(1)
    case let .previousLow(w): column = low.rollingMin(window: w).lagged(1)
    case let .volatilityRank(lookback):
      let atr = PriceBars.averageTrueRange(high: high, low: low, close: close, period: 14)
      column = Column((0..<close.count).map { atr[$0] / close[$0] }).rollingPercentileRank(window: lookback)
    case let .efficiencyRatio(w): column = close.efficiencyRatio(window: w)
    case let .choppiness(w): column = PriceBars.choppinessIndex(high: high, low: low, close: close, window: w)
    }
    let buffer = UnsafeMutableBufferPointer<Double>.allocate(capacity: column.count)
    _ = buffer.initialize(from: column)
    return buffer
  }
}
