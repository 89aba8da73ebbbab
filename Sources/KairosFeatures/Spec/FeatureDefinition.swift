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

  /// The parameters each kind reads (besides `kind` and `name`).
  static let keys: [String: Set<String>] = {
    var keys: [String: Set<String>] = [:]
    for kind in ["returns", "log_returns", "lag", "diff"] { keys[kind] = ["column", "periods"] }
    for kind in ["sma", "rolling_mean", "rolling_sum", "rolling_std", "zscore", "rolling_min", "rolling_max", "rank", "efficiency_ratio"] {
      keys[kind] = ["column", "window"]
    }
    keys["ema"] = ["column", "span"]
    keys["rsi"] = ["column", "period"]
    keys["atr"] = ["period"]
    keys["true_range"] = []
    keys["macd"] = ["column", "fast", "slow", "signal"]
    keys["bollinger"] = ["column", "window", "k"]
    keys["donchian"] = ["window"]
    keys["choppiness"] = ["window"]
    keys["realized_volatility"] = ["column", "window", "periods_per_year"]
    keys["volume_zscore"] = ["column", "window"]
    return keys
  }()

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

  /// The output columns: (name, values) pairs computed from `frame` — the fold of this
  /// feature's kernel over the rows (see `FeatureStream`).
  public func compute(on frame: Frame, index: Int) throws(FeatureError) -> [(String, Column<Double>)] {
    let stream = try FeatureStream(features: [self], columns: frame.columnNames, rowCount: frame.rowCount, firstIndex: index)
    return try stream.fold(over: frame)
  }

  /// This feature's kernel and output names. Input fields are looked up in `available` (a
  /// frame's or a feed's column names) and registered in `fields`, whose positions the kernel
  /// reads; `rowCount` (when known) refuses windows longer than the data.
  func kernel(available: [String], rowCount: Int?, index: Int, fields: inout [String]) throws(FeatureError) -> (names: [String], kernel: any FeatureKernel) {
    let label = name ?? kind
    func require(_ value: Int?, _ parameter: String, default fallback: Int? = nil, minimum: Int = 1) throws(FeatureError) -> Int {
      guard let v = value ?? fallback else {
        throw .invalidParameter(feature: label, name: parameter, reason: "is required")
      }
      guard v >= minimum else { throw .invalidParameter(feature: label, name: parameter, reason: "must be at least \(minimum), was \(v)") }
      if let rowCount, v > Swift.max(rowCount, minimum) && rowCount > 0 {
        throw .invalidParameter(feature: label, name: parameter, reason: "is \(v), longer than the data (\(rowCount) rows)")
      }
      return v
    }
    func field(_ column: String) throws(FeatureError) -> Int {
      guard available.contains(column) else { throw .missingColumn(name: column, feature: label, available: available) }
      if let k = fields.firstIndex(of: column) { return k }
      fields.append(column)
      return fields.count - 1
    }
    func series(_ fallback: String = "close") throws(FeatureError) -> (String, Int) {
      let source = column ?? fallback
      return (source, try field(source))
    }
    func bars() throws(FeatureError) -> (Int, Int, Int) { (try field("high"), try field("low"), try field("close")) }
    func named(_ base: String, source: String, default defaultSource: String = "close") -> String {
      name ?? (source == defaultSource ? base : "\(source)_\(base)")
    }
    // A key the kind does not read is an error, not a silent default (`window: 5` on `returns`,
    // which takes `periods`, used to compute one-bar returns without a word).
    if let accepted = Self.keys[kind] {
      let given: [(String, Bool)] = [("column", column != nil), ("window", window != nil), ("period", period != nil), ("periods", periods != nil),
                                     ("span", span != nil), ("k", k != nil), ("fast", fast != nil), ("slow", slow != nil), ("signal", signal != nil),
                                     ("periods_per_year", periodsPerYear != nil)]
      for (key, present) in given where present && !accepted.contains(key) {
        let takes = accepted.sorted().joined(separator: ", ")
        throw .invalidParameter(feature: label, name: key, reason: "does not apply to \(kind)" + (takes.isEmpty ? " (it takes no parameters)" : "; it takes \(takes)"))
      }
    }
    switch kind {
    case "returns", "log_returns", "lag", "diff":
      let (source, x) = try series(); let p = try require(periods, "periods", default: 1)
      let form: LagKernel.Form = ["returns": .simpleReturn, "log_returns": .logReturn, "lag": .lag, "diff": .difference][kind]!
      let base = ["returns": "returns_\(p)", "log_returns": "log_returns_\(p)"][kind]
      let output = base.map { named($0, source: source) } ?? (name ?? "\(source)_\(kind)_\(p)")
      return ([output], LagKernel(field: x, periods: p, form: form))
    case "sma", "rolling_mean":
      let (source, x) = try series(); let w = try require(window, "window")
      return ([named("\(kind)_\(w)", source: source)], MeanKernel(field: x, state: RollingMeanState(window: w)))
    case "ema":
      let (source, x) = try series()
      guard let s = span, s >= 1 else { throw .invalidParameter(feature: label, name: "span", reason: "must be given and at least 1") }
      return ([named("ema_\(Self.format(s))", source: source)], EMAKernel(field: x, state: EMAState(span: s)))
    case "rolling_sum":
      let (source, x) = try series(); let w = try require(window, "window")
      return ([named("rolling_sum_\(w)", source: source)], SumKernel(field: x, state: RollingSumState(window: w)))
    case "rolling_std":
      let (source, x) = try series(); let w = try require(window, "window", minimum: 2)
      return ([named("rolling_std_\(w)", source: source)], DeviationKernel(field: x, state: RollingDeviationState(window: w)))
    case "zscore":
      let (source, x) = try series(); let w = try require(window, "window", minimum: 2)
      return ([named("zscore_\(w)", source: source)], ZScoreKernel(field: x, deviation: RollingDeviationState(window: w)))
    case "rolling_min", "rolling_max":
      let (source, x) = try series(); let w = try require(window, "window")
      return ([named("\(kind)_\(w)", source: source)], ExtremumKernel(field: x, state: RollingExtremumState(window: w, maximum: kind == "rolling_max")))
    case "rank":
      let (source, x) = try series(); let w = try require(window, "window")
      return ([named("rank_\(w)", source: source)], RankKernel(field: x, state: RollingPercentileRankState(window: w)))
    case "rsi":
      let (source, x) = try series(); let p = try require(period, "period", default: 14, minimum: 2)
      return ([named("rsi_\(p)", source: source)], RSIKernel(field: x, state: RSIState(period: p)))
    case "atr":
      let (h, l, c) = try bars(); let p = try require(period, "period", default: 14)
      return ([name ?? "atr_\(p)"], ATRKernel(high: h, low: l, close: c, state: ATRState(period: p)))
    case "true_range":
      let (h, l, c) = try bars()
      return ([name ?? "true_range"], TrueRangeKernel(high: h, low: l, close: c, state: TrueRangeState()))
    case "macd":
      let (source, x) = try series()
      let f = try require(fast, "fast", default: 12), s = try require(slow, "slow", default: 26), g = try require(signal, "signal", default: 9)
      guard f < s else { throw .invalidParameter(feature: label, name: "fast", reason: "must be below slow (\(s)), was \(f)") }
      let base = named("macd_\(f)_\(s)_\(g)", source: source)
      return ([base, "\(base)_signal", "\(base)_histogram"],
              MACDKernel(field: x, fast: EMAState(span: Double(f)), slow: EMAState(span: Double(s)), signal: EMAState(span: Double(g))))
    case "bollinger":
      let (source, x) = try series(); let w = try require(window, "window", default: 20, minimum: 2)
      let width = k ?? 2
      guard width > 0 && width.isFinite else { throw .invalidParameter(feature: label, name: "k", reason: "must be positive, was \(width)") }
      let suffix = "\(w)" + (width == 2 ? "" : "_\(Self.format(width))")
      let prefix = name ?? (source == "close" ? "bollinger" : "\(source)_bollinger")
      return (["\(prefix)_percent_b_\(suffix)", "\(prefix)_bandwidth_\(suffix)"], BollingerKernel(field: x, bands: BollingerState(window: w, k: width)))
    case "donchian":
      let (h, l, _) = try bars(); let w = try require(window, "window", default: 20)
      let prefix = name ?? "donchian"
      return (["\(prefix)_upper_\(w)", "\(prefix)_lower_\(w)", "\(prefix)_middle_\(w)"],
              DonchianKernel(high: h, low: l, upper: RollingExtremumState(window: w, maximum: true), lower: RollingExtremumState(window: w, maximum: false)))
    case "efficiency_ratio":
      let (source, x) = try series(); let w = try require(window, "window", default: 10)
      return ([named("efficiency_ratio_\(w)", source: source)], EfficiencyRatioKernel(field: x, state: EfficiencyRatioState(window: w)))
    case "choppiness":
      let (h, l, c) = try bars(); let w = try require(window, "window", default: 14, minimum: 2)
      return ([name ?? "choppiness_\(w)"], ChoppinessKernel(high: h, low: l, close: c, state: ChoppinessState(window: w)))
    case "realized_volatility":
      let (source, x) = try series(); let w = try require(window, "window", default: 20, minimum: 2)
      let p = periodsPerYear ?? 252
      guard p > 0 && p.isFinite else { throw .invalidParameter(feature: label, name: "periods_per_year", reason: "must be positive, was \(p)") }
      return ([named("realized_volatility_\(w)", source: source)],
              RealizedVolatilityKernel(field: x, scale: p.squareRoot(), deviation: RollingDeviationState(window: w)))
    case "volume_zscore":
      let (_, v) = try series("volume"); let w = try require(window, "window", default: 20, minimum: 2)
      return ([name ?? "volume_zscore_\(w)"], ZScoreKernel(field: v, deviation: RollingDeviationState(window: w)))
    default:
      throw .unknownFeature(kind: kind, index: index, known: Self.kinds.map(\.kind))
    }
  }

  static func format(_ x: Double) -> String {
    x == x.rounded() && Swift.abs(x) < 1e15 ? String(Int(x)) : "\(x)"
  }
}
