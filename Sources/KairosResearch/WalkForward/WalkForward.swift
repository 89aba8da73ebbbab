import KairosCore
import KairosFeatures
import KairosFrame
import KairosLinalg
import KairosBacktest
import KairosModels

/// Walk-forward testing with refits: per fold, fit the model on train, select λ, threshold and
/// smoothing on validation, evaluate once on test (issue 5).
///
/// Folds (rows of the complete feature set; `e` = embargo bars, at least the label horizon):
/// ```
/// fold k:  [ train …………… ] e [ validation ] e [ test ]      expanding: train starts at 0
///                                                            rolling:   train keeps its first size
/// ```
/// With K folds and the 70/15/15 split, the first fold spans `W = n / (1 + (K − 1)·test)` rows
/// and each later fold moves forward by one test block, so the test blocks tile the end of the
/// history without overlap. Nothing of a fold's test block reaches its fitting or selection:
/// the model sees train rows only (its standardizer too), validation backtests see validation
/// bars only, and the embargo keeps look-ahead labels of train out of validation and test.
public struct WalkForward: Sendable {
  public enum Scheme: String, Sendable, Codable { case expanding, rolling }

  public struct Settings: Sendable {
    public var folds: Int = 3
    public var scheme: Scheme = .expanding
    /// Fractions of the first fold's window (train is the rest).
    public var validationFraction = 0.15
    public var testFraction = 0.15
    /// Bars between train and validation and between validation and test.
    public var embargo = 1
    public var penalties: [Double] = [0.1, 1, 10]
    public var thresholds: [Double] = [0.5, 0.52, 0.55]
    public var smoothing: [Double] = [1, 3]
    /// The selection metric (a name of `Metrics.names`; higher is better).
    public var metric = "sharpe"
    public var standardize = true
    public var configuration = BacktestConfiguration()
    public var threads = 1

    public init() {}
  }

  /// One fold: its row ranges (in the feature set), the choice and the numbers.
  public struct Fold: Sendable {
    public let index: Int
    public let train: Range<Int>, validation: Range<Int>, test: Range<Int>
    public let l2: Double, threshold: Double, smoothing: Double
    /// Selection metric on validation for the chosen combination.
    public let validationScore: Double
    /// Every combination's validation score: (λ, threshold, smoothing, score).
    public let validationScores: [(Double, Double, Double, Double)]
    public let model: LinearModel
    public let testSummary: PerformanceSummary
    /// The test bars' timestamps and per-bar returns (each fold starts flat with the capital).
    public let testTimestamps: [Int64]
    public let testReturns: [Double]
  }

  public let settings: Settings
  public init(settings: Settings) { self.settings = settings }

  /// This walk-forward with the periods per year fixed for `prices`' bars.
  func resolved(for prices: Frame) -> WalkForward {
    var s = settings
    s.configuration = s.configuration.resolved(for: prices.index.timestamps)
    return WalkForward(settings: s)
  }

  /// The row ranges of every fold for `n` complete rows.
  public func folds(rows n: Int) throws(BacktestError) -> [(train: Range<Int>, validation: Range<Int>, test: Range<Int>)] {
    let s = settings
    guard s.folds >= 1 else { throw .invalidParameter(name: "folds", reason: "must be at least 1") }
    guard s.validationFraction > 0, s.testFraction > 0, s.validationFraction + s.testFraction < 1 else {
      throw .invalidParameter(name: "split", reason: "validation and test fractions must be positive and leave room for train")
    }
    let window = Double(n) / (1 + Double(s.folds - 1) * s.testFraction)
    let test = Int((window * s.testFraction).rounded(.down)), validation = Int((window * s.validationFraction).rounded(.down))
    let firstTrain = Int(window.rounded(.down)) - test - validation - 2 * s.embargo
    guard test >= 20, validation >= 20, firstTrain >= 50 else {
      throw .invalidParameter(name: "folds", reason: "\(n) rows are too few for \(s.folds) folds (train \(firstTrain), validation \(validation), test \(test) rows)")
    }
    return (0..<s.folds).map { k in
      let testEnd = n - (s.folds - 1 - k) * test
      let testStart = testEnd - test
      let validationEnd = testStart - s.embargo, validationStart = validationEnd - validation
      let trainEnd = validationStart - s.embargo
      let trainStart = s.scheme == .expanding ? 0 : Swift.max(0, trainEnd - firstTrain)
      return (trainStart..<trainEnd, validationStart..<validationEnd, testStart..<testEnd)
    }
  }

