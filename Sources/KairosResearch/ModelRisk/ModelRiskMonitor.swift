#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import KairosCore
import KairosFeatures
import KairosLinalg
import KairosBacktest
import KairosModels

/// Model risk inside a backtest (issue 5): scheduled retraining on the past only, degradation
/// monitoring against the validation level, and the state that switches to a fallback.
///
/// Walking forward over the rows of a feature set (label horizon `h`):
/// - every `retrainEvery` rows (from the first row with enough history) a logistic model is fitted
///   on the rows whose labels are known (`< i − h`), its last `validationRows` held out (after an
///   embargo of `h`) to measure the reference log-loss and hit rate;
/// - at each row, the rolling out-of-sample log-loss, hit rate and AUC over the last `window`
///   rows whose labels are known, and the population stability index (10 training-decile bins)
///   of every feature over the last `psiWindow` rows against the training rows;
/// - the state is *degraded* when, over a full window, the rolling log-loss exceeds the reference
///   by more than `sigmas` standard errors (of the window's per-row losses), the hit rate falls
///   more than `sigmas` binomial standard errors below it, or any feature's PSI exceeds
///   `psiLimit`; *active* otherwise; *warm-up* before the first fit. Judging by standard errors
///   keeps a small window's sampling noise from raising false alarms.
public struct ModelRiskMonitor: Sendable {
  public enum State: Int, Sendable { case warmUp = 0, active = 1, degraded = 2 }

  public struct Settings: Sendable {
    public var retrainEvery = 63
    public var minimumTrainRows = 500
    public var validationRows = 126
    public var horizon = 1
    public var window = 63
    public var l2 = 1.0
    public var standardize = true
    /// How many standard errors the rolling log-loss may exceed, or the rolling hit rate fall
    /// below, the validation level before the model counts as degraded.
    public var sigmas = 3.0
    public var psiLimit = 0.25
    /// Rows of the PSI's recent window (PSI on fewer rows is mostly sampling noise:
    /// about 9 / rows for 10 bins).
    public var psiWindow = 250
    public init() {}
  }

  public struct Event: Sendable, Equatable {
    public let row: Int
    public let kind: String
    public let detail: String
  }

  public struct Output: Sendable {
    /// Per row of the feature set.
    public var probability: [Double], state: [State]
    public var logLoss: [Double], hitRate: [Double], auc: [Double], psi: [Double]
    public var events: [Event]
  }

  public let settings: Settings
  public init(settings: Settings) { self.settings = settings }

  /// The rows needed before the first fit.
  public var firstFit: Int { settings.minimumTrainRows + settings.validationRows + 2 * settings.horizon }

  public func run(_ set: FeatureSet) throws -> Output {
    guard set.target != nil else { throw BacktestError.invalidParameter(name: "features", reason: "the feature set needs a target") }
    let n = set.rowCount
    guard n > firstFit + settings.window else {
      throw BacktestError.invalidParameter(name: "model risk", reason: "\(n) rows are too few: the first fit needs \(firstFit) rows, then a \(settings.window)-row window")
    }
    var walker = Walker(settings: settings)
    for i in 0..<n { try walker.step(i, set) }
    return walker.out
  }

  /// The monitor one row at a time: `step(i, set)` needs the rows `0...i` of `set` and the
  /// labels of the rows before `i − horizon` (the rest may be unknown: NaN). The batch `run`
  /// and a live session walk with it, so they give the same probabilities, states and events.
  public struct Walker: Sendable {
    public let settings: Settings
    public private(set) var out = Output(probability: [], state: [], logLoss: [], hitRate: [], auc: [], psi: [], events: [])
    /// The model in use (nil before the first fit), refitted every `retrainEvery` rows.
    public private(set) var model: LinearModel? = nil
    var referenceLogLoss = Double.nan, referenceHitRate = Double.nan
    /// The last fit's validation log-loss and hit rate (what the rolling figures are judged against).
    public var reference: (logLoss: Double, hitRate: Double) { (referenceLogLoss, referenceHitRate) }
    var bins: [[Double]] = []  // per feature: the 9 inner decile edges of the training rows
    var degraded = false

    public init(settings: Settings) { self.settings = settings }

