import ArgumentParser
import Foundation
import Kairos

/// `kairos sweep merge PARTS… --out RESULTS.csv [--top K --by METRIC] [--aggregate AXES]`.
struct SweepMergeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "merge",
    abstract: "Join the parts of a sharded sweep into the result matrix of the unsharded run.",
    discussion: """
      Each part (from `kairos sweep … --shard i/n --out PART.csv`) has its manifest beside it
      (PART.manifest.json: the grid and data fingerprints, i/n, its rows, its size and SHA-256).
      The set is checked before anything is written: one sweep (same grid, settings and data),
      every shard exactly once, each part unchanged since it was written. A missing,
      duplicated, foreign or altered part is an error naming it; re-run only that shard and
      merge again. The result is byte-identical to the unsharded run's; RESULTS.json is
      recomputed from the merged rows; --top and --aggregate apply to the whole sweep.

      Examples:
        kairos sweep merge parts/part-*.csv --out results.csv
        kairos sweep merge parts/part-*.csv --out best.csv --top 1000 --by sharpe --aggregate fast,slow
      """)

  @Argument(help: ArgumentHelp("The part files, in any order.", valueName: "part"))
  var parts: [String] = []

  @Option(help: ArgumentHelp("The merged result matrix (CSV).", valueName: "path"))
  var out: String

  @OptionGroup var selection: SweepSelectionOptions

  @Flag(help: "No progress bar.")
  var quiet = false

  func validate() throws {
    guard !parts.isEmpty else { throw ValidationError("give the part files to merge, e.g. parts/part-*.csv") }
  }

  func run() throws {
    var output = SweepJob.Output()
    selection.apply(to: &output)
    // The bar starts once the manifests are checked (they give the rows).
    var progress: SharedProgress? = nil
    let outcome: SweepJob.Outcome
    do {
      outcome = try SweepMerge.run(parts: parts, to: out, output: output) { done, total in
        if progress == nil { progress = SharedProgress(total: total, label: "merge", unit: "rows", quiet: quiet) }
        progress!.update(done)
      }
    } catch {
      progress?.finish()
      throw error
    }
    progress?.finish()
    if out != "-" { selection.printTable(outcome) }  // with --out - the matrix is standard output
    note("\(HumanNumber.grouped(outcome.rows)) rows from \(parts.count) parts → \(out)"
         + (outcome.rowsWritten < outcome.rows ? " (\(HumanNumber.grouped(outcome.rowsWritten)) written, best by \(selection.by))" : "")
         + [outcome.summaryPath, outcome.aggregatePath].compactMap { $0 }.map { ", \($0)" }.joined())
  }
}
