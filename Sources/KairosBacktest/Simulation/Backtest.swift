import KairosCore
import KairosFrame

/// What one backtest produced: the resolved parameters, every order, trade and bar, and the
/// metrics' summary (`Metrics.values(summary)` gives docs/DESIGN.md §5 in order).
public struct BacktestResult: Sendable {
  /// The strategy's parameters with defaults filled in (and the common ones given).
  public let parameters: [String: Double]
  public let recording: FullRecording
  public let summary: PerformanceSummary
  public let market: MarketSeries

  public init(parameters: [String: Double], recording: FullRecording, summary: PerformanceSummary, market: MarketSeries) {
    self.parameters = parameters; self.recording = recording; self.summary = summary; self.market = market
  }

  /// The files of docs/DESIGN.md §8 (`equity.csv`, `trades.csv`, `orders.csv`, `metrics.json`).
  public func files() throws(FrameError) -> [(String, [UInt8])] {
    try BacktestFiles.files(market: market, recording: recording, summary: summary)
  }
}

/// One call: the backtest of `strategy` with `parameters` (strategy and common ones, e.g.
/// `["fast": 10, "slow": 50, "stop_atr": 2]`) on `market` — what `kairos backtest` does.
/// `probabilities` on the market's timeline feed the `model` strategy.
///
/// - Throws: `BacktestError` for an unknown or invalid parameter, or the model strategy
///   without probabilities.
public func backtest(_ strategy: StrategyKind, parameters: [String: Double] = [:], on market: MarketSeries,
                     configuration: BacktestConfiguration = BacktestConfiguration(), confirmation: BarInterval? = nil,
                     probabilities: Column<Double>? = nil) throws(BacktestError) -> BacktestResult {
  let runner = StrategyRunner(kind: strategy, configuration: configuration.resolved(for: market.timestamps), confirmation: confirmation)
  let p = try runner.resolve(parameters)
  try runner.checkWindows(p, bars: market.count, asset: market.name)
  let cache = IndicatorCache(market: market)
  cache.probabilities = probabilities
  cache.prepare(runner.indicators(p))
  var recording = FullRecording()
  var accumulator = PerformanceAccumulator(initialEquity: configuration.initialCapital, periodsPerYear: runner.configuration.annualization(for: market.timestamps),
                                           capacity: market.count)
  let summary = try runner.run(p, cache: cache, accumulator: &accumulator, recorder: &recording)
  return BacktestResult(parameters: p, recording: recording, summary: summary, market: market)
}
