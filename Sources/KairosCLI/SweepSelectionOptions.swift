import ArgumentParser
import Foundation
import Kairos

/// `--top K --by METRIC --aggregate AXES --show N`: which rows a sweep or a merge writes, its
/// per-axis aggregate and the table of best rows printed at the end (the same options, checked
/// the same way, on both commands).
struct SweepSelectionOptions: ParsableArguments {
  @Option(help: ArgumentHelp("Write only the K best rows by --by (in row order; ties keep row order).", valueName: "K"))
  var top: Int?

  @Option(help: ArgumentHelp("The metric of --top, --aggregate and the table (higher is better).", valueName: "metric"))
  var by: String = "sharpe"

  @Option(help: ArgumentHelp("Also write RESULTS.aggregate.csv: the --by metric per value of these axes over the others.", valueName: "axes"))
  var aggregate: String?

  @Option(help: "Rows of the best-combinations table (by Sharpe) printed at the end.")
  var show: Int = 10

  func validate() throws {
    guard (0...100_000).contains(show) else { throw ValidationError("--show must be in 0...100000, was \(show)") }
    if let top, !(1...100_000_000).contains(top) { throw ValidationError("--top must be in 1...100000000, was \(top)") }
    if !Metrics.names.contains(by) { throw ValidationError("--by: unknown metric '\(by)'; expected one of \(Metrics.names.joined(separator: ", "))") }
  }

  /// Sets `top`, `by`, `aggregate` and the best rows to keep (`show`) of `output`.
  func apply(to output: inout SweepJob.Output) {
    output.keep = max(show, 1)
    output.top = top
    output.by = by
    output.aggregate = aggregate.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
  }

  /// The table of the best rows by Sharpe (none with `--show 0`).
  func printTable(_ outcome: SweepJob.Outcome) {
    guard show > 0 else { return }
    print(SweepJob.table(outcome.best.prefix(show), grid: outcome.grid, assets: outcome.assets))
  }
}
