import Foundation
import KairosBacktest
import KairosCore
import KairosFrame
import KairosIO
import KairosReports

/// Several strategies side by side with buy-and-hold on the same data and costs — what
/// `kairos compare` computes. Every metric of docs/DESIGN.md §5 per strategy, plus alpha, beta,
/// information ratio and tracking error against the benchmark (empyrical conventions: CAPM on
/// per-bar returns, alpha annualized, the information ratio per bar).
public struct StrategyComparison: Sendable {
  /// One strategy of the comparison.
  public struct Entry: Sendable {
    public var name: String
    public var strategy: StrategyKind
    public var parameters: [String: Double]
    /// The model strategy's probabilities (nil for a rule strategy).
    public var probabilities: ProbabilitySource?

    public init(name: String, strategy: StrategyKind, parameters: [String: Double] = [:], probabilities: ProbabilitySource? = nil) {
      self.name = name; self.strategy = strategy; self.parameters = parameters; self.probabilities = probabilities
    }
  }

  /// The columns of `comparison.csv`.
  public static let header = ["strategy"] + Metrics.names + ["alpha", "beta", "information_ratio", "tracking_error"]

  /// `buy-and-hold` first, then the entries in order.
  public let names: [String]
  public let results: [BacktestResult]
  /// One row per strategy in `header`'s order (name, then numbers).
  public let rows: [[Double]]
  public let configuration: BacktestConfiguration
  public let prices: Frame
  public let dataName: String

  /// Runs buy-and-hold (long from the first fill on, with the same costs) and every entry on
  /// `prices`.
  ///
  /// - Throws: `BacktestError` for an invalid parameter, the errors of a probability source.
  public init(_ entries: [Entry], on prices: Frame, name: String, configuration: BacktestConfiguration) throws {
    let market = try MarketSeries(name: name, frame: prices)
    let configuration = configuration.resolved(for: market.timestamps)
    var results = [try buyAndHold(on: market, configuration: configuration)]
    for entry in entries {
      results.append(try backtest(entry.strategy, parameters: entry.parameters, on: market, configuration: configuration,
                                  probabilities: try entry.probabilities?.probabilities(on: prices)))
    }
    let b = results[0].recording.returns, P = configuration.annualization(for: market.timestamps)
    rows = results.map { r in
      let returns = r.recording.returns
      return Metrics.values(r.summary) + [Alpha.value(returns: returns, benchmark: b, periodsPerYear: P), Beta.value(returns: returns, benchmark: b),
                                          InformationRatio.value(returns: returns, benchmark: b), TrackingError.value(returns: returns, benchmark: b, periodsPerYear: P)]
    }
    names = ["buy-and-hold"] + entries.map(\.name)
    self.results = results
    self.configuration = configuration
    self.prices = prices
    dataName = name
  }

  /// `comparison.csv`, `equity.csv` (one column per strategy) and `comparison.html` (the table
  /// and an equity chart, self-contained).
  public func files() throws -> [(String, [UInt8])] {
    let f = CSVWriter.format, c = configuration
    var equity = Frame(index: prices.index)
    for (name, r) in zip(names, results) { try equity.setColumn(ColumnNames.normalize(name), Column(r.recording.equity)) }
    var report = HTMLReport(title: "Strategy comparison: \(dataName)")
    report.paragraph("Fee \(f(c.fee)), slippage \(f(c.slippage)), fills at the \(c.fill.rawValue), capital \(f(c.initialCapital)). Benchmark: buy-and-hold with the same costs.")
    report.heading("Equity")
    report.raw(SVGLineChart(logarithmic: true).render(series: zip(names, results).map { .init(name: $0, values: $1.recording.equity) },
                                                      timestamps: Array(prices.index.timestamps), title: "Equity (log scale)"))
    report.heading("Metrics")
    let shown = ["total_return", "cagr", "volatility", "sharpe", "sortino", "max_drawdown", "trades", "exposure", "alpha", "beta", "information_ratio", "tracking_error"]
    let indexes = shown.map { Self.header.firstIndex(of: $0)! - 1 }
    report.table(header: ["strategy"] + shown, rows: zip(names, rows).map { name, row in [name] + indexes.map { f(row[$0]) } })
    return [
      ("comparison.csv", TableWriter.encode(header: Self.header, rows: zip(names, rows).map { [$0] + $1.map(f) })),
      ("equity.csv", CSVWriter.encode(equity)),
      ("comparison.html", Array(report.html.utf8)),
    ]
  }
}

/// The benchmark: long from the first fill on, with the same costs as the strategies.
func buyAndHold(on market: MarketSeries, configuration: BacktestConfiguration) throws(BacktestError) -> BacktestResult {
  let always = [Int8](repeating: 1, count: market.count)
  var recording = FullRecording()
  var accumulator = PerformanceAccumulator(initialEquity: configuration.initialCapital, periodsPerYear: configuration.annualization(for: market.timestamps), capacity: market.count)
  let summary = always.withUnsafeBufferPointer { d in
    var rule = ArraySignal(direction: d.baseAddress!)
    return Simulator.run(market: market, rule: &rule, configuration: configuration, accumulator: &accumulator, recorder: &recording)
  }
  return BacktestResult(parameters: [:], recording: recording, summary: summary, market: market)
}
