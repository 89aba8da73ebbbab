import KairosCore
import KairosFrame

/// The options the portfolio engine does not implement; a run that names one is refused rather
/// than silently run without it.
public let portfolioUnsupportedParameters: Set<String> = [
  "take_atr", "take_pct", "risk", "risk_atr", "vol_target", "max_position", "max_leverage", "max_units",
  "vol_lookback", "vol_low", "vol_high", "er_window", "er_min", "chop_window", "chop_max",
]

/// What a portfolio backtest produced: the resolved parameters, the aligned markets and the run.
public struct PortfolioResult: Sendable {
  public let parameters: [String: Double]
  /// The assets on the union of their timestamps (the run's bars).
  public let markets: [MarketSeries]
  public let run: PortfolioRun

  /// The files of docs/DESIGN.md §8 with an `asset` column.
  public func files() throws(FrameError) -> [(String, [UInt8])] { try BacktestFiles.files(markets: markets, run: run) }
}

/// One call: `strategy` with `parameters` on several assets sharing one cash account — what
/// `kairos portfolio` does. The assets are aligned on the union of their timestamps (a missing
/// bar never fills); each asset's targets come from its own indicators.
///
/// - Parameters:
///   - positionFraction: each entry's value as a fraction of equity (`nil`: 1 / assets).
///   - maxGrossExposure: Σ |position value| / equity allowed after an entry.
/// - Throws: `BacktestError` for fewer than two assets, the model strategy, a fill other than
///   the next open, an unsupported or invalid parameter.
public func portfolioBacktest(_ strategy: StrategyKind, parameters: [String: Double] = [:], on markets: [MarketSeries],
                              configuration: BacktestConfiguration = BacktestConfiguration(),
                              positionFraction: Double? = nil, maxGrossExposure: Double = 1) throws(BacktestError) -> PortfolioResult {
  try checkPortfolioSettings(strategy, parameters: parameters, assets: markets.count, configuration: configuration,
                             positionFraction: positionFraction, maxGrossExposure: maxGrossExposure)
  let runner = StrategyRunner(kind: strategy, configuration: configuration)
  let p = try runner.resolve(parameters)
  for market in markets { try runner.checkWindows(p, bars: market.count, asset: market.name) }
  let aligned = Frame.align(markets.map(\.frame), join: .outer)
  var series: [MarketSeries] = []
  var targets: [[Int8]] = []
  for (market, frame) in zip(markets, aligned) {
    // The aligned frame has the columns of a valid market: only a new index, so this cannot fail.
    guard let m = try? MarketSeries(name: market.name, frame: frame) else { throw .unsupported("cannot align \(market.name)") }
    let cache = IndicatorCache(market: m)
    cache.prepare(runner.indicators(p))
    series.append(m)
    targets.append(try runner.targets(p, cache: cache))
  }
  var portfolio = PortfolioConfiguration()
  portfolio.base = try configuration.applying(p)
  portfolio.positionFraction = positionFraction
  portfolio.maxGrossExposure = maxGrossExposure
  return PortfolioResult(parameters: p, markets: series, run: try PortfolioSimulator.run(markets: series, targets: targets, configuration: portfolio))
}

/// What the portfolio engine refuses, checked once for the backtest and the live session.
public func checkPortfolioSettings(_ strategy: StrategyKind, parameters: [String: Double], assets: Int, configuration: BacktestConfiguration,
                                   positionFraction: Double?, maxGrossExposure: Double) throws(BacktestError) {
  guard assets >= 2 else { throw .unsupported("a portfolio needs at least two assets") }
  guard strategy != .model else { throw .unsupported("the portfolio engine runs rule strategies; the model strategy is not supported there yet") }
  guard configuration.fill == .nextOpen else { throw .unsupported("the portfolio engine fills at the next open only") }
  if let f = positionFraction, !(f > 0 && f.isFinite) { throw .invalidParameter(name: "position_fraction", reason: "must be positive, was \(f)") }
  guard maxGrossExposure > 0 && maxGrossExposure.isFinite else {
    throw .invalidParameter(name: "max_gross", reason: "must be positive, was \(maxGrossExposure)")
  }
  if let refused = parameters.keys.filter(portfolioUnsupportedParameters.contains).sorted().first {
    throw .unsupported("parameter \(refused) is not supported by the portfolio engine (supported: the strategy's own, "
                       + "fee, fixed_fee, slippage, impact, stop_atr, stop_pct, risk_per_trade, max_dd, dd_resume_bars, dd_resume_recovery)")
  }
}
