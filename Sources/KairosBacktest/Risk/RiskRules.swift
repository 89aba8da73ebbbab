/// The risk manager's rules, consulted by the engine before every order (issue 5; nautilus
/// keeps risk checks as a separate engine between strategy and execution, here they are
/// parameters of the same loop so sweeps can vary them at full speed).
public struct RiskRules: Sendable, Equatable, Codable {
  /// When trading resumes after a drawdown halt.
  public enum Resume: Sendable, Equatable, Codable {
    /// Never again in this backtest.
    case never
    /// After this many bars.
    case afterBars(Int)
    /// When equity is back to this fraction of the peak (e.g. 0.9). While flat, equity does not
    /// move, so this resumes only if the halt came with an open position that recovered.
    case recovery(Double)
  }

  /// Largest loss per trade as a fraction of equity, given the stop distance: an entry's units
  /// are clipped to `risk × equity / stop distance` (needs a stop-loss; `nil`: no limit).
  public var maxRiskPerTrade: Double?
  /// Halt at a drawdown deeper than this fraction of the peak equity (e.g. 0.2): flatten at the
  /// next fill and block entries (`nil`: no halt).
  public var maxDrawdown: Double?
  public var resume: Resume

  public init(maxRiskPerTrade: Double? = nil, maxDrawdown: Double? = nil, resume: Resume = .never) {
    self.maxRiskPerTrade = maxRiskPerTrade
    self.maxDrawdown = maxDrawdown
    self.resume = resume
  }

  /// Whether a halt that began at the close of `haltBar` ends at the close of `bar`, with
  /// `equity` now and `peak` the peak the halt was measured from (both engines ask this).
  @inlinable
  public func resumes(bar: Int, haltBar: Int, equity: Double, peak: Double) -> Bool {
    switch resume {
    case .never: return false
    case let .afterBars(n): return bar - haltBar >= n
    case let .recovery(fraction): return equity >= fraction * peak
    }
  }

  /// The seed's defaults: 2 % risk per trade, a 20 % drawdown halt that never resumes.
  public static let standard = RiskRules(maxRiskPerTrade: 0.02, maxDrawdown: 0.2, resume: .never)
}
