/// pandas `ewm(span=, adjust=False).mean()`, term for term, including its `NaN` rule
/// (`ignore_na=False`): `y[0] = x[0]`; `y[t] = ((1 − α)^g · y[t−1] + α · x[t]) / ((1 − α)^g + α)`
/// with `g` the rows since the last observation; at a `NaN` the previous value is carried;
/// leading `NaN`s stay `NaN`. Recursive: remembers every bar (see `StreamingIndicator`).
public struct EMAState: StreamingIndicator {
  public let alpha: Double
  let decay: Double
  /// Without a gap the denominator is (1 − α) + α; when that is exactly 1.0 the division
  /// changes no bit and is skipped (the recursion's slowest step).
  let unitDenominator: Bool
  var average = Double.nan
  var oldWeight = 1.0

  public init(span: Double) {
    precondition(span >= 1, "span must be at least 1, was \(span)")
    self.init(alpha: 2 / (span + 1))
  }

  public init(alpha: Double) {
    self.alpha = alpha
    decay = 1 - alpha
    unitDenominator = decay + alpha == 1
  }

  @inline(__always)
  public mutating func update(_ v: Double) -> Double {
    if average.isNaN {
      average = v
      return v
    }
    oldWeight *= decay
    if !v.isNaN {
      if average != v {
        let numerator = oldWeight * average + alpha * v
        average = unitDenominator && oldWeight == decay ? numerator : numerator / (oldWeight + alpha)
      }
      oldWeight = 1
    }
    return average
  }
}

/// Wilder smoothing with TA-Lib seeding: the first value (after `period` inputs) is their mean,
/// then `y = (y·(period − 1) + x) / period`. `NaN` before; a `NaN` input makes every later
/// value `NaN` (TA-Lib has no missing values). Recursive.
public struct WilderState: StreamingIndicator {
  public let period: Int
  var seen = 0, sum = 0.0, y = Double.nan

  public init(period: Int) {
    precondition(period >= 1, "period must be positive, was \(period)")
    self.period = period
  }

  @inline(__always)
  public mutating func update(_ x: Double) -> Double {
    let p = Double(period)
    if seen < period {
      sum += x
      seen += 1
      if seen < period { return .nan }
      y = sum / p
      return y
    }
    y = (y * (p - 1) + x) / p
    return y
  }
}

/// One bar's high, low and close.
public struct HighLowClose: Sendable, Equatable {
  public var high: Double, low: Double, close: Double
  public init(high: Double, low: Double, close: Double) { self.high = high; self.low = low; self.close = close }
}

/// True range, TA-Lib `TRANGE`: `max(high − low, |high − previous close|, |low − previous
/// close|)`; `NaN` at the first bar (no previous close).
public struct TrueRangeState: StreamingIndicator {
  var previousClose = Double.nan, started = false
  public init() {}

  @inline(__always)
  public mutating func update(_ b: HighLowClose) -> Double {
    defer { previousClose = b.close; started = true }
    guard started else { return .nan }
    return Swift.max(b.high - b.low, Swift.max(Swift.abs(b.high - previousClose), Swift.abs(b.low - previousClose)))
  }
}

/// TA-Lib `ATR(period)`: Wilder smoothing of the true range from the second bar; the first
/// value is at bar `period`. Recursive.
public struct ATRState: StreamingIndicator {
  var range = TrueRangeState()
  var wilder: WilderState
  var first = true

  public init(period: Int = 14) { wilder = WilderState(period: period) }

  @inline(__always)
  public mutating func update(_ b: HighLowClose) -> Double {
    let tr = range.update(b)
    if first { first = false; return .nan }
    return wilder.update(tr)
  }
}

/// TA-Lib `RSI(period)`: the first value (bar `period`) from the plain means of the first
/// `period` gains and losses, then Wilder's recursion; `100 · gain / (gain + loss)`, 0 when both
/// are 0. A `NaN` close makes every later value `NaN`. Recursive.
public struct RSIState: StreamingIndicator {
  public let period: Int
  var previous = Double.nan, seen = 0
  var gain = 0.0, loss = 0.0

  public init(period: Int = 14) {
    precondition(period >= 2, "period must be at least 2, was \(period)")
    self.period = period
  }

  @inline(__always)
  public mutating func update(_ x: Double) -> Double {
    defer { previous = x; seen += 1 }
    guard seen > 0 else { return .nan }
    let d = x - previous, p = Double(period)
    if seen < period {
      gain += Swift.max(d, 0); loss += Swift.max(-d, 0)
      return .nan
    }
    if seen == period {
      gain += Swift.max(d, 0); loss += Swift.max(-d, 0)
      gain /= p; loss /= p
    } else {
      gain = (gain * (p - 1) + Swift.max(d, 0)) / p
      loss = (loss * (p - 1) + Swift.max(-d, 0)) / p
    }
    return gain + loss == 0 ? 0 : 100 * gain / (gain + loss)
  }
}
