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
  /// What the report needs of a session, taken between two bars (the rest runs without it).
  public struct Captured: Sendable {
    public let files: [(String, [UInt8])]
    public let markets: [MarketSeries]
    public let initialCapital: Double, haltAt: Double?
  }

  public static func capture(_ session: any PaperTrading) throws -> Captured {
    let snapshot = try session.monitor()
    return Captured(files: try session.files(), markets: try session.markets(), initialCapital: snapshot.initialCapital, haltAt: snapshot.status.haltAt)
  }

  /// Writes the report of `session` into `folder/reports/full` (or `out`); the page's path and
  /// the reconciliation's breaks.
  @discardableResult
  public static func write(session: any PaperTrading, folder: String, out: String? = nil) throws -> (page: String, breaks: Int) {
    try write(try capture(session), folder: folder, out: out)
  }

  @discardableResult
  public static func write(_ captured: Captured, folder: String, out: String? = nil) throws -> (page: String, breaks: Int) {
    let target = out ?? URL(fileURLWithPath: folder).appendingPathComponent("reports/full").path
    let runFolder = URL(fileURLWithPath: target).appendingPathComponent("run").path
    try FileManager.default.createDirectory(atPath: runFolder, withIntermediateDirectories: true)
    var dataFiles: [RunFolder.DataFile] = []
    for market in captured.markets {
      let path = URL(fileURLWithPath: runFolder).appendingPathComponent(market.name + ".csv").path
      try AtomicFile.write(CSVWriter.encode(market.frame), to: path)
      dataFiles.append(RunFolder.dataFile(path, rows: market.count))
    }
    var settings = ["capital": CSVWriter.format(captured.initialCapital), "state": folder]
    if let halt = captured.haltAt { settings["param.max_dd"] = CSVWriter.format(-halt) }
    try OutputFolder.write(captured.files, manifest: .init(command: CommandLine.arguments, dataFiles: dataFiles, settings: settings,
                                                           now: Int64(Date().timeIntervalSince1970 * 1e9)), to: runFolder)
    let report = try BacktestReport(runDirectory: runFolder)
    try report.write(to: target)
    return (URL(fileURLWithPath: target).appendingPathComponent("report.html").path, report.breaks.count)
  }
}

/// Refreshes a running session's full report (`reports/full/`) after a day ends, at most every
/// `interval` seconds: the session is read on the loop's thread between two bars (the capture),
/// the pages are made on a background queue, so the loop does not wait for them.
public final class ReportRefresher: @unchecked Sendable {
  public let folder: String, interval: Double
  let lock = NSLock()
  var busy = false, seenDays = 0, last = Date.distantPast
  let queue = DispatchQueue(label: "kairos.report-refresh", qos: .utility)

  public init(folder: String, interval: Double = 10) { self.folder = folder; self.interval = interval }

  /// Called after each event, on the loop's thread.
  public func afterEvent(_ session: any PaperTrading) {
    let days = session.journal.ledger?.daysWritten ?? 0
    guard days > seenDays, Date().timeIntervalSince(last) >= interval, lock.withLock({ !busy }) else { return }
    seenDays = days; last = Date()
    guard let captured = try? SessionReport.capture(session) else { return }
    lock.withLock { busy = true }
    queue.async { [self] in
      _ = try? SessionReport.write(captured, folder: folder)
      lock.withLock { busy = false }
    }
  }

  /// Waits for a refresh in progress (before the final report is written).
  public func wait() { queue.sync {} }
}