    /// Row `i` (the next row: `i == out.probability.count`).
    public mutating func step(_ i: Int, _ set: FeatureSet) throws {
      precondition(i == out.probability.count, "rows are walked in order")
      let s = settings, p = set.names.count
      let firstFit = s.minimumTrainRows + s.validationRows + 2 * s.horizon
      out.probability.append(.nan); out.state.append(.warmUp)
      out.logLoss.append(.nan); out.hitRate.append(.nan); out.auc.append(.nan); out.psi.append(.nan)
      guard i >= firstFit, let target = set.target else { return }
      if (i - firstFit) % s.retrainEvery == 0 {
        // Labels of rows < i − h are known at row i.
        let known = i - s.horizon
        let validationStart = known - s.validationRows
        let fitRows = 0..<(validationStart - s.horizon)
        let fitted = try LinearModel.fit(.logistic, on: set.subset(fitRows, target: target), l2: s.l2, standardize: s.standardize)
        let validation = set.subset(validationStart..<known, target: target)
        let pv = try fitted.predictProbabilities(validation.matrix)
        referenceLogLoss = ModelRiskMonitor.logLoss(pv, validation.target!)
        referenceHitRate = ModelRiskMonitor.hitRate(pv, validation.target!)
        bins = (0..<p).map { j in ModelRiskMonitor.decileEdges((fitRows).map { set.matrix[$0, j] }) }
        model = fitted
        out.events.append(Event(row: i, kind: "retrain", detail: "rows 0..<\(fitRows.upperBound), validation log-loss \(referenceLogLoss), hit rate \(referenceHitRate)"))
      }
      let row = set.subset(i..<(i + 1), target: target)
      out.probability[i] = try model!.predictProbabilities(row.matrix)[0]
      // Rolling out-of-sample quality over rows whose labels are known now.
      let end = i - s.horizon
      let start = Swift.max(firstFit, end - s.window + 1)
      var breached = false
      if end >= start + 9 {
        let probabilities = Array(out.probability[start...end]), labels = Array(target[start...end])
        let losses = zip(probabilities, labels).map { ModelRiskMonitor.logLoss([$0], [$1]) }
        let m = Double(losses.count)
        out.logLoss[i] = losses.reduce(0, +) / m
        out.hitRate[i] = ModelRiskMonitor.hitRate(probabilities, labels)
        out.auc[i] = ModelRiskMonitor.auc(probabilities, labels)
        if losses.count >= s.window {
          let sd = (losses.reduce(0.0) { $0 + ($1 - out.logLoss[i]) * ($1 - out.logLoss[i]) } / (m - 1)).squareRoot()
          let hitError = (referenceHitRate * (1 - referenceHitRate) / m).squareRoot()
          breached = out.logLoss[i] > referenceLogLoss + s.sigmas * sd / m.squareRoot()
            || out.hitRate[i] < referenceHitRate - s.sigmas * hitError
        }
      }
      let recent = Swift.max(0, i - s.psiWindow + 1)...i
      out.psi[i] = (0..<p).map { j in ModelRiskMonitor.psi(recent.map { set.matrix[$0, j] }, edges: bins[j]) }.max() ?? .nan
      let bad = breached || out.psi[i] > s.psiLimit
      if bad != degraded {
        out.events.append(Event(row: i, kind: bad ? "degraded" : "recovered",
                                detail: "log-loss \(out.logLoss[i]), hit rate \(out.hitRate[i]), AUC \(out.auc[i]), PSI \(out.psi[i])"))
        degraded = bad
      }
      out.state[i] = degraded ? .degraded : .active
    }
  }

  static func logLoss(_ p: [Double], _ y: [Double]) -> Double {
    var total = 0.0
    for (q, label) in zip(p, y) {
      let clipped = Swift.min(Swift.max(q, 1e-15), 1 - 1e-15)
      total -= label == 1 ? log(clipped) : log(1 - clipped)
    }
    return total / Double(p.count)
  }

  static func hitRate(_ p: [Double], _ y: [Double]) -> Double {
    Double(zip(p, y).filter { ($0 > 0.5 ? 1.0 : 0.0) == $1 }.count) / Double(p.count)
  }

  /// Area under the ROC curve by ranks (ties get average ranks); `NaN` with one class only.
  static func auc(_ p: [Double], _ y: [Double]) -> Double {
    let order = p.indices.sorted { p[$0] < p[$1] }
    var ranks = [Double](repeating: 0, count: p.count)
    var k = 0
    while k < order.count {
      var m = k
      while m + 1 < order.count && p[order[m + 1]] == p[order[k]] { m += 1 }
      for r in k...m { ranks[order[r]] = Double(k + m) / 2 + 1 }
      k = m + 1
    }
    let positives = y.filter { $0 == 1 }.count, negatives = y.count - positives
    guard positives > 0 && negatives > 0 else { return .nan }
    let rankSum = zip(ranks, y).filter { $0.1 == 1 }.reduce(0.0) { $0 + $1.0 }
    return (rankSum - Double(positives * (positives + 1)) / 2) / Double(positives * negatives)
  }

  /// The 9 inner decile edges of `x`.
  static func decileEdges(_ x: [Double]) -> [Double] {
    let sorted = x.sorted()
    return (1..<10).map { sorted[Swift.min(sorted.count - 1, $0 * sorted.count / 10)] }
  }

  /// Population stability index of `x` in the 10 bins of `edges` against a uniform 10 % each.
  static func psi(_ x: [Double], edges: [Double]) -> Double {
    var counts = [Double](repeating: 0, count: edges.count + 1)
    for v in x {
      var b = 0
      while b < edges.count && v >= edges[b] { b += 1 }
      counts[b] += 1
    }
    let expected = 1.0 / Double(counts.count)
    return counts.reduce(0.0) { total, c in
      let actual = Swift.max(c / Double(x.count), 1e-4)
      return total + (actual - expected) * log(actual / expected)
    }
  }
}

/// The monitor's statistics, exposed for tests and reports.
public enum ModelRiskMonitorProbe {
  public static func auc(_ p: [Double], _ y: [Double]) -> Double { ModelRiskMonitor.auc(p, y) }
  public static func psi(_ x: [Double], edges: [Double]) -> Double { ModelRiskMonitor.psi(x, edges: edges) }
  public static func decileEdges(_ x: [Double]) -> [Double] { ModelRiskMonitor.decileEdges(x) }
}
