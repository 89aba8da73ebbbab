import KairosBacktest
import KairosCore
import KairosIO

/// The tear-sheet part of a report page, shared by `kairos report`, the daily reports of a paper
/// session and its dashboard: headline figures; equity against the benchmark; the underwater
/// curve against the halt level; rolling 6- and 12-month Sharpe and volatility; the five worst
/// drawdowns; monthly and yearly returns; the distribution of returns with VaR and CVaR; the
/// metrics beside the benchmark's with alpha, beta and the information ratio; the trade list.
/// Numbers are formatted for people; the CSV and JSON files keep full precision.
public struct PerformanceSections: Sendable {
  public var timestamps: [Int64], returns: [Double], equity: [Double]
  /// The benchmark's returns over the same bars and what it is ("buy-and-hold AAPL").
  public var benchmark: (name: String, returns: [Double])?
  public var periodsPerYear: Double
  public var initialCapital: Double
  /// The drawdown halt level (a positive fraction), drawn on the underwater curve.
  public var haltLevel: Double?
  /// The engine's metrics (docs/DESIGN.md §5), by name; nil: computed from the returns alone.
  public var metrics: [String: Double]?
  /// `trades.csv` (the §8 columns), shown as the trade list.
  public var trades: CSVTable?

  public init(timestamps: [Int64], returns: [Double], equity: [Double], benchmark: (name: String, returns: [Double])?, periodsPerYear: Double,
              initialCapital: Double, haltLevel: Double? = nil, metrics: [String: Double]? = nil, trades: CSVTable? = nil) {
    self.timestamps = timestamps; self.returns = returns; self.equity = equity; self.benchmark = benchmark; self.periodsPerYear = periodsPerYear
    self.initialCapital = initialCapital; self.haltLevel = haltLevel; self.metrics = metrics; self.trades = trades
  }

  /// The strategy's and the benchmark's equity from the same capital (benchmark second).
  public var equitySeries: [SVGLineChart.Series] {
    var series = [SVGLineChart.Series(name: "strategy", values: equity)]
    if let benchmark {
      var e = initialCapital
      series.append(.init(name: benchmark.name, values: benchmark.returns.map { e *= 1 + $0; return e }))
    }
    return series
  }

  /// The underwater curves (strategy, benchmark) and the halt level as chart series.
  public var underwaterSeries: [SVGLineChart.Series] {
    [.init(name: "strategy", values: TearSheet.underwater(returns))]
      + (benchmark.map { [.init(name: $0.name, values: TearSheet.underwater($0.returns))] } ?? [])
      + (haltLevel.map { h in [.init(name: "halt level", values: [Double](repeating: -h, count: returns.count))] } ?? [])
  }

  /// What a quantstats tearsheet adds to the metrics: the shape of the distribution, the best
  /// and worst bar, month and year, the share of positive bars (of those not flat) and months,
  /// the longest time under water, the recovery factor and the tail ratio, as people read them.
  static func moreStatistics(_ timestamps: [Int64], _ returns: [Double]) -> [(String, String)] {
    let (yearly, monthly) = TearSheet.calendarReturns(timestamps, returns)
    let moments = TearSheet.moments(returns)
    let moving = returns.filter { $0 != 0 }
    let uw = TearSheet.underwater(returns)
    var longest = 0, run = 0
    for v in uw { run = v < 0 ? run + 1 : 0; longest = Swift.max(longest, run) }
    let growth = returns.reduce(1.0) { $0 * (1 + $1) } - 1, deepest = uw.min() ?? 0
    let sorted = returns.sorted()
    func quantile(_ q: Double) -> Double {
      guard !sorted.isEmpty else { return .nan }
      let h = q * Double(sorted.count - 1), lo = Int(h), hi = Swift.min(lo + 1, sorted.count - 1)
      return sorted[lo] + (h - Double(lo)) * (sorted[hi] - sorted[lo])
    }
    func share(_ x: [Double]) -> String { x.isEmpty ? "—" : HumanNumber.percent(Double(x.filter { $0 > 0 }.count) / Double(x.count), digits: 1) }
    return [("Skew", HumanNumber.fixed(moments.skew)), ("Kurtosis (excess)", HumanNumber.fixed(moments.kurtosis)),
            ("Best bar", HumanNumber.percent(returns.max() ?? .nan)), ("Worst bar", HumanNumber.percent(returns.min() ?? .nan)),
            ("Best month", HumanNumber.percent(monthly.map(\.value).max() ?? .nan)), ("Worst month", HumanNumber.percent(monthly.map(\.value).min() ?? .nan)),
            ("Best year", HumanNumber.percent(yearly.map(\.value).max() ?? .nan)), ("Worst year", HumanNumber.percent(yearly.map(\.value).min() ?? .nan)),
            ("Positive bars (of those not flat)", share(moving)), ("Positive months", share(monthly.map(\.value))),
            ("Longest under water (bars)", HumanNumber.grouped(longest)),
            ("Recovery factor (total return / max drawdown)", deepest < 0 ? HumanNumber.fixed(growth / -deepest) : "—"),
            ("Tail ratio (95th / 5th percentile)", HumanNumber.fixed(Swift.abs(quantile(0.95) / quantile(0.05))))]
  }

