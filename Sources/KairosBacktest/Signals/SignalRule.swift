/// A trading rule evaluated bar by bar inside the engine's loop.
///
/// `target(at: t)` is called once per bar, in order, after the close of bar `t`, and must use
/// data up to and including bar `t` only (docs/DESIGN.md §4: the order it implies fills at bar
/// t + 1). The decision itself lives in a value-level rule (`CrossRule`, `ReversionRule`, …)
/// that takes its inputs by value; the types here only read those inputs from precomputed
/// indicator columns (folds of the same streaming states), so the engine is generic over the
/// rule, the call is inlined and the loop has no existential. `StreamingStrategy` feeds the
/// same value-level rules from indicator states, bar by bar.
public protocol SignalRule {
  /// +1 long, −1 short, 0 flat.
  mutating func target(at t: Int) -> Int8
  /// Whether the rule's inputs are known at bar `t` (`false` during their warm-up); what
  /// `--trigger cross` waits for. Rules whose target starts flat need not say.
  func isDefined(at t: Int) -> Bool
  /// For a rule whose targets are known ahead (`TrackedSignal`): the first bar in `t..<end`
  /// whose target (shorts removed when not allowed) is not `quiet`, or `end` — without asking
  /// for those targets. `nil` (every other rule): the engine asks bar by bar.
  func departure(from t: Int, to end: Int, quiet: Int8) -> Int?
}

extension SignalRule {
  @inline(__always)
  public func isDefined(at t: Int) -> Bool { true }
  @inline(__always)
  public func departure(from t: Int, to end: Int, quiet: Int8) -> Int? { nil }
}

/// `--trigger cross` (docs/DESIGN.md §4): the target is held flat until it first changes after
/// the rule's warm-up, so a cross strategy enters on a cross, not on the state it finds when its
/// averages first exist. The one implementation, for the column rules (`CrossTriggeredSignal`)
/// and the bar-by-bar strategy (`StreamingStrategy`).
public struct CrossTrigger: Sendable, Equatable {
  var reference: Int8 = 0, seen = false, armed = false
  public init() {}

  /// The target to act on, given the rule's `target` and whether its inputs are known.
  @inline(__always)
  public mutating func filter(_ target: Int8, defined: Bool) -> Int8 {
    if armed { return target }
    guard defined else { return 0 }
    if !seen { seen = true; reference = target; return 0 }
    if target != reference { armed = true; return target }
    return 0
  }
}

// MARK: - The rules, by value

/// Long while `fast > slow`, short while below (when shorts are allowed), flat while either is
/// `NaN`. The `sma-cross` and `ema-cross` strategies.
public struct CrossRule: Sendable, Equatable {
  let below: Int8
  public init(allowShort: Bool) { below = allowShort ? -1 : 0 }
  @inline(__always)
  public func update(fast f: Double, slow s: Double) -> Int8 { f > s ? 1 : (f <= s ? below : 0) }
}

/// Mean reversion on an oscillator with hysteresis: long when it falls below `lower`, out (or,
/// with shorts, short) when it rises above `upper`. The `rsi-reversion` strategy.
public struct OscillatorReversionRule: Sendable, Equatable {
  let lower: Double, upper: Double, allowShort: Bool
  var state: Int8 = 0
  public init(lower: Double, upper: Double, allowShort: Bool) { self.lower = lower; self.upper = upper; self.allowShort = allowShort }
  @inline(__always)
  public mutating func update(_ v: Double) -> Int8 {
    if v < lower { state = 1 } else if v > upper { state = allowShort ? -1 : 0 }
    return state
  }
}

/// Mean reversion to a band's middle: long when the close falls below the lower band, out when
/// it crosses back above the middle; with shorts, the mirror image. The `bollinger-reversion`
/// strategy.
public struct BandReversionRule: Sendable, Equatable {
  let allowShort: Bool
  var state: Int8 = 0
  public init(allowShort: Bool) { self.allowShort = allowShort }
  @inline(__always)
  public mutating func update(close c: Double, lower: Double, middle: Double, upper: Double) -> Int8 {
    if c < lower { state = 1 }
    else if allowShort && c > upper { state = -1 }
    else if (state == 1 && c > middle) || (state == -1 && c < middle) { state = 0 }
    return state
  }
}

/// Channel breakout: long when the close rises above the highest high of the previous `window`
/// bars, out (or short) when it falls below their lowest low. The `donchian-breakout` strategy.
public struct BreakoutRule: Sendable, Equatable {
  let allowShort: Bool
  var state: Int8 = 0
  public init(allowShort: Bool) { self.allowShort = allowShort }
  @inline(__always)
  public mutating func update(close c: Double, previousUpper: Double, previousLower: Double) -> Int8 {
    if c > previousUpper { state = 1 } else if c < previousLower { state = allowShort ? -1 : 0 }
    return state
  }
}

/// A gate on a rule's target: `2` lets it through, `+1`/`−1` only when it equals that
/// direction (multi-timeframe confirmation), `0` holds flat.
@inline(__always)
public func gated(_ target: Int8, by gate: Int8) -> Int8 { gate == 2 || target == gate ? target : 0 }

// MARK: - Column readers

