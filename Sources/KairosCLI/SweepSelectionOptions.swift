import ArgumentParser
import Foundation
import Kairos

/// `--top K --by METRIC --aggregate AXES`: which rows a sweep or a merge writes, and its
/// per-axis aggregate (the same options, checked the same way, on both commands).
struct SweepSelectionOptions: ParsableArguments {
  @Option(help: ArgumentHelp("Write only the K best rows by --by (in row order; ties keep row order).", valueName: "K"))
  var top: Int?

  @Option(help: ArgumentHelp("The metric of --top, --aggregate and the table (higher is better).", valueName: "metric"))
  var by: String = "sharpe"

  @Option(help: ArgumentHelp("Also write RESULTS.aggregate.csv: the --by metric per value of these axes over the others.", valueName: "axes"))
  var aggregate: String?

  func validate() throws {
    if let top, !(1...100_000_000).contains(top) { throw ValidationError("--top must be in 1...100000000, was \(top)") }
    if !Metrics.names.contains(by) { throw ValidationError("--by: unknown metric '\(by)'; expected one of \(Metrics.names.joined(separator: ", "))") }
  }

  /// Sets `top`, `by` and `aggregate` of `output`.
  func apply(to output: inout SweepJob.Output) {
    output.top = top
    output.by = by
    output.aggregate = aggregate.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
  }
}
