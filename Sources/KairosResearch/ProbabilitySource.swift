import Foundation
import KairosCore
import KairosFeatures
import KairosFrame
import KairosIO
import KairosModels

/// Where the `model` strategy's probabilities come from: a model file scored on its feature
/// spec, or a column of a CSV file (`timestamp, …`). Either gives one probability per bar of
/// the prices' timeline, `NaN` where the features are incomplete or the file has no row.
public enum ProbabilitySource: Sendable, Equatable {
  /// A model of `kairos train` and the feature spec it was trained on.
  case model(path: String, spec: String)
  /// A CSV file with a timestamp column and `column`.
  case file(path: String, column: String)

  /// The probabilities on `frame`'s timeline.
  ///
  /// - Throws: `CSVError` for an unreadable file or a missing column, `ModelError` for a model
  ///   that does not match its spec or gives no probabilities, `FeatureError` for a bad spec.
  public func probabilities(on frame: Frame) throws -> Column<Double> {
    switch self {
    case let .file(path, column):
      let table = try CSVReader.readFrame(path: path)
      let values = try table.column(column)
      // A probability is in [0, 1] (NaN: none for that bar); anything else is not one (prices, scores).
      if let row = values.firstIndex(where: { !$0.isNaN && !(0...1).contains($0) }) {
        throw CSVError.invalidValue(CSVLocation(file: path, line: row + 2, columnName: column), text: CSVWriter.format(values[row]),
                                    expected: "a probability in [0, 1] in column '\(column)' (or NaN)")
      }
      let aligned = try Frame(index: table.index, columns: [("p", values)]).reindexed(to: frame.index)
      return try aligned.column("p")
    case let .model(path, spec):
      return try LinearModel.load(path: path).probabilities(on: frame, spec: try FeatureSpec.load(path: spec))
    }
  }
}
