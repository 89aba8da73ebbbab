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
      Reads the folder of kairos backtest (equity.csv, orders.csv, trades.csv, manifest.json and
      the data file the manifest names) and writes:
        daily.csv           per bar: pnl, return, equity, drawdown, exposure, trades closed
        reconciliation.csv  breaks between fills → positions → cash and the engine (none expected)
        exposure.csv        per bar: gross and net exposure, drawdown, VaR/CVaR context
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
    let prices = try CSVReader.readOHLCV(path: dataFile.path).reindexed(to: equityFrame.index)
    let equity = Array(try equityFrame.column("equity")), returns = Array(try equityFrame.column("return"))
    let positions = Array(try equityFrame.column("position")), close = Array(try prices.column("close"))
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
    var fills: [Reconciliation.Fill] = []
    for row in orders.rows where row[statusColumn] == "filled" {
      fills.append(.init(bar: try bar(of: row[timeColumn]), units: (row[sideColumn] == "buy" ? 1 : -1) * (Double(row[unitsColumn]) ?? .nan),
                         price: Double(row[priceColumn]) ?? .nan, fee: Double(row[feeColumn]) ?? .nan))
    }
    var closedPerBar = [Int](repeating: 0, count: equity.count)
    if let trades = try? CSVTable.read(path: path("trades.csv")) {
      let exitColumn = try trades.column("exit_time")
      for row in trades.rows { closedPerBar[try bar(of: row[exitColumn])] += 1 }
    }
    let breaks = Reconciliation.breaks(fills: fills, close: close, positions: positions, equity: equity, initialCapital: capital)

    // Daily performance and exposure.
    let f = CSVWriter.format
    var peak = capital, previous = capital, lastClose = Double.nan
    var daily: [[String]] = [], exposure: [[String]] = [], drawdowns: [Double] = [], gross: [Double] = []
    let halt = haltLevel ?? manifest.settings["param.max_dd"].flatMap(Double.init)
    for t in 0..<equity.count {
      if !close[t].isNaN { lastClose = close[t] }
      peak = max(peak, equity[t])
      let drawdown = equity[t] / peak - 1
      let value = positions[t] * (lastClose.isNaN ? 0 : lastClose)
      drawdowns.append(drawdown)
      gross.append(abs(value) / equity[t])
      daily.append([time(t), f(equity[t] - previous), f(returns[t]), f(equity[t]), f(drawdown), positions[t] != 0 ? "1" : "0", String(closedPerBar[t])])
      exposure.append([time(t), f(abs(value) / equity[t]), f(value / equity[t]), f(drawdown), halt.map { f(-$0) } ?? ""])
      previous = equity[t]
    }
    let summary = PerformanceSummary(returns: returns)
    let files: [(String, [UInt8])] = [
      ("daily.csv", TableWriter.encode(header: ["timestamp", "pnl", "return", "equity", "drawdown", "exposed", "trades_closed"], rows: daily)),
      ("reconciliation.csv", TableWriter.encode(header: ["timestamp", "what", "expected", "found"],
                                                rows: breaks.map { [$0.bar < equity.count ? time($0.bar) : "", $0.what, f($0.expected), f($0.found)] })),
      ("exposure.csv", TableWriter.encode(header: ["timestamp", "gross_exposure", "net_exposure", "drawdown", "halt_level"], rows: exposure)),
    ]
    var html = HTMLReport(title: "Backtest report: \(URL(fileURLWithPath: runDirectory).lastPathComponent)")
    html.paragraph("Data \(dataFile.path) (\(dataFile.rows) rows, sha256 \(dataFile.sha256.prefix(12))…); \(equity.count) bars; \(fills.count) fills.")
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
    html.paragraph("VaR 95 % \(f(summary.valueAtRisk)), CVaR 95 % \(f(summary.conditionalValueAtRisk)) per bar; single asset: concentration 100 %.")
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
