import KairosCore
import KairosFrame

/// One feature of a spec: a kind plus its parameters (YAML keys in `snake_case`).
///
/// ```yaml
/// - kind: sma
///   window: 20
/// - kind: rsi          # period defaults to 14
/// - kind: zscore
///   column: volume
///   window: 50
///   name: volume_z50   # optional; otherwise derived (volume_zscore_50)
/// ```
public struct FeatureDefinition: Codable, Sendable, Equatable {
  public var kind: String
  public var name: String?
  public var column: String?
  public var window: Int?
  public var period: Int?
  public var periods: Int?
  public var span: Double?
  public var k: Double?
  public var fast: Int?
  public var slow: Int?
  public var signal: Int?
  public var periodsPerYear: Double?

  enum CodingKeys: String, CodingKey {
    case kind, name, column, window, period, periods, span, k, fast, slow, signal
    case periodsPerYear = "periods_per_year"
  }

  public init(kind: String, name: String? = nil, column: String? = nil, window: Int? = nil, period: Int? = nil,
              periods: Int? = nil, span: Double? = nil, k: Double? = nil, fast: Int? = nil, slow: Int? = nil,
              signal: Int? = nil, periodsPerYear: Double? = nil) {
    self.kind = kind; self.name = name; self.column = column; self.window = window; self.period = period
    self.periods = periods; self.span = span; self.k = k; self.fast = fast; self.slow = slow
    self.signal = signal; self.periodsPerYear = periodsPerYear
  }

  /// Every kind, with its pandas / TA-Lib equivalent (for `--help` and error messages).
  public static let kinds: [(kind: String, equivalent: String)] = [
    ("returns", "s.pct_change(periods)"), ("log_returns", "np.log(s / s.shift(periods))"),
    ("sma", "s.rolling(window).mean(); TA-Lib SMA"), ("ema", "s.ewm(span=span, adjust=False).mean()"),
    ("rolling_sum", "s.rolling(window).sum()"), ("rolling_mean", "s.rolling(window).mean()"),
    ("rolling_std", "s.rolling(window).std()  (ddof 1)"), ("zscore", "(s - s.rolling(w).mean()) / s.rolling(w).std()"),
    ("rolling_min", "s.rolling(window).min()"), ("rolling_max", "s.rolling(window).max()"),
    ("rank", "s.rolling(window).rank(pct=True)"), ("rsi", "TA-Lib RSI(period)"), ("atr", "TA-Lib ATR(period)"),
    ("true_range", "TA-Lib TRANGE"), ("macd", "ewm(12) - ewm(26), signal ewm(9), adjust=False"),
    ("bollinger", "%B and bandwidth, TA-Lib BBANDS (ddof 0)"), ("donchian", "high.rolling(w).max(), low.rolling(w).min()"),
    ("efficiency_ratio", "Kaufman: |Δw| / Σ|Δ1|"), ("choppiness", "100·log10(ΣTR / (max H − min L)) / log10(w)"),
    ("realized_volatility", "np.log(s).diff().rolling(w).std() * sqrt(P)"), ("volume_zscore", "zscore of volume"),
    ("lag", "s.shift(periods)"), ("diff", "s.diff(periods)"),
  ]

