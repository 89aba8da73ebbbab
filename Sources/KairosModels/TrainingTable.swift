import Foundation
import KairosCore
import KairosFeatures
import KairosFrame

/// The training rows of a feature table (`kairos features` output or any CSV of numbers): the
/// label column and the feature columns, rows without a label left out (the end of a look-ahead
/// target), and what was left out said — what `kairos train` fits on.
public struct TrainingTable: Sendable {
  public let set: FeatureSet
  /// Rows without a label (left out).
  public let unlabeledRows: Int
  /// Rows with a NaN or infinite feature, left out under `dropNaN`.
  public let droppedRows: Int
  /// Feature columns with one value on every row (no information).
  public let constantColumns: [String]

  /// - Parameters:
  ///   - features: the feature columns (case-insensitive); nil: every column but the label.
  ///   - dropNaN: leave out rows with a missing feature instead of failing.
  ///   - timeIndexed: `false` for a plain table read with row numbers as its index (errors then
  ///     name the row, not a timestamp).
  /// - Throws: `FeatureError.missingColumn` for a label or feature the table lacks,
  ///   `ModelError.missingValue` naming the first missing feature value (without `dropNaN`),
  ///   `ModelError.noFeatures` when no feature column is left.
  public init(frame table: Frame, label: String, features: [String]? = nil, dropNaN: Bool = false, timeIndexed: Bool = true) throws {
    guard table.hasColumn(label) else { throw FeatureError.missingColumn(name: label, feature: "--label", available: table.columnNames) }
    let names = features.map { $0.map(ColumnNames.normalize) } ?? table.columnNames.filter { $0 != label }
    // The label as a feature is a perfect look-ahead: a model that learns nothing real.
    if names.contains(ColumnNames.normalize(label)) { throw ModelError.labelAsFeature(label: label) }
    for name in names where !table.hasColumn(name) { throw FeatureError.missingColumn(name: name, feature: "--features", available: table.columnNames) }
    guard !names.isEmpty else { throw ModelError.noFeatures(label: label) }
    let labels = try table.column(label)
    var rows = (0..<table.rowCount).filter { !labels[$0].isNaN }
    unlabeledRows = table.rowCount - rows.count
    if let bad = rows.first(where: { i in names.contains { !table[$0]![i].isFinite } }) {
      if !dropNaN {
        let column = names.first { !table[$0]![bad].isFinite }!
        guard timeIndexed else { throw ModelError.nonFinite(row: bad, column: column) }
        throw ModelError.missingValue(row: bad, timestamp: UTCCalendar.iso8601(table.index[bad], dateOnly: table.index.isDateOnly), column: column)
      }
      rows = rows.filter { i in names.allSatisfy { table[$0]![i].isFinite } }
    }
    droppedRows = table.rowCount - unlabeledRows - rows.count
    let set = try FeatureSet(frame: table.rows(at: rows), features: names, target: label)
    constantColumns = names.enumerated().filter { j, _ in
      let c = set.matrix.column(j)
      return c.allSatisfy { $0 == c.first }
    }.map(\.element)
    self.set = set
  }
}

extension LinearModel {
  /// In-sample fit on `set`: R² for ridge; mean log-loss and accuracy (threshold 0.5) for
  /// logistic, probabilities clamped at 1e-300 inside the logarithm.
  public func inSampleScores(on set: FeatureSet) throws -> (rSquared: Double?, logLoss: Double?, accuracy: Double?) {
    guard let y = set.target, !y.isEmpty else { throw ModelError.notEnoughRows(rows: 0, features: set.names.count) }
    if kind == .ridge {
      let prediction = try predict(set.matrix)
      let mean = y.reduce(0, +) / Double(y.count)
      let residual = zip(y, prediction).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
      let total = y.reduce(0.0) { $0 + ($1 - mean) * ($1 - mean) }
      return (1 - residual / total, nil, nil)
    }
    let p = try predictProbabilities(set.matrix)
    var loss = 0.0, correct = 0
    for (label, probability) in zip(y, p) {
      loss -= label == 1 ? log(max(probability, 1e-300)) : log(max(1 - probability, 1e-300))
      if (probability > 0.5 ? 1.0 : 0.0) == label { correct += 1 }
    }
    return (nil, loss / Double(y.count), Double(correct) / Double(y.count))
  }
}
