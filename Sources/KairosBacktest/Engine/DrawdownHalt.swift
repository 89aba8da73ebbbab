/// The risk manager's drawdown halt on an account's equity (docs/DESIGN.md §4), one
/// implementation for the single-asset and the portfolio core.
///
/// Checked after each close: the halt triggers at the first close whose drawdown from the
/// running peak (the initial capital included) is deeper than `maxDrawdown`:
/// `E_t / max_{s≤t} E_s − 1 < −limit`. While halted it checks the resume policy
/// (`RiskRules.resumes`); on resuming the peak restarts at the current equity. What the engine
/// does while halted is `PositionBook.decide`'s rule.
public struct DrawdownHalt: Sendable, Equatable {
  public let rules: RiskRules
  /// Whether a limit is set at all (the per-bar test is skipped otherwise).
  public let isEnabled: Bool
  public private(set) var halted = false
  /// The close that triggered the current (or last) halt.
  public private(set) var haltBar = 0
  public private(set) var peak: Double
  /// Equity below this may breach the limit (`peak × (1 − limit)`, raised by 1e-12 relative so
  /// rounding can never hide a breach): the exact test divides only then.
  var threshold = -Double.infinity

  public init(rules: RiskRules, initialEquity: Double) {
    self.rules = rules
    isEnabled = rules.maxDrawdown != nil
    peak = initialEquity
    setThreshold()
  }

  mutating func setThreshold() {
    if let limit = rules.maxDrawdown { threshold = peak * (1 - limit) * (1 + 1e-12) }
  }

  /// The state after the close of bar `t` with equity `equity`; `true` when a halt triggers here.
  @inline(__always)
  public mutating func update(equity: Double, bar t: Int) -> Bool {
    guard isEnabled, halted || equity > peak || equity < threshold else { return false }
    return change(equity: equity, bar: t)
  }

  @inline(__always)
  mutating func change(equity: Double, bar t: Int) -> Bool {
    guard let limit = rules.maxDrawdown else { return false }
    if halted {
      if rules.resumes(bar: t, haltBar: haltBar, equity: equity, peak: peak) {
        halted = false
        peak = equity
        setThreshold()
      }
      return false
    }
    if equity > peak {
      peak = equity
      setThreshold()
    } else if equity / peak - 1 < -limit {
      halted = true
      haltBar = t
      return true
    }
    return false
  }
}
