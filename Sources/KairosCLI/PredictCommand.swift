import ArgumentParser
import Foundation
import Kairos

/// `kairos predict --model MODEL.json --features-csv FILE --out PREDICTIONS.csv`.
struct PredictCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "predict",
    abstract: "Apply a model file to a feature table.",
    discussion: """
      Writes timestamp, prediction (ridge: the value; logistic: the class, 1 when the
      probability is above 0.5) and, for logistic models, probability. A row with a NaN feature
      gets NaN predictions (it is kept, and counted on stderr).

      Examples:
        kairos predict --model model.json --features-csv aapl_features.csv --out predictions.csv
      """)

  @Option(help: ArgumentHelp("The model file (from kairos train).", valueName: "path"))
  var model: String

  @Option(name: .customLong("features-csv"), help: ArgumentHelp("The feature table (CSV; a time column is optional).", valueName: "path"))
  var featuresCSV: String

  @Option(help: ArgumentHelp("Where to write the predictions (- for standard output).", valueName: "path"))
  var out: String

  func run() throws {
    let fitted = try LinearModel.load(path: model)
    let (table, hasTime) = try CSVReader.readTable(path: featuresCSV)
    let (output, complete) = try fitted.predictions(on: table)
    if hasTime {
      try writeFrame(output, to: out)
    } else {
      // A plain table (no time column): the rows are numbered from 0 in a `row` column.
      let rows = (0..<output.rowCount).map { i in [String(i)] + output.columnNames.map { CSVWriter.format(output[$0]![i]) } }
      let bytes = TableWriter.encode(header: ["row"] + output.columnNames, rows: rows)
      if out == "-" { FileHandle.standardOutput.write(Data(bytes)) } else { try AtomicFile.write(bytes, to: out) }
    }
    let incomplete = table.rowCount - complete
    if out != "-" {
      note("predicted \(complete) rows with a \(fitted.kind.rawValue) model\(incomplete > 0 ? "; \(incomplete) rows with NaN features got NaN" : "") → \(out)")
    }
  }
}
