import Foundation
import KairosBacktest
import KairosResearch
import KairosFeatures
import KairosFrame
import KairosTestSupport
import Testing

@Suite struct WalkForwardTests {
  let spec = FeatureSpec(features: [FeatureDefinition(kind: "log_returns"), FeatureDefinition(kind: "rsi"),
                                    FeatureDefinition(kind: "zscore", window: 20)], target: .nextReturnSign(horizon: 1))

  func settings() -> WalkForward.Settings {
    var s = WalkForward.Settings()
    s.folds = 3
    s.penalties = [0.1, 10]
    s.thresholds = [0.5, 0.51]
    s.smoothing = [1, 3]
    s.configuration.fee = 0.0005
    return s
  }

  @Test func foldsTileTheEndWithEmbargoes() throws {
    var s = settings()
    s.embargo = 2
    let folds = try WalkForward(settings: s).folds(rows: 1000)
    #expect(folds.count == 3 && folds.last!.test.upperBound == 1000)
    for (k, f) in folds.enumerated() {
      #expect(f.train.upperBound + 2 == f.validation.lowerBound && f.validation.upperBound + 2 == f.test.lowerBound)
      #expect(f.train.lowerBound == 0)
      if k > 0 { #expect(folds[k - 1].test.upperBound == f.test.lowerBound) }
    }
    s.scheme = .rolling
    let rolling = try WalkForward(settings: s).folds(rows: 1000)
    #expect(rolling[2].train.count == rolling[0].train.count && rolling[2].train.lowerBound > 0)
    #expect(throws: BacktestError.self) { try WalkForward(settings: s).folds(rows: 100) }
  }

  @Test func theTestFoldNeverInfluencesFittingOrSelection() throws {
    let prices = SyntheticMarket(seed: 17, bars: 1500).generate()[0].frame
    let walk = WalkForward(settings: settings())
    let set = try FeatureSet(spec: spec, frame: prices)
    let original = try walk.run(prices: prices, set: set)
    // Change every price inside fold 1's test block.
    let block = original[1].test
    let (first, last) = (set.timestamps[block.lowerBound], set.timestamps[block.upperBound - 1])
    var changed = prices
    for name in ["open", "high", "low", "close"] {
      var values = Array(prices[name]!)
      for i in 0..<values.count where prices.index[i] >= first && prices.index[i] <= last { values[i] *= 1 + 0.05 * sin(Double(i)) }
      try changed.setColumn(name, Column(values))
    }
    let perturbed = try walk.run(prices: changed, set: try FeatureSet(spec: spec, frame: changed))
    for k in 0...1 {
      let a = original[k], b = perturbed[k]
      #expect(a.l2 == b.l2 && a.threshold == b.threshold && a.smoothing == b.smoothing, "fold \(k): the selection changed")
      #expect(a.model == b.model, "fold \(k): the fitted model changed")
      #expect(a.validationScores.map(\.3.bitPattern) == b.validationScores.map(\.3.bitPattern), "fold \(k): a validation number changed")
    }
    // The test numbers of fold 1 do change (the data did).
    #expect(original[1].testReturns != perturbed[1].testReturns)
  }

  @Test func stitchedEquityAndYears() throws {
    let prices = SyntheticMarket(seed: 5, bars: 1500).generate()[0].frame
    let folds = try WalkForward(settings: settings()).run(prices: prices, set: try FeatureSet(spec: spec, frame: prices))
    let stitched = WalkForwardReport.stitched(folds, capital: 100_000)
    #expect(stitched.timestamps == stitched.timestamps.sorted() && Set(stitched.timestamps).count == stitched.timestamps.count)
    let growth = folds.map { $0.testReturns.reduce(1.0) { $0 * (1 + $1) } }.reduce(1, *)
    #expect(isClose(stitched.equity.last!, 100_000 * growth, rtol: 1e-12))
    let years = WalkForwardReport.byYear(timestamps: stitched.timestamps, returns: stitched.returns, periodsPerYear: 252)
    #expect(years.count >= 1 && years.map(\.year) == years.map(\.year).sorted())
  }
}
