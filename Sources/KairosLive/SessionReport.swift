import Foundation
import KairosBacktest
import KairosCore
import KairosIO
import KairosReports

/// The full report of a paper session (`kairos report --state DIR`, and what a running `kairos
/// paper` refreshes at each day's end): the session's backtest files and bars written as a run
/// folder (`reports/full/run/`), and `kairos report`'s pages and CSVs of it (`reports/full/`) —
/// the same report a backtest gets, from the session's own fills.
public enum SessionReport {
  /// Writes the report of `session` into `folder/reports/full` (or `out`); returns the page's path.
  @discardableResult
  public static func write(session: any PaperTrading, folder: String, out: String? = nil) throws -> (page: String, breaks: Int) {
    let target = out ?? URL(fileURLWithPath: folder).appendingPathComponent("reports/full").path
    let runFolder = URL(fileURLWithPath: target).appendingPathComponent("run").path
    try FileManager.default.createDirectory(atPath: runFolder, withIntermediateDirectories: true)
    let markets = try session.markets()
    var dataFiles: [RunFolder.DataFile] = []
    for market in markets {
      let path = URL(fileURLWithPath: runFolder).appendingPathComponent(market.name + ".csv").path
      try AtomicFile.write(CSVWriter.encode(market.frame), to: path)
      dataFiles.append(RunFolder.dataFile(path, rows: market.count))
    }
    let snapshot = try session.monitor()
    var settings = ["capital": CSVWriter.format(snapshot.initialCapital), "state": folder]
    if let halt = snapshot.status.haltAt { settings["param.max_dd"] = CSVWriter.format(-halt) }
    try OutputFolder.write(try session.files(), manifest: .init(command: CommandLine.arguments, dataFiles: dataFiles, settings: settings,
                                                                now: Int64(Date().timeIntervalSince1970 * 1e9)), to: runFolder)
    let report = try BacktestReport(runDirectory: runFolder)
    try report.write(to: target)
    return (URL(fileURLWithPath: target).appendingPathComponent("report.html").path, report.breaks.count)
  }
}
