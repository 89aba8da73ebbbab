import Foundation
import KairosIO
import KairosLive
import KairosTestSupport
import Testing

/// `kairos paper --model-risk`: the retraining schedule of `kairos modelrisk` inside the
/// session, each model version stored; its trades and metrics are `kairos modelrisk`'s, also
/// after kills (the last bar aside: the batch has no label for it, so it never trades on it
/// either way — an order decided at the last close has no next open).
@Suite struct PaperModelRiskTests {
  static let spec = "features:\n  - kind: log_returns\n  - kind: zscore\n    window: 20\n  - kind: rsi\n    period: 14\ntarget:\n  kind: next_return_sign\n"
  static let schedule = ["--retrain-every", "50", "--min-train", "400", "--validation", "100", "--window", "40", "--fallback", "sma-cross",
                         "--threshold", "0.52", "--smoothing", "3", "--fee", "0.0005"]

  @Test func theSessionRetrainsAsModelRiskDoesAndStoresEachVersion() throws {
    let directory = TestPaths.temporaryDirectory()
    let spec = directory.appendingPathComponent("spec.yaml").path
    try Self.spec.write(toFile: spec, atomically: true, encoding: .utf8)
    let aapl = TestPaths.sample(SampleData.aaplDailyUnadjusted)
    let batch = directory.appendingPathComponent("mr").path
    let reference = try Run(["modelrisk", "--data", aapl, "--spec", spec, "--out", batch] + Self.schedule)
    #expect(reference.status == 0, "\(reference.stderr)")
    let state = directory.appendingPathComponent("state").path
    let arguments = ["paper", "--data", aapl, "--strategy", "model", "--spec", spec, "--model-risk", "--speed", "20000000", "--state", state] + Self.schedule
    let kills = try PaperKillTests.killAndRestart(arguments, state: state, kills: 8, reference: nil)
    #expect(kills == 8)
    for name in ["trades.csv", "metrics.json"] {
      let a = try Data(contentsOf: URL(fileURLWithPath: state + "/" + name)), b = try Data(contentsOf: URL(fileURLWithPath: batch + "/" + name))
      #expect(a == b, "\(name) differs from kairos modelrisk")
    }
    let retrains = try String(contentsOfFile: batch + "/events.csv", encoding: .utf8).split(separator: "\n").filter { $0.contains(",retrain,") }.count
    let versions = try SessionStore(folder: state).snapshot().models
    #expect(versions.count >= retrains && retrains > 40 && versions.map(\.version) == Array(1...versions.count))
    let log = try String(contentsOfFile: state + "/events.jsonl", encoding: .utf8)
    #expect(log.components(separatedBy: "\"kind\": \"model_retrain\"").count - 1 >= retrains)
    let status = try Run(["paper", "status", "--state", state]).stdout
    #expect(status.contains("model       version \(versions.count), "), "\(status)")
  }
}
