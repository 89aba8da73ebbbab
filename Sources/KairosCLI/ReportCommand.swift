import ArgumentParser
import Foundation
import Kairos

/// `kairos report --run DIR --out DIR`: daily performance, trade reconciliation and risk
/// exposure of a backtest folder, as CSV and one self-contained HTML page.
struct ReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "Daily performance, trade reconciliation and risk exposure of a backtest folder.",
    discussion: """
      Reads the folder of kairos backtest or kairos portfolio (equity.csv, orders.csv,
      trades.csv, manifest.json and the data files the manifest names) and writes:
        daily.csv           per bar: pnl, return, equity, drawdown, exposure, trades closed
        reconciliation.csv  breaks between fills → positions → cash and the engine (none expected)
        exposure.csv        per bar: gross and net exposure, drawdown against the halt level;
                            for a portfolio also each asset's weight and the concentration
        report.html         the above as a self-contained page (inline SVG charts: equity,
                            drawdown, monthly returns, exposure; with --sweep a sweep heatmap,
                            with --walkforward the folds)
      Exits 1 when the reconciliation finds a break.

      Examples:
        kairos backtest --data aapl.csv --strategy sma-cross --out bt/ && kairos report --run bt/ --out bt/report/
        kairos report --run bt/ --sweep sweep/results.csv --metric sortino --walkforward wf/ --out bt/report/
      """)

  @Option(name: .customLong("run"), help: ArgumentHelp("A folder written by kairos backtest.", valueName: "dir"))
  var runDirectory: String

  @Option(help: ArgumentHelp("The folder to write.", valueName: "dir"))
  var out: String

  @Option(help: ArgumentHelp("A sweep's results.csv to draw as a heatmap (its first two parameters against --metric).", valueName: "file"))
  var sweep: String?

  @Option(help: "The metric the sweep heatmap shows.")
  var metric = "sharpe"

  @Option(name: .customLong("walkforward"), help: ArgumentHelp("A kairos walkforward output folder (folds.csv) to chart per fold.", valueName: "dir"))
  var walkForwardDirectory: String?

  @Option(name: .customLong("halt-level"), help: "The drawdown halt level to draw against (e.g. 0.2); default: the run's max_dd or none.")
  var haltLevel: Double?

  func run() throws {
    func path(_ name: String) -> String { URL(fileURLWithPath: runDirectory).appendingPathComponent(name).path }
    guard let manifestData = FileManager.default.contents(atPath: path("manifest.json")),
          let manifest = try? JSONDecoder().decode(RunFolder.Manifest.self, from: manifestData) else {
      throw ValidationError("\(runDirectory) is not a kairos backtest folder (no readable manifest.json)")
    }
    guard let dataFile = manifest.data_files.first else { throw ValidationError("\(path("manifest.json")) names no data file") }
    let capital = Double(manifest.settings["capital"] ?? "") ?? 100_000
    let equityFrame = try CSVReader.readFrame(path: path("equity.csv"))
    let equity = Array(try equityFrame.column("equity")), returns = Array(try equityFrame.column("return"))
    // One asset (`position`, a kairos backtest) or several (`position_<asset>`, kairos portfolio),
    // each with its data file, in the manifest's order.
    let portfolioColumns = equityFrame.columnNames.filter { $0.hasPrefix("position_") }
    let names = portfolioColumns.isEmpty ? [URL(fileURLWithPath: dataFile.path).deletingPathExtension().lastPathComponent] : portfolioColumns.map { String($0.dropFirst("position_".count)) }
    guard manifest.data_files.count >= names.count else {
      throw ValidationError("\(path("manifest.json")) names \(manifest.data_files.count) data files for \(names.count) assets")
    }
    let positions = try (portfolioColumns.isEmpty ? ["position"] : portfolioColumns).map { Array(try equityFrame.column($0)) }
    let close = try manifest.data_files.prefix(names.count).map { Array(try CSVReader.readOHLCV(path: $0.path).reindexed(to: equityFrame.index).column("close")) }
    let dateOnly = equityFrame.index.isDateOnly
    func time(_ t: Int) -> String { UTCCalendar.iso8601(equityFrame.index[t], dateOnly: dateOnly) }
    func bar(of text: String) throws -> Int {
      guard let t = UTCCalendar.parseTimestamp(text), let row = equityFrame.index.position(of: t) else {
        throw ValidationError("\(runDirectory): '\(text)' is not a bar of equity.csv")
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
      fills.append(.init(bar: try bar(of: row[timeColumn]), units: (row[sideColumn] == "buy" ? 1 : -1) * (Double(row[unitsColumn]) ?? .nan),
                         price: Double(row[priceColumn]) ?? .nan, fee: Double(row[feeColumn]) ?? .nan, asset: asset))
    }
    var closedPerBar = [Int](repeating: 0, count: equity.count)
    if let trades = try? CSVTable.read(path: path("trades.csv")) {
      let exitColumn = try trades.column("exit_time")
      for row in trades.rows { closedPerBar[try bar(of: row[exitColumn])] += 1 }
    }
    let breaks = Reconciliation.breaks(fills: fills, close: close, positions: positions, equity: equity, initialCapital: capital)

    // Daily performance and exposure (KairosReports' `DailyReport`), written as CSV here.
    let f = CSVWriter.format
    let halt = haltLevel ?? manifest.settings["param.max_dd"].flatMap(Double.init)
    let report = DailyReport(equity: equity, returns: returns, positions: positions, close: close, initialCapital: capital, tradesClosed: closedPerBar)
    let (drawdowns, gross, weights) = (report.drawdown, report.grossExposure, report.weights)
    let daily = (0..<equity.count).map { t in
      [time(t), f(report.pnl[t]), f(returns[t]), f(equity[t]), f(report.drawdown[t]), report.exposed[t] ? "1" : "0", String(report.tradesClosed[t])]
    }
    let exposure = (0..<equity.count).map { t in
      [time(t), f(report.grossExposure[t]), f(report.netExposure[t])]
        + (names.count > 1 ? weights.map { f($0[t]) } + [f(report.concentration[t]), f(report.largestWeight[t])] : [])
        + [f(report.drawdown[t]), halt.map { f(-$0) } ?? ""]
    }
    let summary = PerformanceSummary(returns: returns)
    let files: [(String, [UInt8])] = [
      ("daily.csv", TableWriter.encode(header: ["timestamp", "pnl", "return", "equity", "drawdown", "exposed", "trades_closed"], rows: daily)),
      ("reconciliation.csv", TableWriter.encode(header: ["timestamp", "what", "expected", "found"],
                                                rows: breaks.map { [$0.bar < equity.count ? time($0.bar) : "", $0.what, f($0.expected), f($0.found)] })),
      ("exposure.csv", TableWriter.encode(header: ["timestamp", "gross_exposure", "net_exposure"]
                                            + (names.count > 1 ? names.map { "weight_" + $0 } + ["concentration_hhi", "largest_weight"] : [])
                                            + ["drawdown", "halt_level"], rows: exposure)),
    ]
    var html = HTMLReport(title: "Backtest report: \(URL(fileURLWithPath: runDirectory).lastPathComponent)")
    let sources = manifest.data_files.prefix(names.count).map { "\($0.path) (\($0.rows) rows, sha256 \($0.sha256.prefix(12))…)" }
    html.paragraph("Data \(sources.joined(separator: "; ")); \(equity.count) bars; \(fills.count) fills.")
    html.heading("Equity and drawdown")
    html.raw(SVGLineChart(logarithmic: true).render(series: [.init(name: "equity", values: equity)], timestamps: Array(equityFrame.index.timestamps), title: "Equity"))
    html.raw(SVGLineChart().render(series: [.init(name: "drawdown", values: drawdowns)] + (halt.map { h in [.init(name: "halt level", values: [Double](repeating: -h, count: equity.count))] } ?? []),
                                   timestamps: Array(equityFrame.index.timestamps), title: "Drawdown"))
    html.heading("Monthly returns")
    html.raw(ReportCharts.monthlyReturns(equityFrame.index, returns))
    html.heading("Metrics")
    // The engine's metrics.json has the trade statistics; the return series alone cannot give them.
    if let data = FileManager.default.contents(atPath: path("metrics.json")),
       let engine = try? JSONDecoder().decode([String: Double?].self, from: data) {
      html.table(header: ["metric", "value"], rows: Metrics.names.map { [$0, (engine[$0] ?? nil).map(f) ?? "NaN"] })
    } else {
      html.paragraph("From the return series (no metrics.json in the run folder): trade statistics are not available.")
      html.table(header: ["metric", "value"], rows: zip(Metrics.names, Metrics.values(summary)).prefix(9).map { [$0, f($1)] })
    }
    html.heading("Trade reconciliation")
    html.paragraph(breaks.isEmpty ? "No break: positions rebuilt from the fills equal the engine's at every bar, and cash plus the marked position equals equity to 1e-9."
                                  : "\(breaks.count) breaks; the first at \(time(min(breaks[0].bar, equity.count - 1))) (\(breaks[0].what)).")
    html.heading("Risk exposure")
    html.raw(SVGLineChart().render(series: [.init(name: "gross exposure", values: gross)], timestamps: Array(equityFrame.index.timestamps), title: "Gross exposure"))
    if names.count > 1 {
      html.raw(SVGLineChart().render(series: zip(names, weights).map { .init(name: $0, values: $1) }, timestamps: Array(equityFrame.index.timestamps), title: "Weights per asset"))
      let meanHHI = report.meanConcentrationWhileInvested
      html.paragraph("VaR 95 % \(f(summary.valueAtRisk)), CVaR 95 % \(f(summary.conditionalValueAtRisk)) per bar; \(names.count) assets; "
                     + "concentration (Herfindahl index of the weights) \(f(meanHHI)) on average while invested (1 / \(names.count) = \(f(1 / Double(names.count))) when equal); "
                     + "largest gross exposure \(f(gross.max() ?? 0)).")
    } else {
      html.paragraph("VaR 95 % \(f(summary.valueAtRisk)), CVaR 95 % \(f(summary.conditionalValueAtRisk)) per bar; single asset: concentration 100 %.")
    }
    if let sweep {
      let (svg, caption) = try ReportCharts.sweep(path: sweep, metric: metric)
      html.heading("Parameter sweep")
      html.paragraph("\(sweep): \(caption)")
      html.raw(svg)
    }
    if let walkForwardDirectory {
      let (svg, header, rows) = try ReportCharts.walkForward(directory: walkForwardDirectory)
      html.heading("Walk-forward")
      html.raw(svg)
      html.table(header: header, rows: rows)
    }
    for (name, bytes) in files + [("report.html", Array(html.html.utf8))] {
      try AtomicFile.write(bytes, to: URL(fileURLWithPath: out).appendingPathComponent(name).path)
    }
    print("reconciliation: \(breaks.isEmpty ? "0 breaks" : "\(breaks.count) breaks, first at \(time(min(breaks[0].bar, equity.count - 1)))")")
    print("report: \(URL(fileURLWithPath: out).appendingPathComponent("report.html").path)")
    if !breaks.isEmpty { throw ExitCode.failure }
  }
}
