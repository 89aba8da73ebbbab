import KairosCore
import KairosFeatures
import KairosFrame

extension LinearModel {
  /// `P(y = 1 | x)` for one row of the model's features (in `features` order): standardized
  /// when the model was, then `1 / (1 + e^{−(b + Σ wⱼ xⱼ)})` summed in feature order. `NaN`
  /// when a feature is missing or not finite. The one scoring rule of a bar: the batch
  /// `probabilities(on:spec:)` and the bar-by-bar `ModelScorer` both call it, so they agree
  /// to the bit.
  public func probability(of row: UnsafeBufferPointer<Double>) -> Double {
    precondition(row.count == coefficients.count, "the model has \(coefficients.count) features, the row \(row.count)")
    var z = intercept
    for j in 0..<row.count {
      let x = row[j]
      guard x.isFinite else { return .nan }
      let input = standardization.map { (x - $0.mean[j]) / $0.std[j] } ?? x
      z += coefficients[j] * input
    }
    return LogisticRegression.sigmoid(z)
  }

  /// The model's probabilities on every row of `frame`: its features computed by `spec`, then
  /// scored row by row with `probability(of:)`. A row where any of the model's features is
  /// missing or not finite (the warm-up of a window) gets `NaN`, never a guess. One definition
  /// for `kairos backtest --model`, sweeps, comparisons and the live loop (`ModelScorer`).
  ///
  /// - Throws: `ModelError.featureMismatch` when the spec does not produce the model's features,
  ///   the spec's errors, and `ModelError` for a model without probabilities (ridge).
  public func probabilities(on frame: Frame, spec: FeatureSpec) throws -> Column<Double> {
    guard kind == .logistic else { throw ModelError.shapeMismatch("a ridge model predicts values, not probabilities") }
    let features = try spec.compute(on: frame)
    for name in self.features where !features.hasColumn(name) {
      throw ModelError.featureMismatch(expected: self.features, found: features.columnNames)
    }
    let columns = self.features.map { features[$0]! }
    var row = [Double](repeating: .nan, count: columns.count)
    return Column((0..<frame.rowCount).map { t in
      for j in columns.indices { row[j] = columns[j][t] }
      return row.withUnsafeBufferPointer(probability(of:))
    })
  }
}

/// A model scored bar by bar: the spec's features streamed (`FeatureStream`) and the model's
/// probability of each bar — what a live session feeds the `model` strategy. Fed the bars of a
/// frame from its first row, it gives `LinearModel.probabilities(on:spec:)` to the bit.
public struct ModelScorer: Sendable {
  public let model: LinearModel
  var stream: FeatureStream
  /// Where each of the model's features is in the stream's output.
  let positions: [Int]
  var features: [Double], row: [Double]

  /// The fields each bar must carry (see `FeatureStream.inputs`).
  public var inputs: [String] { stream.inputs }

  /// - Parameter columns: the fields a bar can carry (e.g. `open, high, low, close, volume`).
  /// - Throws: the spec's errors; `ModelError.featureMismatch` when the spec does not produce
  ///   the model's features; `ModelError.shapeMismatch` for a ridge model.
  public init(model: LinearModel, spec: FeatureSpec, columns: [String]) throws {
    guard model.kind == .logistic else { throw ModelError.shapeMismatch("a ridge model predicts values, not probabilities") }
    let stream = try FeatureStream(spec: spec, columns: columns)
    var positions: [Int] = []
    for name in model.features {
      guard let k = stream.names.firstIndex(of: name) else { throw ModelError.featureMismatch(expected: model.features, found: stream.names) }
      positions.append(k)
    }
    self.model = model
    self.stream = stream
    self.positions = positions
    features = [Double](repeating: .nan, count: stream.names.count)
    row = [Double](repeating: .nan, count: positions.count)
  }

  /// The probability at the next bar, whose fields are given in `inputs` order.
  public mutating func update(_ bar: UnsafeBufferPointer<Double>) -> Double {
    features.withUnsafeMutableBufferPointer { stream.update(bar, into: $0) }
    for (j, k) in positions.enumerated() { row[j] = features[k] }
    return row.withUnsafeBufferPointer(model.probability(of:))
  }

  /// The probability at the next bar, whose fields are given by name (missing ones are `NaN`).
  public mutating func update(_ bar: [String: Double]) -> Double {
    let fields = stream.inputs.map { bar[$0] ?? .nan }
    return fields.withUnsafeBufferPointer { update($0) }
  }
}

extension LinearModel {
  /// The model's output on every row of a feature table (`kairos features` output or any CSV
  /// with the model's feature columns): `prediction` (ridge: the value; logistic: 1 above 0.5
  /// else 0) and, for a logistic model, `probability`. Rows with a missing or infinite feature
  /// get `NaN`. Returns the frame and how many rows were complete.
  ///
  /// - Throws: `ModelError.featureMismatch` when the table lacks one of the model's features.
  public func predictions(on table: Frame) throws -> (frame: Frame, completeRows: Int) {
    guard features.allSatisfy(table.hasColumn) else { throw ModelError.featureMismatch(expected: features, found: table.columnNames) }
    let complete = (0..<table.rowCount).filter { i in features.allSatisfy { table[$0]![i].isFinite } }
    let set = try FeatureSet(frame: table.rows(at: complete), features: features)
    let predictions = try predict(set.matrix)
    let probabilities = kind == .logistic ? try predictProbabilities(set.matrix) : nil
    var prediction = [Double](repeating: .nan, count: table.rowCount), probability = prediction
    for (k, i) in complete.enumerated() {
      prediction[i] = predictions[k]
      if let probabilities { probability[i] = probabilities[k] }
    }
    var output = Frame(index: table.index)
    try output.setColumn("prediction", Column(prediction))
    if kind == .logistic { try output.setColumn("probability", Column(probability)) }
    return (output, complete.count)
  }
}