  public func append(to html: inout HTMLReport) {
    let summary = PerformanceSummary(returns: returns, periodsPerYear: periodsPerYear)
    let own = metrics ?? Dictionary(uniqueKeysWithValues: zip(Metrics.names, Metrics.values(summary)))
    let relative = benchmark.map { TearSheet.Relative(returns: returns, benchmark: $0.returns, periodsPerYear: periodsPerYear) }
    var cards = [("Total return", MetricDisplay.text("total_return", own["total_return"] ?? .nan)),
                 ("CAGR", MetricDisplay.text("cagr", own["cagr"] ?? .nan)),
                 ("Sharpe", MetricDisplay.text("sharpe", own["sharpe"] ?? .nan)),
                 ("Max drawdown", MetricDisplay.text("max_drawdown", own["max_drawdown"] ?? .nan)),
                 ("Volatility", MetricDisplay.text("volatility", own["volatility"] ?? .nan))]
    if let relative { cards += [("Alpha", HumanNumber.percent(relative.alpha)), ("Beta", HumanNumber.fixed(relative.beta))] }
    cards.append(("Final equity", HumanNumber.money(equity.last ?? initialCapital)))
    html.cards(cards)

    html.heading("Equity" + (benchmark.map { " against \($0.name)" } ?? ""))
    html.raw(SVGLineChart(logarithmic: true).render(series: equitySeries, timestamps: timestamps, title: "Equity (log scale)"))
    html.heading("Underwater")
    html.raw(SVGLineChart(percentAxis: true).render(series: underwaterSeries, timestamps: timestamps, title: "Drawdown from the peak"))

    html.heading("Rolling Sharpe and volatility")
    let windows = [(label: "6 months", bars: Int((periodsPerYear / 2).rounded())), (label: "12 months", bars: Int(periodsPerYear.rounded()))]
    let rolled = windows.filter { $0.bars >= 2 && $0.bars <= returns.count }.map { w in (w, TearSheet.rolling(returns, window: w.bars, periodsPerYear: periodsPerYear)) }
    if rolled.isEmpty {
      html.paragraph("Fewer bars (\(HumanNumber.grouped(returns.count))) than six months (\(HumanNumber.grouped(windows[0].bars)) bars): no rolling window yet.")
    } else {
      html.raw(SVGLineChart().render(series: rolled.map { .init(name: "\($0.0.label) (\(HumanNumber.grouped($0.0.bars)) bars)", values: $0.1.sharpe) },
                                     timestamps: timestamps, title: "Rolling Sharpe"))
      html.raw(SVGLineChart(percentAxis: true).render(series: rolled.map { .init(name: "\($0.0.label)", values: $0.1.volatility) },
                                     timestamps: timestamps, title: "Rolling volatility (annualized)"))
    }

    html.heading("Worst drawdowns")
    let dateOnly = timestamps.allSatisfy { $0 % UTCCalendar.nanosecondsPerDay == 0 }
    func time(_ t: Int?) -> String { t.map { UTCCalendar.iso8601(timestamps[$0], dateOnly: dateOnly) } ?? "" }
    let worst = TearSheet.worstDrawdowns(returns, top: 5)
    if worst.isEmpty { html.paragraph("The equity never fell below a peak.") }
    else {
      html.table(header: ["#", "start (peak)", "valley", "recovery", "depth", "length (bars)", "calendar days"], rows: worst.enumerated().map { k, d in
        let end = timestamps[d.recovery ?? timestamps.count - 1], start = d.peak.map { timestamps[$0] } ?? timestamps[0]
        return [String(k + 1), d.peak == nil ? "the start" : time(d.peak), time(d.valley), d.recovery == nil ? "not recovered" : time(d.recovery),
                HumanNumber.percent(d.depth), HumanNumber.grouped(d.length), HumanNumber.grouped(Int((end - start) / UTCCalendar.nanosecondsPerDay))]
      })
    }

    html.heading("Monthly and yearly returns")
    html.raw(ReportCharts.monthlyReturns(timestamps, returns))
    let years = TearSheet.calendarReturns(timestamps, returns).yearly
    let benchmarkYears = benchmark.map { TearSheet.calendarReturns(timestamps, $0.returns).yearly }
    html.table(header: ["year", "strategy"] + (benchmark.map { [$0.name, "difference"] } ?? []), rows: years.enumerated().map { k, y in
      [String(y.year), HumanNumber.percent(y.value)]
        + (benchmarkYears.map { [HumanNumber.percent($0[k].value), HumanNumber.percent(y.value - $0[k].value)] } ?? [])
    })

    html.heading("Distribution of returns")
    html.raw(SVGHistogram().render(returns, markers: [.init(name: "VaR 95 %", value: summary.valueAtRisk), .init(name: "CVaR 95 %", value: summary.conditionalValueAtRisk)],
                                   title: "Returns per bar (\(HumanNumber.grouped(returns.count)) bars)"))

    html.heading("Metrics")
    let benchmarkSummary = benchmark.map { PerformanceSummary(returns: $0.returns, periodsPerYear: periodsPerYear) }
    let benchmarkMetrics = benchmarkSummary.map { Dictionary(uniqueKeysWithValues: zip(Metrics.names, Metrics.values($0))) }
    let tradeMetrics: Set<String> = ["win_rate", "profit_factor", "avg_win", "avg_loss", "expectancy", "trades", "exposure", "turnover"]
    var rows = Metrics.names.map { name in
      [MetricDisplay.label(name), MetricDisplay.text(name, own[name] ?? .nan)]
        + (benchmarkMetrics.map { [tradeMetrics.contains(name) ? "" : MetricDisplay.text(name, $0[name] ?? .nan)] } ?? [])
    }
    if let relative, let benchmark {
      rows += [["Alpha (annualized)", HumanNumber.percent(relative.alpha), ""], ["Beta", HumanNumber.fixed(relative.beta), ""],
               ["Correlation", HumanNumber.fixed(relative.correlation), ""],
               ["Information ratio (per bar)", HumanNumber.fixed(relative.informationRatio, digits: 3), ""],
               ["Information ratio (annualized)", HumanNumber.fixed(relative.informationRatio * periodsPerYear.squareRoot()), ""],
               ["Tracking error (annualized)", HumanNumber.percent(relative.trackingError), ""]]
      html.table(header: ["metric", "strategy", benchmark.name], rows: rows)
    } else {
      html.table(header: ["metric", "strategy"], rows: rows)
    }
    html.heading("More statistics")
    html.table(header: ["statistic", "strategy"] + (benchmark.map { [$0.name] } ?? []), rows: Self.moreStatistics(timestamps, returns).enumerated().map { k, row in
      [row.0, row.1] + (benchmark.map { [Self.moreStatistics(timestamps, $0.returns)[k].1] } ?? [])
    })
    html.paragraph("Annualized with \(HumanNumber.fixed(periodsPerYear, digits: periodsPerYear == periodsPerYear.rounded() ? 0 : 1)) periods a year; risk-free rate 0 (empyrical's conventions).")

    if let trades, !trades.rows.isEmpty {
      html.heading("Trades (\(HumanNumber.grouped(trades.rows.count)))")
      let shown = trades.rows.suffix(500)
      if shown.count < trades.rows.count { html.paragraph("The last 500; every trade is in trades.csv.") }
      let column = Dictionary(uniqueKeysWithValues: trades.header.enumerated().map { ($1, $0) })
      func cell(_ row: [String], _ name: String, _ show: (Double) -> String) -> String {
        guard let c = column[name] else { return "" }
        return Double(row[c]).map(show) ?? row[c]
      }
      html.table(header: (column["asset"] != nil ? ["asset"] : []) + ["entry", "exit", "entry price", "exit price", "units", "P&L", "return", "bars", "exit reason"],
                 rows: shown.map { row in
                   (column["asset"].map { [row[$0]] } ?? [])
                     + [column["entry_time"].map { row[$0] } ?? "", column["exit_time"].map { row[$0] } ?? "",
                        cell(row, "entry_price") { HumanNumber.fixed($0, digits: 4) }, cell(row, "exit_price") { HumanNumber.fixed($0, digits: 4) },
                        cell(row, "units") { HumanNumber.fixed($0, digits: $0 == $0.rounded() ? 0 : 4) }, cell(row, "pnl", HumanNumber.money),
                        cell(row, "return") { HumanNumber.percent($0) }, cell(row, "bars_held") { HumanNumber.grouped(Int($0)) },
                        column["exit_reason"].map { row[$0] } ?? ""]
                 })
    }
  }
}
