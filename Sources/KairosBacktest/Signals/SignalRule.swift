/// A trading rule evaluated bar by bar inside the engine's loop.
///
/// `target(at: t)` is called once per bar, in order, after the close of bar `t`, and must use
/// data up to and including bar `t` only (docs/DESIGN.md §4: the order it implies fills at bar
/// t + 1). Rules are structs over unsafe pointers into precomputed indicators; the engine is
/// generic over the rule, so the call is inlined and the loop has no existential or dictionary.
public protocol SignalRule {
  /// +1 long, −1 short, 0 flat.
  mutating func target(at t: Int) -> Int8
}

/// Long while `fast > slow` (short while below, when shorts are allowed); flat while either is
/// `NaN`. The `sma-cross` and `ema-cross` strategies.
public struct CrossSignal: SignalRule {
  let fast: UnsafePointer<Double>
  let slow: UnsafePointer<Double>
  let below: Int8

  public init(fast: UnsafePointer<Double>, slow: UnsafePointer<Double>, allowShort: Bool) {
    self.fast = fast
    self.slow = slow
    below = allowShort ? -1 : 0
  }

  @inline(__always)
  public mutating func target(at t: Int) -> Int8 {
    let f = fast[t], s = slow[t]
    return f > s ? 1 : (f <= s ? below : 0)
  }
}

/// Mean reversion on an oscillator with hysteresis: enter long when it falls below `lower`,
/// leave when it rises above `upper` (and, with shorts, enter short there, leaving below
/// `lower`). The `rsi-reversion` strategy.
public struct OscillatorReversionSignal: SignalRule {
  let value: UnsafePointer<Double>
  let lower: Double, upper: Double
  let allowShort: Bool
  var state: Int8 = 0

  public init(value: UnsafePointer<Double>, lower: Double, upper: Double, allowShort: Bool) {
    self.value = value; self.lower = lower; self.upper = upper; self.allowShort = allowShort
  }

  @inline(__always)
  public mutating func target(at t: Int) -> Int8 {
    let v = value[t]
    if v < lower { state = 1 } else if v > upper { state = allowShort ? -1 : 0 }
    return state
  }
}

/// Mean reversion to a band's middle: long when the close falls below the lower band, out when
/// it crosses back above the middle; with shorts, the mirror image. The `bollinger-reversion`
/// strategy.
public struct BandReversionSignal: SignalRule {
  let close: UnsafePointer<Double>, lower: UnsafePointer<Double>, middle: UnsafePointer<Double>, upper: UnsafePointer<Double>
  let allowShort: Bool
  var state: Int8 = 0

  public init(close: UnsafePointer<Double>, lower: UnsafePointer<Double>, middle: UnsafePointer<Double>, upper: UnsafePointer<Double>, allowShort: Bool) {
    self.close = close; self.lower = lower; self.middle = middle; self.upper = upper; self.allowShort = allowShort
  }

  @inline(__always)
  public mutating func target(at t: Int) -> Int8 {
    let c = close[t]
    if c < lower[t] { state = 1 }
    else if allowShort && c > upper[t] { state = -1 }
    else if (state == 1 && c > middle[t]) || (state == -1 && c < middle[t]) { state = 0 }
    return state
  }
}

/// Channel breakout: long when the close rises above the highest high of the previous
/// `window` bars, out (or short) when it falls below their lowest low. The
/// `donchian-breakout` strategy.
public struct BreakoutSignal: SignalRule {
  let close: UnsafePointer<Double>, previousUpper: UnsafePointer<Double>, previousLower: UnsafePointer<Double>
  let allowShort: Bool
  var state: Int8 = 0

  public init(close: UnsafePointer<Double>, previousUpper: UnsafePointer<Double>, previousLower: UnsafePointer<Double>, allowShort: Bool) {
    self.close = close; self.previousUpper = previousUpper; self.previousLower = previousLower; self.allowShort = allowShort
  }

  @inline(__always)
  public mutating func target(at t: Int) -> Int8 {
    let c = close[t]
    if c > previousUpper[t] { state = 1 } else if c < previousLower[t] { state = allowShort ? -1 : 0 }
    return state
  }
}

/// A precomputed direction series (model signals, tests).
public struct ArraySignal: SignalRule {
  let direction: UnsafePointer<Int8>
  public init(direction: UnsafePointer<Int8>) { self.direction = direction }
  @inline(__always)
  public mutating func target(at t: Int) -> Int8 { direction[t] }
}

/// A rule gated bar by bar: by filters (a volatility band, a choppiness filter) and by the
/// agreement of a coarser timeframe. `gate[t]` is 2 to let the base target through, +1 or −1 to
/// let it through only when it equals that direction (multi-timeframe confirmation), 0 to hold
/// flat. The base rule still sees every bar, so its state stays current.
public struct GatedSignal<Base: SignalRule>: SignalRule {
  var base: Base
  let gate: UnsafePointer<Int8>

  public init(_ base: Base, gate: UnsafePointer<Int8>) {
    self.base = base
    self.gate = gate
  }

  @inline(__always)
  public mutating func target(at t: Int) -> Int8 {
    let b = base.target(at: t), g = gate[t]
    return g == 2 || b == g ? b : 0
  }
}
