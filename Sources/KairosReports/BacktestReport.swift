import Foundation
import KairosBacktest
import KairosCore
import KairosFrame
import KairosIO

/// The report of a backtest folder (`kairos backtest` or `kairos portfolio`: `equity.csv`,
/// `orders.csv`, `trades.csv`, `manifest.json` and the data files the manifest names) — what
/// `kairos report` writes:
/// - `daily.csv`: per bar P&L, return, equity, drawdown, exposed, trades closed;
/// - `sessions.csv`: the same per trading session of the data's calendar (one row per day for
///   daily bars; for intraday bars the NYSE day, the FX day rolling at 17:00 New York, or the
///   UTC day for 24×7): bars, P&L, return, closing equity and drawdown, the session's worst
///   drawdown, the share of bars exposed, trades closed;
/// - `reconciliation.csv`: the breaks between fills → positions → cash and the engine's
///   positions and equity (none expected);
/// - `exposure.csv`: gross and net exposure, drawdown against the halt level; for a portfolio
///   each asset's weight and the concentration;
/// - `report.html`: all of it on one self-contained page (inline SVG), with a sweep heatmap and
///   the walk-forward folds when given.
///
/// Reading the exported files rather than in-memory results keeps a report reproducible from
/// the run folder alone.
public struct BacktestReport: Sendable {
  public struct Options: Sendable {
    /// The drawdown halt level drawn against (e.g. 0.2); `nil`: the run's `max_dd`, if any.
    public var haltLevel: Double?
    /// A sweep's `results.csv`, drawn as a heatmap of `metric` over its first two parameters.
    public var sweepResults: String?
    public var metric = "sharpe"
    /// A `kairos walkforward` folder (`folds.csv`), charted per fold.
    public var walkForwardDirectory: String?
    /// A CSV with a `close` column whose buy-and-hold is the benchmark; `nil`: buy-and-hold of
    /// the run's own data (equal weights for a portfolio).
    public var benchmark: String?

    public init(haltLevel: Double? = nil, sweepResults: String? = nil, metric: String = "sharpe", walkForwardDirectory: String? = nil, benchmark: String? = nil) {
      self.haltLevel = haltLevel; self.sweepResults = sweepResults; self.metric = metric; self.walkForwardDirectory = walkForwardDirectory
      self.benchmark = benchmark
    }
  }

  /// The reconciliation's breaks (empty when fills, positions, cash and equity agree).
  public let breaks: [Reconciliation.Break]
  /// When the first break happened, as written in the files; nil without a break.
  public let firstBreak: String?
  /// `daily.csv`, `reconciliation.csv`, `exposure.csv`, `report.html`.
  public let files: [(String, [UInt8])]

