import Foundation
import KairosBacktest
import KairosResearch
import KairosFeatures
import KairosFrame
import KairosLinalg
import KairosTestSupport
import Testing

@Suite struct ModelRiskTests {
  func settings() -> ModelRiskMonitor.Settings {
    var s = ModelRiskMonitor.Settings()
    s.minimumTrainRows = 300; s.validationRows = 100; s.retrainEvery = 50; s.window = 50
    return s
  }

  @Test func aucAndPSIAgainstDirectComputations() {
    var random = SplitMix64(seed: 4)
    let p = (0..<200).map { _ in random.nextUniform() }, y = (0..<200).map { _ in random.next() % 2 == 0 ? 1.0 : 0.0 }
    // AUC: the share of (positive, negative) pairs ordered correctly, ties counting half.
    var good = 0.0, pairs = 0.0
    for i in p.indices where y[i] == 1 { for j in p.indices where y[j] == 0 { pairs += 1; good += p[i] > p[j] ? 1 : (p[i] == p[j] ? 0.5 : 0) } }
    #expect(isClose(ModelRiskMonitorProbe.auc(p, y), good / pairs, rtol: 1e-12))
    let x = (0..<1000).map { _ in random.nextNormal() }
    let edges = ModelRiskMonitorProbe.decileEdges(x)
    #expect(ModelRiskMonitorProbe.psi(x, edges: edges) < 0.01)
    #expect(ModelRiskMonitorProbe.psi(x.map { $0 + 1.5 }, edges: edges) > 0.25)
  }

  @Test func aBrokenRelationIsDetectedAndNothingLooksAhead() throws {
    // x predicts the next label until row 900, then the relation flips.
    var random = SplitMix64(seed: 8)
    let n = 1400
    let x = (0..<n).map { _ in random.nextNormal() }
    let y = x.indices.map { i in (x[i] + 0.3 * random.nextNormal() > 0) == (i < 900) ? 1.0 : 0.0 }
    let set = FeatureSet(names: ["x"], timestamps: (0..<n).map { Int64($0) * UTCCalendar.nanosecondsPerDay },
                         matrix: Matrix(rows: n, columns: 1, columnMajor: x), target: y)
    let out = try ModelRiskMonitor(settings: settings()).run(set)
    #expect(out.state[600] == .active && out.hitRate[600] > 0.8)
    let degradedAt = try #require(out.events.first { $0.kind == "degraded" }?.row)
    #expect(degradedAt > 900 && degradedAt < 900 + 50)
    #expect(out.events.contains { $0.kind == "retrain" && $0.row == 402 })
    // Changing every label and feature after row t changes nothing at or before t.
    let t = 1000
    var x2 = x, y2 = y
    for i in (t + 1)..<n { x2[i] = -x2[i] * 3; y2[i] = 1 - y2[i] }
    let set2 = FeatureSet(names: ["x"], timestamps: set.timestamps, matrix: Matrix(rows: n, columns: 1, columnMajor: x2), target: y2)
    let out2 = try ModelRiskMonitor(settings: settings()).run(set2)
    // Labels of rows ≤ t − h are known at t; row t's own label is not used before t + h.
    #expect(out.probability[...t].elementsEqual(out2.probability[...t]) { $0.bitPattern == $1.bitPattern })
    #expect(out.state[...t] == out2.state[...t])
    #expect(out.logLoss[...t].elementsEqual(out2.logLoss[...t]) { $0.bitPattern == $1.bitPattern })
  }
}
