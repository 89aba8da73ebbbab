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
        sessions.csv        per trading session of the data's calendar (NYSE day, FX day, UTC day)
        reconciliation.csv  breaks between fills → positions → cash and the engine (none expected)
        exposure.csv        per bar: gross and net exposure, drawdown against the halt level;
                            for a portfolio also each asset's weight and the concentration
        report.html         the above as a self-contained page (inline SVG charts: equity,
                            drawdown, monthly returns, exposure; with --sweep a sweep heatmap,
                            with --walkforward the folds)
      Exits 1 when the reconciliation finds a break.

      With --state DIR (a paper session's folder, running or not) the same report is made of the
      session's fills into DIR/reports/full/ (or --out); the session itself appends one row a
      day to DIR/reports/daily.csv, reconciliation.csv and exposure.csv at each day's end.

      Examples:
        kairos backtest --data aapl.csv --strategy sma-cross --out bt/ && kairos report --run bt/ --out bt/report/
        kairos report --run bt/ --benchmark spy.csv --out bt/report/
        kairos report --state paper/
        kairos report --run bt/ --sweep sweep/results.csv --metric sortino --walkforward wf/ --out bt/report/
      """)

  @Option(name: .customLong("run"), help: ArgumentHelp("A folder written by kairos backtest.", valueName: "dir"))
  var runDirectory: String?

  @Option(name: .customLong("state"), help: ArgumentHelp("A paper session's state folder (instead of --run).", valueName: "dir"))
  var stateDirectory: String?

  @Option(help: ArgumentHelp("The folder to write (with --state: default DIR/reports/full).", valueName: "dir"))
  var out: String?

  @Option(help: ArgumentHelp("A CSV with a close column: its buy-and-hold is the benchmark (default: buy-and-hold of the run's data).", valueName: "file"))
  var benchmark: String?

  @Option(help: ArgumentHelp("A sweep's results.csv to draw as a heatmap (its first two parameters against --metric).", valueName: "file"))
  var sweep: String?

  @Option(help: "The metric the sweep heatmap shows.")
  var metric = "sharpe"

  @Option(name: .customLong("walkforward"), help: ArgumentHelp("A kairos walkforward output folder (folds.csv) to chart per fold.", valueName: "dir"))
  var walkForwardDirectory: String?

  @Option(name: .customLong("halt-level"), help: "The drawdown halt level to draw against (e.g. 0.2); default: the run's max_dd or none.")
  var haltLevel: Double?

  func validate() throws {
    guard (runDirectory == nil) != (stateDirectory == nil) else { throw ValidationError("give one of --run DIR (a backtest folder) or --state DIR (a paper session)") }
    if runDirectory != nil && out == nil { throw ValidationError("give the folder to write: --out DIR") }
    if let out { try outputFolder(out) }
    if let haltLevel, !(haltLevel > 0 && haltLevel < 1) {
      throw ValidationError("--halt-level is a drawdown fraction in (0, 1), e.g. 0.2; was \(haltLevel)")
    }
  }

  func run() throws {
    if let stateDirectory {
      let session = try PaperSessions.reopen(folder: stateDirectory)
      let (page, breaks) = try SessionReport.write(session: session, folder: stateDirectory, out: out)
      print("reconciliation: \(breaks) breaks")
      print("report: \(page)")
      if breaks > 0 { throw ExitCode.failure }
      return
    }
    let (runDirectory, out) = (self.runDirectory!, self.out!)
    let report = try BacktestReport(runDirectory: runDirectory, options: .init(haltLevel: haltLevel, sweepResults: sweep, metric: metric,
                                                                              walkForwardDirectory: walkForwardDirectory, benchmark: benchmark))
    try report.write(to: out)
    print("reconciliation: \(report.breaks.isEmpty ? "0 breaks" : "\(report.breaks.count) breaks, first at \(report.firstBreak!)")")
    print("report: \(URL(fileURLWithPath: out).appendingPathComponent("report.html").path)")
    if !report.breaks.isEmpty {
      // A break is a data error: said on stderr (one line) as well as in the summary, exit 1.
      note("kairos: error: \(runDirectory): \(report.breaks.count) reconciliation break\(report.breaks.count == 1 ? "" : "s"), first at \(report.firstBreak!) (see \(out)/reconciliation.csv)")
      throw ExitCode.failure
    }
  }
}