public struct CrossSignal: SignalRule {
  let fast: UnsafePointer<Double>, slow: UnsafePointer<Double>
  let rule: CrossRule
  public init(fast: UnsafePointer<Double>, slow: UnsafePointer<Double>, allowShort: Bool) {
    self.fast = fast; self.slow = slow; rule = CrossRule(allowShort: allowShort)
  }
  @inline(__always)
  public mutating func target(at t: Int) -> Int8 { rule.update(fast: fast[t], slow: slow[t]) }
  @inline(__always)
  public func isDefined(at t: Int) -> Bool { !fast[t].isNaN && !slow[t].isNaN }
  /// The rule keeps no state, so its targets ahead are known from the two columns: the
  /// engine's quiet loops learn where a stretch ends from a scan, four bars per step, instead
  /// of asking bar by bar. The scan states, for the quiet target, which bars would give
  /// another (`CrossRule.update`: above → 1, at or below → `below`, either `NaN` → 0); the
  /// bar it stops at is confirmed by `update` itself, and a test holds the two equal on every
  /// case, `NaN` included. Shorts are out of `update` when not allowed (the strategy builds
  /// the rule with the run's `allowShort`), as `departure` requires.
  @inline(__always)
  public func departure(from t: Int, to end: Int, quiet: Int8) -> Int? {
    typealias V = SIMD4<Double>
    @inline(__always) func scan(_ differs: (V, V) -> SIMDMask<V.MaskStorage>) -> Int {
      var u = t
      while u &+ 4 <= end {
        let f = V(UnsafeBufferPointer(start: fast + u, count: 4)), s = V(UnsafeBufferPointer(start: slow + u, count: 4))
        if any(differs(f, s)) { break }
        u &+= 4
      }
      while u < end && rule.update(fast: fast[u], slow: slow[u]) == quiet { u &+= 1 }
      return u
    }
    switch (quiet, rule.below) {
    case (1, _): return scan { f, s in .!(f .> s) }
    case (0, 0): return scan { f, s in f .> s }
    case (0, _): return scan { f, s in (f .> s) .| (f .<= s) }
    case (-1, -1): return scan { f, s in .!(f .<= s) }
    default: return Swift.min(t, end)  // a target the rule never gives: the first bar departs
    }
  }
}

public struct OscillatorReversionSignal: SignalRule {
  let value: UnsafePointer<Double>
  var rule: OscillatorReversionRule
  public init(value: UnsafePointer<Double>, lower: Double, upper: Double, allowShort: Bool) {
    self.value = value; rule = OscillatorReversionRule(lower: lower, upper: upper, allowShort: allowShort)
  }
  @inline(__always)
  public mutating func target(at t: Int) -> Int8 { rule.update(value[t]) }
}

public struct BandReversionSignal: SignalRule {
  let close: UnsafePointer<Double>, lower: UnsafePointer<Double>, middle: UnsafePointer<Double>, upper: UnsafePointer<Double>
  var rule: BandReversionRule
  public init(close: UnsafePointer<Double>, lower: UnsafePointer<Double>, middle: UnsafePointer<Double>, upper: UnsafePointer<Double>, allowShort: Bool) {
    self.close = close; self.lower = lower; self.middle = middle; self.upper = upper; rule = BandReversionRule(allowShort: allowShort)
  }
  @inline(__always)
  public mutating func target(at t: Int) -> Int8 { rule.update(close: close[t], lower: lower[t], middle: middle[t], upper: upper[t]) }
}

public struct BreakoutSignal: SignalRule {
  let close: UnsafePointer<Double>, previousUpper: UnsafePointer<Double>, previousLower: UnsafePointer<Double>
  var rule: BreakoutRule
  public init(close: UnsafePointer<Double>, previousUpper: UnsafePointer<Double>, previousLower: UnsafePointer<Double>, allowShort: Bool) {
    self.close = close; self.previousUpper = previousUpper; self.previousLower = previousLower; rule = BreakoutRule(allowShort: allowShort)
  }
  @inline(__always)
  public mutating func target(at t: Int) -> Int8 { rule.update(close: close[t], previousUpper: previousUpper[t], previousLower: previousLower[t]) }
}

/// A precomputed direction series (model signals, tests).
public struct ArraySignal: SignalRule {
  let direction: UnsafePointer<Int8>
  public init(direction: UnsafePointer<Int8>) { self.direction = direction }
  @inline(__always)
  public mutating func target(at t: Int) -> Int8 { direction[t] }
}

/// A rule gated bar by bar by a precomputed gate (filters, confirmation; see `gated`). The base
/// rule still sees every bar, so its state stays current.
public struct GatedSignal<Base: SignalRule>: SignalRule {
  var base: Base
  let gate: UnsafePointer<Int8>
  public init(_ base: Base, gate: UnsafePointer<Int8>) { self.base = base; self.gate = gate }
  @inline(__always)
  public mutating func target(at t: Int) -> Int8 { gated(base.target(at: t), by: gate[t]) }
  @inline(__always)
  public func isDefined(at t: Int) -> Bool { base.isDefined(at: t) }
}

/// A rule under `--trigger cross` (see `CrossTrigger`).
public struct CrossTriggeredSignal<Base: SignalRule>: SignalRule {
  var base: Base
  var trigger = CrossTrigger()
  public init(_ base: Base) { self.base = base }
  @inline(__always)
  public mutating func target(at t: Int) -> Int8 { trigger.filter(base.target(at: t), defined: base.isDefined(at: t)) }
  @inline(__always)
  public func isDefined(at t: Int) -> Bool { base.isDefined(at: t) }
}
