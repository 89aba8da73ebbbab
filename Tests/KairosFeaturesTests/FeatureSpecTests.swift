import Foundation
import KairosFeatures
import KairosFrame
import KairosIO
import KairosTestSupport
import Testing

let fixtures = Bundle.module.resourceURL!.appendingPathComponent("Fixtures")

@Suite struct FeatureFixtureTests {
  @Test
  func orclFeaturesEqualPandasAndTALib() throws {
    let prices = try CSVReader.readOHLCV(path: try TestPaths.sharedData("orcl_daily.csv"))
    let spec = try FeatureSpec.load(path: fixtures.appendingPathComponent("orcl_spec.yaml").path)
    let ours = try spec.compute(on: prices)
    let theirs = try CSVReader.readFrame(path: fixtures.appendingPathComponent("orcl_features.csv").path)
    #expect(ours.index == theirs.index)
    #expect(ours.columnNames == theirs.columnNames + [FeatureSpec.targetColumn])
    for name in theirs.columnNames {
      let a = try ours.column(name), b = try theirs.column(name)
      let nanMismatch = (0..<a.count).first { a[$0].isNaN != b[$0].isNaN }
      #expect(nanMismatch == nil, "\(name): NaN differs at row \(nanMismatch ?? -1)")
      let worst = (0..<a.count).filter { !a[$0].isNaN && !isClose(a[$0], b[$0], rtol: 1e-9, atol: 1e-12) }
      #expect(worst.isEmpty, "\(name): \(worst.count) rows differ, first \(worst.first.map { "\(a[$0]) vs \(b[$0])" } ?? "")")
    }
  }
}

@Suite struct FeatureSpecTests {
  let prices = SyntheticMarket(seed: 2, bars: 400).generate()[0].frame

  @Test func parsesAndNamesFeatures() throws {
    let spec = try FeatureSpec.parse(yaml: """
      features:
        - kind: sma
          window: 5
        - kind: zscore
          column: volume
          window: 10
        - kind: ema
          span: 2.5
          name: fast_ema
      target:
        kind: next_return
        horizon: 3
      standardize: true
      """)
    #expect(spec.standardize == true && spec.target == .nextReturn(horizon: 3))
    let frame = try spec.compute(on: prices)
    #expect(frame.columnNames == ["sma_5", "volume_zscore_10", "fast_ema", "target"])
    let close = try prices.column("close"), target = try frame.column("target")
    #expect(isClose(target[10], close[13] / close[10] - 1, rtol: 1e-15))
    #expect(target[397].isNaN && target[396].isNaN == false)
  }

  @Test func badSpecsGiveClearErrors() {
    func message(_ yaml: String) -> String {
      do { _ = try FeatureSpec.parse(yaml: yaml).compute(on: prices); return "no error" } catch { return error.description }
    }
    #expect(message("features:\n  - kind: smaa\n    window: 3").contains("unknown kind 'smaa'"))
    #expect(message("features:\n  - kind: sma").contains("window is required"))
    #expect(message("features:\n  - kind: sma\n    window: 0").contains("window must be at least 1, was 0"))
    #expect(message("features:\n  - kind: sma\n    window: 5000").contains("longer than the data"))
    #expect(message("features:\n  - kind: sma\n    window: 3\n    column: vwap").contains("needs column 'vwap'"))
    #expect(message("features:\n  - kind: sma\n    window: 3\n  - kind: sma\n    window: 3").contains("two features are named 'sma_3'"))
    #expect(message("features: []").contains("lists no features"))
    #expect(message("features:\n  - window: 3").contains("'features[0].kind': this key is required"))
    #expect(message("features:\n  - kind: sma\n    window: 3\ntarget: tomorrow").contains("unknown target kind 'tomorrow'"))
    #expect(message("features: [").contains("cannot read the feature spec"))
  }

  @Test func everyKindComputesWithoutLookAhead() throws {
    let spec = FeatureSpec(features: FeatureDefinition.kinds.map { kind in
      FeatureDefinition(kind: kind.kind, window: ["sma", "rolling_sum", "rolling_mean", "rolling_std", "zscore", "rolling_min", "rolling_max", "rank"].contains(kind.kind) ? 10 : nil,
                        span: kind.kind == "ema" ? 10 : nil)
    })
    let full = try spec.compute(on: prices)
    // Change every price after row t: no feature at or before t may change.
    let t = 250
    var changed = prices
    for name in ["open", "high", "low", "close", "volume"] {
      var values = Array(try prices.column(name))
      for i in (t + 1)..<values.count { values[i] *= 1.5 }
      try changed.setColumn(name, Column(values))
    }
    let perturbed = try spec.compute(on: changed)
    for name in full.columnNames {
      #expect(try full.column(name)[rows: 0..<(t + 1)].isIdentical(to: perturbed.column(name)[rows: 0..<(t + 1)]), "\(name) looks ahead")
    }
  }

  @Test func panelComputesEveryAssetInOneCall() throws {
    let assets = SyntheticMarket(seed: 8, bars: 300, assets: 3).generate()
    let panel = try Panel(assets: assets.map(\.name), frames: assets.map(\.frame))
    let spec = FeatureSpec(features: [FeatureDefinition(kind: "rsi"), FeatureDefinition(kind: "sma", window: 20)])
    let frames = try spec.compute(on: panel)
    #expect(frames.count == 3)
    for (k, asset) in assets.enumerated() {
      let single = try spec.compute(on: asset.frame)
      #expect(frames[k] == single)
    }
  }

  @Test func featureSetKeepsCompleteRowsAligned() throws {
    let spec = FeatureSpec(features: [FeatureDefinition(kind: "sma", window: 20), FeatureDefinition(kind: "returns")],
                           target: .nextReturnSign(horizon: 1))
    let set = try FeatureSet(spec: spec, frame: prices)
    #expect(set.names == ["sma_20", "returns_1"])
    #expect(set.rowCount == 400 - 19 - 1 && set.droppedRows == 20)
    #expect(set.timestamps.first == prices.index[19])
    let close = try prices.column("close")
    #expect(set.matrix[0, 1] == close[19] / close[18] - 1)
    #expect(set.target![0] == (close[20] > close[19] ? 1 : 0))
  }
}