  /// The output columns: (name, values) pairs computed from `frame`.
  public func compute(on frame: Frame, index: Int) throws(FeatureError) -> [(String, Column<Double>)] {
    let label = name ?? kind
    func require(_ value: Int?, _ parameter: String, default fallback: Int? = nil, minimum: Int = 1) throws(FeatureError) -> Int {
      guard let v = value ?? fallback else {
        throw .invalidParameter(feature: label, name: parameter, reason: "is required")
      }
      guard v >= minimum else { throw .invalidParameter(feature: label, name: parameter, reason: "must be at least \(minimum), was \(v)") }
      guard v <= Swift.max(frame.rowCount, minimum) || frame.rowCount == 0 else {
        throw .invalidParameter(feature: label, name: parameter, reason: "is \(v), longer than the data (\(frame.rowCount) rows)")
      }
      return v
    }
    func series(_ fallback: String = "close") throws(FeatureError) -> (String, Column<Double>) {
      let source = column ?? fallback
      guard let values = frame[source] else { throw .missingColumn(name: source, feature: label, available: frame.columnNames) }
      return (source, values)
    }
    func bars() throws(FeatureError) -> (Column<Double>, Column<Double>, Column<Double>) {
      for c in ["high", "low", "close"] where !frame.hasColumn(c) {
        throw .missingColumn(name: c, feature: label, available: frame.columnNames)
      }
      return (frame["high"]!, frame["low"]!, frame["close"]!)
    }
    func named(_ base: String, source: String, default defaultSource: String = "close") -> String {
      name ?? (source == defaultSource ? base : "\(source)_\(base)")
    }
    switch kind {
    case "returns":
      let (source, x) = try series(); let p = try require(periods, "periods", default: 1)
      return [(named("returns_\(p)", source: source), x.returns(periods: p))]
    case "log_returns":
      let (source, x) = try series(); let p = try require(periods, "periods", default: 1)
      return [(named("log_returns_\(p)", source: source), x.logReturns(periods: p))]
    case "sma", "rolling_mean":
      let (source, x) = try series(); let w = try require(window, "window")
      return [(named("\(kind)_\(w)", source: source), x.rollingMean(window: w))]
    case "ema":
      let (source, x) = try series()
      guard let s = span, s >= 1 else { throw .invalidParameter(feature: label, name: "span", reason: "must be given and at least 1") }
      return [(named("ema_\(Self.format(s))", source: source), x.exponentialMovingAverage(span: s))]
    case "rolling_sum":
      let (source, x) = try series(); let w = try require(window, "window")
      return [(named("rolling_sum_\(w)", source: source), x.rollingSum(window: w))]
    case "rolling_std":
      let (source, x) = try series(); let w = try require(window, "window", minimum: 2)
      return [(named("rolling_std_\(w)", source: source), x.rollingStandardDeviation(window: w))]
    case "zscore":
      let (source, x) = try series(); let w = try require(window, "window", minimum: 2)
      return [(named("zscore_\(w)", source: source), x.rollingZScore(window: w))]
    case "rolling_min":
      let (source, x) = try series(); let w = try require(window, "window")
      return [(named("rolling_min_\(w)", source: source), x.rollingMin(window: w))]
    case "rolling_max":
      let (source, x) = try series(); let w = try require(window, "window")
      return [(named("rolling_max_\(w)", source: source), x.rollingMax(window: w))]
    case "rank":
      let (source, x) = try series(); let w = try require(window, "window")
      return [(named("rank_\(w)", source: source), x.rollingPercentileRank(window: w))]
    case "rsi":
      let (source, x) = try series(); let p = try require(period, "period", default: 14, minimum: 2)
      return [(named("rsi_\(p)", source: source), x.relativeStrengthIndex(period: p))]
    case "atr":
      let (h, l, c) = try bars(); let p = try require(period, "period", default: 14)
      return [(name ?? "atr_\(p)", PriceBars.averageTrueRange(high: h, low: l, close: c, period: p))]
    case "true_range":
      let (h, l, c) = try bars()
      return [(name ?? "true_range", PriceBars.trueRange(high: h, low: l, close: c))]
    case "macd":
      let (source, x) = try series()
      let f = try require(fast, "fast", default: 12), s = try require(slow, "slow", default: 26), g = try require(signal, "signal", default: 9)
      guard f < s else { throw .invalidParameter(feature: label, name: "fast", reason: "must be below slow (\(s)), was \(f)") }
      let lines = x.macd(fast: f, slow: s, signal: g)
      let base = named("macd_\(f)_\(s)_\(g)", source: source)
      return [(base, lines.macd), ("\(base)_signal", lines.signal), ("\(base)_histogram", lines.histogram)]
    case "bollinger":
      let (source, x) = try series(); let w = try require(window, "window", default: 20, minimum: 2)
      let width = k ?? 2
      guard width > 0 else { throw .invalidParameter(feature: label, name: "k", reason: "must be positive, was \(width)") }
      let b = x.bollinger(window: w, k: width)
      let suffix = "\(w)" + (width == 2 ? "" : "_\(Self.format(width))")
      let prefix = name ?? (source == "close" ? "bollinger" : "\(source)_bollinger")
      return [("\(prefix)_percent_b_\(suffix)", b.percentB), ("\(prefix)_bandwidth_\(suffix)", b.bandwidth)]
    case "donchian":
      let (h, l, _) = try bars(); let w = try require(window, "window", default: 20)
      let channel = PriceBars.donchianChannel(high: h, low: l, window: w)
      let prefix = name ?? "donchian"
      return [("\(prefix)_upper_\(w)", channel.upper), ("\(prefix)_lower_\(w)", channel.lower), ("\(prefix)_middle_\(w)", channel.middle)]
    case "efficiency_ratio":
      let (source, x) = try series(); let w = try require(window, "window", default: 10)
      return [(named("efficiency_ratio_\(w)", source: source), x.efficiencyRatio(window: w))]
    case "choppiness":
      let (h, l, c) = try bars(); let w = try require(window, "window", default: 14, minimum: 2)
      return [(name ?? "choppiness_\(w)", PriceBars.choppinessIndex(high: h, low: l, close: c, window: w))]
    case "realized_volatility":
      let (source, x) = try series(); let w = try require(window, "window", default: 20, minimum: 2)
      let p = periodsPerYear ?? 252
      guard p > 0 else { throw .invalidParameter(feature: label, name: "periods_per_year", reason: "must be positive, was \(p)") }
      return [(named("realized_volatility_\(w)", source: source), x.realizedVolatility(window: w, periodsPerYear: p))]
    case "volume_zscore":
      let (_, v) = try series("volume"); let w = try require(window, "window", default: 20, minimum: 2)
      return [(name ?? "volume_zscore_\(w)", v.rollingZScore(window: w))]
    case "lag":
      let (source, x) = try series(); let p = try require(periods, "periods", default: 1)
      return [(name ?? "\(source)_lag_\(p)", x.lagged(p))]
    case "diff":
      let (source, x) = try series(); let p = try require(periods, "periods", default: 1)
      return [(name ?? "\(source)_diff_\(p)", x.differenced(p))]
    default:
      throw .unknownFeature(kind: kind, index: index, known: Self.kinds.map(\.kind))
    }
  }

  static func format(_ x: Double) -> String {
    x == x.rounded() && Swift.abs(x) < 1e15 ? String(Int(x)) : "\(x)"
  }
}
