import KairosBacktest
import KairosCore
import KairosResearch

/// What the dashboard shows of a session at one moment (docs/DESIGN.md §10): taken between two
/// bars, so every part describes the same bar.
public struct MonitorSnapshot: Sendable {
  public var status: PaperStatus
  /// One entry per time stepped: its start, the equity after it, the gross exposure (Σ |position
  /// value| / equity).
  public var times: [Int64], equity: [Double], grossExposure: [Double]
  /// The batch backtest of the same bars (`kairos backtest` on them), for the overlay; nil where
  /// the session is not a one-symbol rule strategy.
  public var backtestEquity: [Double]?
  /// Computes `backtestEquity` (a whole-history backtest): run outside the session's lock, so
  /// the session never waits for it.
  public var backtest: (@Sendable () -> [Double]?)?
  public var initialCapital: Double

  public struct Position: Sendable {
    public var symbol: String, units: Double, lastClose: Double, entryPrice: Double?
    /// `units × (last close − entry price)`; nil when the entry price is not known.
    public var unrealized: Double?
  }
  public var positions: [Position]

  public struct Order: Sendable {
    public var time: Int64, symbol: String, record: OrderRecord
  }
  /// Every order, oldest first (the API and the page show the last ones).
  public var orders: [Order]

  /// The risk limits and how much of each is in use (fractions of equity).
  public struct LimitUse: Sendable {
    public var name: String, limit: Double?, used: Double
  }
  public var limits: [LimitUse]

  /// Model risk: the version, the state, rolling figures against the validation reference.
  public struct ModelHealth: Sendable {
    public var version: Int, state: String
    public var logLoss: Double, referenceLogLoss: Double, hitRate: Double, referenceHitRate: Double, auc: Double, psi: Double
    /// The rolling log-loss per row (NaN before the first fit), for the chart.
    public var logLossSeries: [Double], psiSeries: [Double]
  }
  public var model: ModelHealth?

  /// Time of the last bar per symbol, for the feed panel.
  public var symbols: [String] { status.symbols }

  /// The drawdown after each time, `equity / running peak − 1`, the initial capital included.
  public var drawdown: [Double] {
    var peak = initialCapital
    return equity.map { e in peak = Swift.max(peak, e); return e / peak - 1 }
  }

  /// At most `count` evenly spaced time positions (the first and the last always in; `count`
  /// below 2: every time) — what the charts and `/api/equity` draw.
  public func evenlySpaced(atMost count: Int) -> [Int] {
    let n = times.count
    return count < 2 || n <= count ? Array(0..<n) : (0..<count).map { $0 * (n - 1) / (count - 1) }
  }

  static func modelHealth(_ risk: LiveModelRisk, versions: Int) -> ModelHealth {
    let m = risk.monitor, reference = risk.reference
    return ModelHealth(version: versions, state: ["warm-up", "active", "degraded (fallback trading)"][risk.state.rawValue],
                       logLoss: m.logLoss.last ?? .nan, referenceLogLoss: reference.logLoss, hitRate: m.hitRate.last ?? .nan,
                       referenceHitRate: reference.hitRate, auc: m.auc.last ?? .nan, psi: m.psi.last ?? .nan,
                       logLossSeries: m.logLoss, psiSeries: m.psi)
  }
}
