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
    // Elsewhere exactly the model's score of that row's features.
    let features = try spec.compute(on: frame)
    let rows = Array(30..<800)
    let scored = try model.predictProbabilities(try FeatureSet(frame: features.rows(at: rows), features: model.features).matrix)
    #expect(rows.indices.allSatisfy { p[rows[$0]] == scored[$0] })
    // A spec without the model's features is a typed error.
    let other = FeatureSpec(features: [FeatureDefinition(kind: "ema", span: 5)], target: nil)
    #expect(throws: ModelError.self) { try model.probabilities(on: frame, spec: other) }
  }
}
