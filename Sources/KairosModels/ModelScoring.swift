import KairosCore
import KairosFeatures
import KairosFrame

extension LinearModel {
  /// The model's probabilities on every row of `frame`: its features computed by `spec`, then
  /// scored. A row where any of the model's features is missing or not finite (the warm-up of
  /// a window) gets `NaN`, never a guess. One definition for `kairos backtest --model`, sweeps,
  /// comparisons and (next) the live loop.
  ///
  /// - Throws: `ModelError.featureMismatch` when the spec does not produce the model's features,
  ///   the spec's errors, and `ModelError` for a model without probabilities (ridge).
  public func probabilities(on frame: Frame, spec: FeatureSpec) throws -> Column<Double> {
    let features = try spec.compute(on: frame)
    for name in self.features where !features.hasColumn(name) {
      throw ModelError.featureMismatch(expected: self.features, found: features.columnNames)
    }
    var p = [Double](repeating: .nan, count: frame.rowCount)
    let complete = (0..<frame.rowCount).filter { i in self.features.allSatisfy { features[$0]![i].isFinite } }
    if !complete.isEmpty {
      let set = try FeatureSet(frame: features.rows(at: complete), features: self.features)
      for (k, probability) in try predictProbabilities(set.matrix).enumerated() { p[complete[k]] = probability }
    }
    return Column(p)
  }
}
