import ArgumentParser
import Foundation
import Kairos

/// `kairos data check FILE...`: the data-quality report.
struct DataCheckCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check",
    abstract: "Report rows, range, spacing, gaps, duplicates, OHLC violations and suspected splits.",
    discussion: """
      Exits 0 when every file is usable and 1 when one is not (the verdict line says why).
      Gaps are steps longer than the tolerance for the inferred spacing: one bar for intraday
      data, four days for daily data (weekends and one-day holidays are not gaps).

      Examples:
        kairos data check aapl_daily_unadjusted.csv
        kairos data check *.csv --verbose
        kairos data check prices.csv --json > report.json
      """)

  @Argument(help: ArgumentHelp("OHLCV CSV files to check.", valueName: "file"))
  var files: [String]

  @Flag(help: "Print JSON (an array with one report per file) instead of text.")
  var json = false

  @Flag(name: .shortAndLong, help: "List every gap and every offending row instead of the first few.")
  var verbose = false

  func validate() throws {
    if files.isEmpty { throw ValidationError("give at least one file to check, e.g. kairos data check prices.csv") }
  }

  func run() throws {
    let reports = files.map { DataQualityCheck.run(path: $0, verbose: verbose) }
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
