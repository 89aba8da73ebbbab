import ArgumentParser
import Foundation
import Kairos

extension TradingCalendar: ExpressibleByArgument {}

/// `kairos data check FILE...`: the data-quality report.
struct DataCheckCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check",
    abstract: "Report rows, range, spacing, gaps, duplicates, OHLC violations and suspected splits.",
    discussion: """
      Exits 0 when every file is usable and 1 when one is not (the verdict line says why).
      Steps are judged by a trading calendar (24x7, 24x5 FX, or the NYSE's sessions and
      holidays; detected from the timestamps unless --calendar is given): a step is a gap
      only when the market was open for at least one whole bar in it (intraday), or a
      session day lies inside it (daily); otherwise it is a closure (night, weekend,
      holiday). Weekly and longer bars: a step over 1.5 bars is a gap.

      Examples:
        kairos data check aapl_daily_unadjusted.csv
        kairos data check *.csv --verbose
        kairos data check prices.csv --json > report.json
      """)

  @Argument(help: ArgumentHelp("OHLCV CSV files to check.", valueName: "file"))
  var files: [String]

  @Option(help: ArgumentHelp("The trading calendar that tells closures from gaps: 24x7, 24x5 (FX) or nyse (default: detected).", valueName: "name"))
  var calendar: TradingCalendar?

  @Flag(help: "Print JSON (an array with one report per file) instead of text.")
  var json = false

  @Flag(name: .shortAndLong, help: "List every gap and every offending row instead of the first few.")
  var verbose = false

  func validate() throws {
    if files.isEmpty { throw ValidationError("give at least one file to check, e.g. kairos data check prices.csv") }
  }

  func run() throws {
    let reports = files.map { DataQualityCheck.run(path: $0, calendar: calendar, verbose: verbose) }
    if json {
      print(DataQualityReport.json(reports))
    } else {
      print(reports.map { $0.text(verbose: verbose) }.joined(separator: "\n\n"))
    }
    let unusable = reports.filter { !$0.usable }
    if !unusable.isEmpty {
      for report in unusable { note("kairos: \(report.file) is not usable: \(report.errors.joined(separator: "; "))") }
      throw ExitCode.failure
    }
  }
}
