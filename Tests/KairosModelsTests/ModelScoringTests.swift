import Foundation
import KairosCore
import KairosFeatures
import KairosFrame
import KairosModels
import KairosTestSupport
import Testing

/// Model + spec → probabilities, the library call every command and the live loop share.
@Suite struct ModelScoringTests {
  @Test func probabilitiesOnAFrameAreNaNInTheWarmUpAndTheModelsScoresElsewhere() throws {
    let frame = SyntheticMarket(seed: 7, bars: 800).generate()[0].frame
    let spec = FeatureSpec(features: [FeatureDefinition(kind: "rsi"), FeatureDefinition(kind: "zscore", window: 20)],
                           target: .nextReturnSign(horizon: 1))
    let set = try FeatureSet(spec: spec, frame: frame)
    let model = try LinearModel.fit(.logistic, on: set, l2: 1, standardize: true)
    let p = Array(try model.probabilities(on: frame, spec: spec))
    #expect(p.count == frame.rowCount)
    // RSI(14) needs 14 bars: no probability before them.
    #expect(p[..<14].allSatisfy(\.isNaN) && p[30...].allSatisfy { $0 > 0 && $0 < 1 })
    // Elsewhere the model's score of that row's features: the BLAS path to rounding, and the
    // formula written out here to the bit.
    let features = try spec.compute(on: frame)
    let rows = Array(30..<800)
    let scored = try model.predictProbabilities(try FeatureSet(frame: features.rows(at: rows), features: model.features).matrix)
    #expect(rows.indices.allSatisfy { Swift.abs(p[rows[$0]] - scored[$0]) <= 1e-15 })
    let s = model.standardization!
    for t in rows {
      var z = model.intercept
      for (j, name) in model.features.enumerated() { z += model.coefficients[j] * ((features[name]![t] - s.mean[j]) / s.std[j]) }
      let expected = z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z))
      #expect(p[t].bitPattern == expected.bitPattern, "row \(t)")
    }
    // A spec without the model's features is a typed error.
    let other = FeatureSpec(features: [FeatureDefinition(kind: "ema", span: 5)], target: nil)
    #expect(throws: ModelError.self) { try model.probabilities(on: frame, spec: other) }
    #expect(throws: ModelError.self) { try ModelScorer(model: model, spec: other, columns: frame.columnNames) }
  }

  /// A live session scores each bar as it arrives, from the features streamed bar by bar: the
  /// same bits as the whole-history scoring, for every kind of feature.
  @Test func theScorerFedBarByBarGivesTheBatchProbabilities() throws {
    var frame = SyntheticMarket(seed: 11, bars: 600).generate()[0].frame
    // Missing bars, as a feed would have them.
    for name in ["open", "high", "low", "close", "volume"] {
      var column = Array(frame[name]!)
      for t in [560, 561, 590] { column[t] = .nan }  // late: Wilder states (RSI, ATR) stay NaN after one, as TA-Lib
      try frame.setColumn(name, Column(column))
    }
    let spec = FeatureSpec(features: FeatureDefinition.kinds.map { kind in
      switch kind.kind {
      case "sma", "rolling_mean", "rolling_sum", "rolling_std", "zscore", "rolling_min", "rolling_max", "rank": return FeatureDefinition(kind: kind.kind, window: 10)
      case "ema": return FeatureDefinition(kind: "ema", span: 8)
      default: return FeatureDefinition(kind: kind.kind)
      }
    }, target: .nextReturnSign(horizon: 1))
    let complete = try FeatureSet(spec: spec, frame: frame)
    let model = try LinearModel.fit(.logistic, on: complete, l2: 10, standardize: true)
    let batch = Array(try model.probabilities(on: frame, spec: spec))
    var scorer = try ModelScorer(model: model, spec: spec, columns: frame.columnNames)
    var live: [Double] = []
    for t in 0..<frame.rowCount {
      live.append(scorer.update(Dictionary(uniqueKeysWithValues: frame.columnNames.map { ($0, frame[$0]![t]) })))
    }
    #expect(zip(live, batch).allSatisfy { $0.bitPattern == $1.bitPattern })
    #expect(batch.filter(\.isFinite).count > 300)
  }
}
