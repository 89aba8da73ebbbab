#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One feature of a spec as a state stepped bar by bar: it reads its inputs from the bar's
/// fields (positions fixed when the stream is built) and writes its outputs. A spec's batch
/// columns are the fold of these kernels over the frame's rows (`FeatureStream`), so a live
/// session gets the same bits by feeding the same bars.
protocol FeatureKernel: Sendable {
  mutating func update(_ fields: UnsafeBufferPointer<Double>, into out: UnsafeMutableBufferPointer<Double>)
}

/// A streaming indicator of one field, one output.
struct SeriesKernel<State: StreamingIndicator>: FeatureKernel where State.Input == Double {
  let field: Int
  var state: State

  mutating func update(_ fields: UnsafeBufferPointer<Double>, into out: UnsafeMutableBufferPointer<Double>) {
    out[0] = state.update(fields[field])
  }
}

/// A streaming indicator of the bar's high, low and close, one output.
struct BarKernel<State: StreamingIndicator>: FeatureKernel where State.Input == HighLowClose {
  let high: Int, low: Int, close: Int
  var state: State

  mutating func update(_ fields: UnsafeBufferPointer<Double>, into out: UnsafeMutableBufferPointer<Double>) {
    out[0] = state.update(HighLowClose(high: fields[high], low: fields[low], close: fields[close]))
  }
}

/// A value against the one `periods` bars back: simple or log return, lag, difference
/// (pandas `pct_change`, `np.log(s / s.shift())`, `shift`, `diff`); `NaN` until that bar exists.
struct LagKernel: FeatureKernel {
  enum Form: Sendable { case simpleReturn, logReturn, lag, difference }
  let field: Int, periods: Int, form: Form
  var ring: WindowRing

  init(field: Int, periods: Int, form: Form) {
    self.field = field; self.periods = periods; self.form = form
    ring = WindowRing(window: periods + 1)
  }

  mutating func update(_ fields: UnsafeBufferPointer<Double>, into out: UnsafeMutableBufferPointer<Double>) {
    let x = fields[field]
    ring.push(x)
    let before = ring.filled > periods ? ring.back(periods) : .nan
    switch form {
    case .simpleReturn: out[0] = x / before - 1
    case .logReturn: out[0] = log(x / before)
    case .lag: out[0] = before
    case .difference: out[0] = x - before
    }
  }
}

/// `(x − mean) / std` (ddof 1) over the trailing window, current bar included; a constant
/// window gives `0/0 = NaN`.
struct ZScoreKernel: FeatureKernel {
  let field: Int
  var deviation: RollingDeviationState

  mutating func update(_ fields: UnsafeBufferPointer<Double>, into out: UnsafeMutableBufferPointer<Double>) {
    let x = fields[field], sd = deviation.update(x)
    out[0] = (x - deviation.mean) / sd
  }
}

/// MACD with pandas conventions (`ewm(span, adjust=False)` throughout): the line, its signal
/// and the histogram.
struct MACDKernel: FeatureKernel {
  let field: Int
  var fast: EMAState, slow: EMAState, signal: EMAState

  mutating func update(_ fields: UnsafeBufferPointer<Double>, into out: UnsafeMutableBufferPointer<Double>) {
    let x = fields[field]
    let line = fast.update(x) - slow.update(x)
    let s = signal.update(line)
    out[0] = line; out[1] = s; out[2] = line - s
  }
}

/// Bollinger %B `(x − lower) / (upper − lower)` and bandwidth `(upper − lower) / middle`
/// (population deviation, TA-Lib `BBANDS`).
struct BollingerKernel: FeatureKernel {
  let field: Int
  var bands: BollingerState

  mutating func update(_ fields: UnsafeBufferPointer<Double>, into out: UnsafeMutableBufferPointer<Double>) {
    let x = fields[field], b = bands.update(x)
    out[0] = (x - b.lower) / (b.upper - b.lower)
    out[1] = (b.upper - b.lower) / b.middle
  }
}

/// The Donchian channel: highest high, lowest low, their midpoint.
struct DonchianKernel: FeatureKernel {
  let high: Int, low: Int
  var upper: RollingExtremumState, lower: RollingExtremumState

  mutating func update(_ fields: UnsafeBufferPointer<Double>, into out: UnsafeMutableBufferPointer<Double>) {
    let u = upper.update(fields[high]), l = lower.update(fields[low])
    out[0] = u; out[1] = l; out[2] = (u + l) / 2
  }
}

/// The sample deviation (ddof 1) of one-bar log returns over the window, times `√P`.
struct RealizedVolatilityKernel: FeatureKernel {
  let field: Int, scale: Double
  var previous = Double.nan
  var deviation: RollingDeviationState

  mutating func update(_ fields: UnsafeBufferPointer<Double>, into out: UnsafeMutableBufferPointer<Double>) {
    let x = fields[field]
    let r = log(x / previous)
    previous = x
    out[0] = deviation.update(r) * scale
  }
}
