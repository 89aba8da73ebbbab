import ArgumentParser
import Foundation
import Kairos

/// `kairos modelrisk --data FILE --spec SPEC.yaml --out DIR`: a model strategy with scheduled
/// retraining, degradation monitoring and a fallback while degraded.
struct ModelRiskCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "modelrisk",
    abstract: "Backtest a logistic model that retrains on the past every N bars, with degradation monitoring and a fallback.",
    discussion: """
      Retrains every --retrain-every bars on the rows whose labels are known, holding out the
      last --validation rows for the reference log-loss and hit rate; monitors the rolling
      out-of-sample log-loss, hit rate and AUC (--window rows) and the features' population
      stability index; while degraded (3 standard errors worse than validation, or PSI > 0.25)
      the strategy falls back to --fallback (flat, or a rule strategy with its defaults).
      Writes DIR/monitor.csv (per bar: probability, model_state 0 warm-up / 1 active /
      2 degraded, log_loss, hit_rate, auc, psi), events.csv (retrains, degradations,
      recoveries), equity.csv (with model_state), trades.csv, orders.csv (the events too, as
      rows with status event), metrics.json.

      Examples:
        kairos modelrisk --data aapl.csv --spec features.yaml --fee 0.0005 --out mr/
        kairos modelrisk --data aapl.csv --spec features.yaml --fallback sma-cross --retrain-every 21 --out mr/
      """)

  @Option(help: ArgumentHelp("The OHLCV file.", valueName: "path")) var data: String
  @Option(help: ArgumentHelp("A feature spec with a next_return_sign target.", valueName: "path")) var spec: String
  @OptionGroup var schedule: ModelRiskOptions
  @Option(help: "Proportional fee.") var fee = 0.0
  @OptionGroup var annualization: AnnualizationOptions
  @OptionGroup var read: ReadOptions
  @Option(help: ArgumentHelp("The folder to write.", valueName: "dir")) var out: String

  func validate() throws {
    try outputFolder(out)
  }

  func run() throws {
    let plan = schedule.plan(specYAML: "")
    let (settings, threshold, smoothing, fallback) = (plan.settings, plan.threshold, plan.smoothing, plan.fallback ?? "flat")
    let configuration = try asUsage { try RunSettings(fee: fee).merged(over: annualization.settings).configuration() }
    let featureSpec = try FeatureSpec.load(path: spec)
    _ = try asUsage { try ModelRiskBacktest.horizon(of: featureSpec) }
    let result = try ModelRiskBacktest(prices: try read.ohlcv(data), spec: featureSpec, settings: settings, threshold: threshold,
                                       smoothing: smoothing, configuration: configuration, fallback: StrategyKind(rawValue: fallback))
    for (name, bytes) in result.files { try AtomicFile.write(bytes, to: URL(fileURLWithPath: out).appendingPathComponent(name).path) }
    let counts = Dictionary(grouping: result.monitor.events, by: \.kind).mapValues(\.count)
    print(BacktestFiles.table(result.summary))
    note("\(counts["retrain"] ?? 0) retrains, \(counts["degraded"] ?? 0) degradations, \(counts["recovered"] ?? 0) recoveries; fallback \(fallback) → \(out)")
  }
}

/// The model-risk schedule, shared by `kairos modelrisk` and `kairos paper --model-risk`.
struct ModelRiskOptions: ParsableArguments {
  @Option(name: .customLong("retrain-every"), help: "Model risk: bars between refits.") var retrainEvery = 63
  @Option(help: "Model risk: rows of the rolling monitoring window.") var window = 63
  @Option(help: "Model risk: held-out validation rows of each fit.") var validation = 126
  @Option(name: .customLong("min-train"), help: "Model risk: rows before the first fit.") var minimumTrain = 500
  @Option(help: "Model risk: the L2 penalty.") var l2 = 1.0
  @Option(help: "Model risk: the probability threshold of the model strategy.") var threshold = 0.52
  @Option(help: "Model risk: the EMA span smoothing the probability.") var smoothing = 1.0
  @Option(help: ArgumentHelp("Model risk: while degraded, flat or a rule strategy (\(StrategyKind.allCases.filter { $0 != .model }.map(\.rawValue).joined(separator: ", "))).", valueName: "name"))
  var fallback = "flat"

  func validate() throws {
    guard retrainEvery >= 1, window >= 10, validation >= 20, minimumTrain >= 50 else {
      throw ValidationError("--retrain-every >= 1, --window >= 10, --validation >= 20 and --min-train >= 50 are required")
    }
    guard threshold >= 0.5 && threshold < 1, smoothing >= 1, l2 >= 0 else { throw ValidationError("--threshold in [0.5, 1), --smoothing >= 1, --l2 >= 0") }
    guard fallback == "flat" || (StrategyKind(rawValue: fallback).map { $0 != .model } ?? false) else {
      throw ValidationError("--fallback must be flat or a rule strategy, was \(fallback)")
    }
  }

  func plan(specYAML: String) -> ModelRiskPlan {
    var plan = ModelRiskPlan(specYAML: specYAML)
    plan.retrainEvery = retrainEvery; plan.window = window; plan.validationRows = validation; plan.minimumTrainRows = minimumTrain
    plan.l2 = l2; plan.threshold = threshold; plan.smoothing = smoothing; plan.fallback = fallback == "flat" ? nil : fallback
    return plan
  }
}