  /// Reads the run folder at `runDirectory` and makes the report.
  ///
  /// - Throws: `ReportError` for a folder that is not a run folder or whose files disagree;
  ///   `CSVError` for a file that cannot be read.
  public init(runDirectory: String, options: Options = Options()) throws {
    func path(_ name: String) -> String { URL(fileURLWithPath: runDirectory).appendingPathComponent(name).path }
    guard let manifest = RunFolder.Manifest.read(directory: runDirectory) else { throw ReportError.notARunFolder(runDirectory) }
    guard let dataFile = manifest.data_files.first else { throw ReportError.inconsistent(file: path("manifest.json"), reason: "names no data file") }
    let capital = Double(manifest.settings["capital"] ?? "") ?? 100_000
    let equityFrame = try CSVReader.readFrame(path: path("equity.csv"))
    let equity = Array(try equityFrame.column("equity")), returns = Array(try equityFrame.column("return"))
    // One asset (`position`, a kairos backtest) or several (`position_<asset>`, kairos portfolio),
    // each with its data file, in the manifest's order.
    let portfolioColumns = equityFrame.columnNames.filter { $0.hasPrefix("position_") }
    let names = portfolioColumns.isEmpty ? [URL(fileURLWithPath: dataFile.path).deletingPathExtension().lastPathComponent]
                                         : portfolioColumns.map { String($0.dropFirst("position_".count)) }
    guard manifest.data_files.count >= names.count else {
      throw ReportError.inconsistent(file: path("manifest.json"), reason: "names \(manifest.data_files.count) data files for \(names.count) assets")
    }
    let positions = try (portfolioColumns.isEmpty ? ["position"] : portfolioColumns).map { Array(try equityFrame.column($0)) }
    let close = try manifest.data_files.prefix(names.count).map {
      Array(try CSVReader.readOHLCV(path: $0.path).reindexed(to: equityFrame.index).column("close"))
    }
    let dateOnly = equityFrame.index.isDateOnly
    func time(_ t: Int) -> String { UTCCalendar.iso8601(equityFrame.index[t], dateOnly: dateOnly) }
    func bar(of text: String, in file: String) throws -> Int {
      guard let t = UTCCalendar.parseTimestamp(text), let row = equityFrame.index.position(of: t) else {
        throw ReportError.inconsistent(file: path(file), reason: "'\(text)' is not a bar of equity.csv")
      }
      return row
    }
    let orders = try CSVTable.read(path: path("orders.csv"))
    let (timeColumn, sideColumn, unitsColumn, priceColumn, feeColumn, statusColumn) =
      (try orders.column("timestamp"), try orders.column("side"), try orders.column("units"), try orders.column("price"), try orders.column("fee"), try orders.column("status"))
    let assetColumn = orders.header.firstIndex(of: "asset")
    var fills: [Reconciliation.Fill] = []
    for (r, row) in orders.rows.enumerated() where row[statusColumn] == "filled" {
      var asset = 0
      if let assetColumn {
        // Column names are case-folded by the frame reader; asset names in orders.csv are not.
        guard let a = names.firstIndex(where: { $0.lowercased() == row[assetColumn].lowercased() }) else {
          throw CSVError.invalidValue(orders.location(row: r, column: assetColumn), text: row[assetColumn], expected: "one of the assets \(names.joined(separator: ", "))")
        }
        asset = a
      }
      func number(_ column: Int) throws -> Double {
        guard let x = Double(row[column]) else { throw CSVError.malformedNumber(orders.location(row: r, column: column), text: row[column]) }
        return x
      }
      fills.append(.init(bar: try bar(of: row[timeColumn], in: "orders.csv"), units: (row[sideColumn] == "buy" ? 1 : -1) * (try number(unitsColumn)),
                         price: try number(priceColumn), fee: try number(feeColumn), asset: asset))
    }
    var closedPerBar = [Int](repeating: 0, count: equity.count)
    if FileManager.default.fileExists(atPath: path("trades.csv")) {
      let trades = try CSVTable.read(path: path("trades.csv"))
      let exitColumn = try trades.column("exit_time")
      for row in trades.rows { closedPerBar[try bar(of: row[exitColumn], in: "trades.csv")] += 1 }
    }
    let breaks = Reconciliation.breaks(fills: fills, close: close, positions: positions, equity: equity, initialCapital: capital)
    self.breaks = breaks
    firstBreak = breaks.first.map { time(min($0.bar, equity.count - 1)) }

    let f = CSVWriter.format
    let halt = options.haltLevel ?? manifest.settings["param.max_dd"].flatMap(Double.init)
    let report = DailyReport(equity: equity, returns: returns, positions: positions, close: close, initialCapital: capital, tradesClosed: closedPerBar)
    let daily = (0..<equity.count).map { t in
      [time(t), f(report.pnl[t]), f(returns[t]), f(equity[t]), f(report.drawdown[t]), report.exposed[t] ? "1" : "0", String(report.tradesClosed[t])]
    }
    let exposure = (0..<equity.count).map { t in
      [time(t), f(report.grossExposure[t]), f(report.netExposure[t])]
        + (names.count > 1 ? report.weights.map { f($0[t]) } + [f(report.concentration[t]), f(report.largestWeight[t])] : [])
        + [f(report.drawdown[t]), halt.map { f(-$0) } ?? ""]
    }
    let timestamps = Array(equityFrame.index.timestamps)
    // Annualized as the run was (metrics.json), else by the same rule from the bars.
    let periods = (FileManager.default.contents(atPath: path("metrics.json")).flatMap { try? JSONSerialization.jsonObject(with: $0) } as? [String: Any])?["periods_per_year"] as? Double
    let inferred = PeriodsPerYear.infer(timestamps: timestamps)
    let summary = PerformanceSummary(returns: returns, periodsPerYear: periods ?? inferred?.value ?? 252)
    // One row per trading session of the run's calendar: the daily report of intraday runs.
    let calendar = inferred?.calendar ?? .nyse
    func session(_ t: Int) -> Int64 { dateOnly ? UTCCalendar.day(of: timestamps[t]) : calendar.sessionDate(of: timestamps[t]) }
    var sessions: [[String]] = []
    var start = 0
    for t in 0..<equity.count where t == equity.count - 1 || session(t + 1) != session(t) {
      let before = start == 0 ? capital : equity[start - 1]
      let bars = start...t
      sessions.append([UTCCalendar.iso8601(session(t) * UTCCalendar.nanosecondsPerDay, dateOnly: true),
                       String(bars.count), f(equity[t] - before), f(equity[t] / before - 1), f(equity[t]), f(report.drawdown[t]),
                       f(bars.map { report.drawdown[$0] }.min() ?? 0), f(Double(bars.filter { report.exposed[$0] }.count) / Double(bars.count)),
                       String(bars.reduce(0) { $0 + report.tradesClosed[$1] })])
      start = t + 1
    }
    var html = HTMLReport(title: "Backtest report: \(URL(fileURLWithPath: runDirectory).lastPathComponent)")
    let sources = manifest.data_files.prefix(names.count).map { "\($0.path) (\($0.rows) rows, sha256 \($0.sha256.prefix(12))…)" }
    html.paragraph("Data \(sources.joined(separator: "; ")); \(HumanNumber.grouped(equity.count)) bars; \(HumanNumber.grouped(fills.count)) fills.")
    // The engine's metrics.json has the trade statistics; the return series alone cannot give them.
    // metrics.json writes NaN and infinities as strings ("NaN").
    let engineMetrics = (FileManager.default.contents(atPath: path("metrics.json")).flatMap { try? JSONSerialization.jsonObject(with: $0) } as? [String: Any])?
      .compactMapValues { value -> Double? in (value as? NSNumber)?.doubleValue ?? (value as? String).flatMap(Double.init) }
    if engineMetrics == nil { html.paragraph("No metrics.json in the run folder: the metrics come from the return series, without trade statistics.") }
    let benchmark: (name: String, returns: [Double])
    if let file = options.benchmark {
      let frame = try CSVReader.readOHLCV(path: file).reindexed(to: equityFrame.index)
      benchmark = ("buy-and-hold " + URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent, TearSheet.buyAndHold([Array(try frame.column("close"))]))
    } else {
      benchmark = ("buy-and-hold " + (names.count == 1 ? names[0] : "equal weights"), TearSheet.buyAndHold(close))
    }
    let trades = FileManager.default.fileExists(atPath: path("trades.csv")) ? try CSVTable.read(path: path("trades.csv")) : nil
    PerformanceSections(timestamps: timestamps, returns: returns, equity: equity, benchmark: benchmark, periodsPerYear: summary.periodsPerYear,
                        initialCapital: capital, haltLevel: halt, metrics: engineMetrics, trades: trades).append(to: &html)
    html.heading("Trade reconciliation")
    html.paragraph(breaks.isEmpty ? "No break: positions rebuilt from the fills equal the engine's at every bar, and cash plus the marked position equals equity to 1e-9."
                                  : "\(breaks.count) breaks; the first at \(firstBreak!) (\(breaks[0].what)).")
    html.heading("Risk exposure")
    html.raw(SVGLineChart().render(series: [.init(name: "gross exposure", values: report.grossExposure)], timestamps: timestamps, title: "Gross exposure"))
    if names.count > 1 {
      html.raw(SVGLineChart().render(series: zip(names, report.weights).map { .init(name: $0, values: $1) }, timestamps: timestamps, title: "Weights per asset"))
      html.paragraph("VaR 95 % \(HumanNumber.percent(summary.valueAtRisk)), CVaR 95 % \(HumanNumber.percent(summary.conditionalValueAtRisk)) per bar; \(names.count) assets; "
                     + "concentration (Herfindahl index of the weights) \(HumanNumber.fixed(report.meanConcentrationWhileInvested, digits: 3)) on average while invested "
                     + "(1 / \(names.count) = \(HumanNumber.fixed(1 / Double(names.count), digits: 3)) when equal); largest gross exposure \(HumanNumber.percent(report.grossExposure.max() ?? 0)).")
    } else {
      html.paragraph("VaR 95 % \(HumanNumber.percent(summary.valueAtRisk)), CVaR 95 % \(HumanNumber.percent(summary.conditionalValueAtRisk)) per bar; single asset: concentration 100 %; largest gross exposure \(HumanNumber.percent(report.grossExposure.max() ?? 0)).")
    }
    if let sweep = options.sweepResults {
      let (svg, caption) = try ReportCharts.sweep(path: sweep, metric: options.metric)
      html.heading("Parameter sweep")
      html.paragraph("\(sweep): \(caption)")
      html.raw(svg)
    }
    if let directory = options.walkForwardDirectory {
      let (svg, header, rows) = try ReportCharts.walkForward(directory: directory)
      html.heading("Walk-forward")
      html.raw(svg)
      html.table(header: header, rows: rows)
    }
    files = [
      ("daily.csv", TableWriter.encode(header: ["timestamp", "pnl", "return", "equity", "drawdown", "exposed", "trades_closed"], rows: daily)),
      ("sessions.csv", TableWriter.encode(header: ["session", "bars", "pnl", "return", "equity", "drawdown", "worst_drawdown", "exposed_share", "trades_closed"],
                                          rows: sessions)),
      ("reconciliation.csv", TableWriter.encode(header: ["timestamp", "what", "expected", "found"],
                                                rows: breaks.map { [$0.bar < equity.count ? time($0.bar) : "", $0.what, f($0.expected), f($0.found)] })),
      ("exposure.csv", TableWriter.encode(header: ["timestamp", "gross_exposure", "net_exposure"]
                                            + (names.count > 1 ? names.map { "weight_" + $0 } + ["concentration_hhi", "largest_weight"] : [])
                                            + ["drawdown", "halt_level"], rows: exposure)),
      ("report.html", Array(html.html.utf8)),
    ]
  }

  /// Writes the files into `directory`, each atomically.
  public func write(to directory: String) throws(AtomicFile.WriteError) {
    for (name, bytes) in files { try AtomicFile.write(bytes, to: URL(fileURLWithPath: directory).appendingPathComponent(name).path) }
  }
}