  /// Runs every fold. `prices` is the OHLCV frame; `set` the complete-row feature set of a spec
  /// on it, with its target.
  public func run(prices: Frame, set: FeatureSet) throws -> [Fold] {
    // Every fold annualizes with the periods per year of the whole series, not of its slice.
    if settings.configuration.periodsPerYear == nil { return try resolved(for: prices).run(prices: prices, set: set) }
    guard let target = set.target else { throw BacktestError.invalidParameter(name: "features", reason: "the feature set needs a target") }
    var results: [Fold] = []
    for (k, fold) in try folds(rows: set.rowCount).enumerated() {
      let training = set.subset(fold.train, target: target)
      let tasks = settings.penalties.map { TrainingTask(kind: .logistic, set: training, l2: $0, standardize: settings.standardize) }
      let models = try BatchTrainer.fit(tasks, threads: settings.threads).map { try $0.get() }
      // Validation: every (λ, threshold, smoothing) on the validation bars only.
      var scores: [(Double, Double, Double, Double)] = []
      var best: (score: Double, model: Int, threshold: Double, smoothing: Double)? = nil
      let metricIndex = Metrics.names.firstIndex(of: settings.metric) ?? Metrics.names.firstIndex(of: "sharpe")!
      for (m, model) in models.enumerated() {
        let probabilities = try model.predictProbabilities(set.subset(fold.validation, target: target).matrix)
        for threshold in settings.thresholds {
          for span in settings.smoothing {
            let summary = try backtest(prices: prices, timestamps: Array(set.timestamps[fold.validation]), probabilities: probabilities,
                                       threshold: threshold, smoothing: span).summary
            let score = Metrics.values(summary)[metricIndex]
            scores.append((model.l2, threshold, span, score))
            let comparable = score.isNaN ? -Double.infinity : score
            if best == nil || comparable > best!.score { best = (comparable, m, threshold, span) }
          }
        }
      }
      let chosen = best!
      let model = models[chosen.model]
      let testProbabilities = try model.predictProbabilities(set.subset(fold.test, target: target).matrix)
      let (summary, returns, testTimestamps) = try backtest(prices: prices, timestamps: Array(set.timestamps[fold.test]), probabilities: testProbabilities,
                                                           threshold: chosen.threshold, smoothing: chosen.smoothing)
      results.append(Fold(index: k, train: fold.train, validation: fold.validation, test: fold.test, l2: model.l2,
                          threshold: chosen.threshold, smoothing: chosen.smoothing, validationScore: chosen.score,
                          validationScores: scores, model: model, testSummary: summary,
                          testTimestamps: testTimestamps, testReturns: returns))
    }
    return results
  }

  /// The model strategy on the price bars from the first to the last of `timestamps` only.
  func backtest(prices: Frame, timestamps: [Int64], probabilities: [Double], threshold: Double, smoothing: Double) throws
    -> (summary: PerformanceSummary, returns: [Double], timestamps: [Int64])
  {
    let period = prices.rows(from: timestamps.first!, through: timestamps.last!)
    let market = try MarketSeries(name: "fold", frame: period)
    var p = [Double](repeating: .nan, count: period.rowCount)
    for (k, t) in timestamps.enumerated() { if let row = period.index.position(of: t) { p[row] = probabilities[k] } }
    let cache = IndicatorCache(market: market)
    cache.probabilities = Column(p)
    let runner = StrategyRunner(kind: .model, configuration: settings.configuration)
    var recording = FullRecording()
    var accumulator = PerformanceAccumulator(initialEquity: settings.configuration.initialCapital,
                                             periodsPerYear: settings.configuration.annualization(for: prices.index.timestamps), capacity: market.count)
    let summary = try runner.run(try runner.resolve(["threshold": threshold, "smoothing": smoothing]), cache: cache,
                                 accumulator: &accumulator, recorder: &recording)
    return (summary, recording.returns, market.timestamps)
  }
}

extension FeatureSet {
  /// The rows `range` (with their target).
  func subset(_ range: Range<Int>, target: [Double]) -> FeatureSet {
    FeatureSet(names: names, timestamps: Array(timestamps[range]),
               matrix: Matrix(columns: (0..<names.count).map { matrix.column($0)[rows: range] }), target: Array(target[range]))
  }
}

/// Out-of-sample results stitched across folds.
public enum WalkForwardReport {
  /// The test returns of every fold in time order, compounded into one equity curve.
  public static func stitched(_ folds: [WalkForward.Fold], capital: Double) -> (timestamps: [Int64], equity: [Double], returns: [Double], fold: [Int]) {
    var timestamps: [Int64] = [], equity: [Double] = [], returns: [Double] = [], fold: [Int] = []
    var e = capital
    for f in folds {
      for (t, r) in zip(f.testTimestamps, f.testReturns) {
        e *= 1 + r
        timestamps.append(t); equity.append(e); returns.append(r); fold.append(f.index)
      }
    }
    return (timestamps, equity, returns, fold)
  }

  /// The summary of the stitched out-of-sample run: return statistics from the stitched
  /// returns, trade statistics and exposure added up over the folds, turnover as the sum of each
  /// fold's traded value over its mean equity, per year.
  public static func summary(_ folds: [WalkForward.Fold], returns: [Double], periodsPerYear: Double) -> PerformanceSummary {
    var s = PerformanceSummary(returns: returns, periodsPerYear: periodsPerYear)
    var turnoverYears = 0.0
    for f in folds {
      let t = f.testSummary
      s.trades += t.trades; s.winningTrades += t.winningTrades; s.losingTrades += t.losingTrades
      s.grossProfit += t.grossProfit; s.grossLoss += t.grossLoss
      s.tradeReturnSum += t.tradeReturnSum; s.winningReturnSum += t.winningReturnSum; s.losingReturnSum += t.losingReturnSum
      s.exposedBars += t.exposedBars
      if t.meanEquity > 0 { turnoverYears += t.tradedValue / t.meanEquity }
    }
    // Turnover reads tradedValue / meanEquity: express the sum in units of the stitched mean.
    s.tradedValue = turnoverYears * s.meanEquity
    return s
  }

  /// Metrics of the returns of each calendar year (UTC).
  public static func byYear(timestamps: [Int64], returns: [Double], periodsPerYear: Double) -> [(year: Int, metrics: [Double])] {
    var groups: [Int: [Double]] = [:], order: [Int] = []
    for (t, r) in zip(timestamps, returns) {
      let year = UTCCalendar.civil(days: UTCCalendar.day(of: t)).year
      if groups[year] == nil { order.append(year) }
      groups[year, default: []].append(r)
    }
    return order.map { ($0, Metrics.values(PerformanceSummary(returns: groups[$0]!, periodsPerYear: periodsPerYear))) }
  }
}
