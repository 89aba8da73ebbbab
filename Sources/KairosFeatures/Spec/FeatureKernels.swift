#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One feature of a spec as a state stepped bar by bar: it reads its inputs from the bar's
/// fields (positions fixed when the stream is built) and writes its outputs. A spec's batch
/// columns are the fold of these kernels over the frame's rows (`FeatureStream`), so a live
/// session gets the same bits by feeding the same bars.
///
/// Each kernel writes `update` once; `step` (one bar from a buffer) and `fold` (every row of
/// the frame's columns) are the protocol's, specialized for each kernel type, so a batch runs
/// one tight loop per feature with no dynamic call per bar.
protocol FeatureKernel: Sendable {
  mutating func update<Bar: FeatureFields, Out: FeatureOutputs>(_ bar: Bar, _ out: Out)
  mutating func step(_ fields: UnsafeBufferPointer<Double>, into out: UnsafeMutableBufferPointer<Double>)
  mutating func fold(_ inputs: UnsafePointer<UnsafePointer<Double>>, into outputs: UnsafePointer<UnsafeMutablePointer<Double>>, rows: Int)
}

extension FeatureKernel {
  mutating func step(_ fields: UnsafeBufferPointer<Double>, into out: UnsafeMutableBufferPointer<Double>) {
    update(BufferFields(fields: fields), BufferOutputs(out: out))
  }

  mutating func fold(_ inputs: UnsafePointer<UnsafePointer<Double>>, into outputs: UnsafePointer<UnsafeMutablePointer<Double>>, rows: Int) {
    for t in 0..<rows { update(ColumnFields(columns: inputs, row: t), ColumnOutputs(columns: outputs, row: t)) }
  }
}

/// A bar's fields by position.
protocol FeatureFields { subscript(_ field: Int) -> Double { get } }
/// A kernel's outputs by position (0 is its first).
protocol FeatureOutputs { subscript(_ k: Int) -> Double { get nonmutating set } }

struct BufferFields: FeatureFields {
  let fields: UnsafeBufferPointer<Double>
  @inline(__always) subscript(_ field: Int) -> Double { fields[field] }
}
struct BufferOutputs: FeatureOutputs {
  let out: UnsafeMutableBufferPointer<Double>
  @inline(__always) subscript(_ k: Int) -> Double { get { out[k] } nonmutating set { out[k] = newValue } }
}
/// Row `row` of a frame's columns.
struct ColumnFields: FeatureFields {
  let columns: UnsafePointer<UnsafePointer<Double>>, row: Int
  @inline(__always) subscript(_ field: Int) -> Double { columns[field][row] }
}
struct ColumnOutputs: FeatureOutputs {
  let columns: UnsafePointer<UnsafeMutablePointer<Double>>, row: Int
  @inline(__always) subscript(_ k: Int) -> Double { get { columns[k][row] } nonmutating set { columns[k][row] = newValue } }
}

/// A streaming indicator of one field, one output. Conformers are concrete types (not one
/// generic wrapper), so each gets its own specialized loop.
protocol SeriesKernel: FeatureKernel {
  associatedtype State: StreamingIndicator where State.Input == Double
  var field: Int { get }
  var state: State { get set }
}
extension SeriesKernel {
  @inline(__always) mutating func update<Bar: FeatureFields, Out: FeatureOutputs>(_ bar: Bar, _ out: Out) { out[0] = state.update(bar[field]) }
}
struct MeanKernel: SeriesKernel { let field: Int; var state: RollingMeanState }
struct SumKernel: SeriesKernel { let field: Int; var state: RollingSumState }
struct DeviationKernel: SeriesKernel { let field: Int; var state: RollingDeviationState }
struct ExtremumKernel: SeriesKernel { let field: Int; var state: RollingExtremumState }
struct RankKernel: SeriesKernel { let field: Int; var state: RollingPercentileRankState }
struct EMAKernel: SeriesKernel { let field: Int; var state: EMAState }
struct RSIKernel: SeriesKernel { let field: Int; var state: RSIState }
struct EfficiencyRatioKernel: SeriesKernel { let field: Int; var state: EfficiencyRatioState }

/// A streaming indicator of the bar's high, low and close, one output.
protocol BarKernel: FeatureKernel {
  associatedtype State: StreamingIndicator where State.Input == HighLowClose
  var high: Int { get }
  var low: Int { get }
  var close: Int { get }
  var state: State { get set }
}
extension BarKernel {
  @inline(__always) mutating func update<Bar: FeatureFields, Out: FeatureOutputs>(_ bar: Bar, _ out: Out) {
    out[0] = state.update(HighLowClose(high: bar[high], low: bar[low], close: bar[close]))
  }
}
struct ATRKernel: BarKernel { let high: Int, low: Int, close: Int; var state: ATRState }
struct TrueRangeKernel: BarKernel { let high: Int, low: Int, close: Int; var state: TrueRangeState }
struct ChoppinessKernel: BarKernel { let high: Int, low: Int, close: Int; var state: ChoppinessState }

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

  mutating func update<Bar: FeatureFields, Out: FeatureOutputs>(_ bar: Bar, _ out: Out) {
    let x = bar[field]
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

  mutating func update<Bar: FeatureFields, Out: FeatureOutputs>(_ bar: Bar, _ out: Out) {
    let x = bar[field], sd = deviation.update(x)
    out[0] = (x - deviation.mean) / sd
  }
}

/// MACD with pandas conventions (`ewm(span, adjust=False)` throughout): the line, its signal
/// and the histogram.
struct MACDKernel: FeatureKernel {
  let field: Int
  var fast: EMAState, slow: EMAState, signal: EMAState

  mutating func update<Bar: FeatureFields, Out: FeatureOutputs>(_ bar: Bar, _ out: Out) {
    let x = bar[field]
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

  mutating func update<Bar: FeatureFields, Out: FeatureOutputs>(_ bar: Bar, _ out: Out) {
    let x = bar[field], b = bands.update(x)
    out[0] = (x - b.lower) / (b.upper - b.lower)
    out[1] = (b.upper - b.lower) / b.middle
  }
}

/// The Donchian channel: highest high, lowest low, their midpoint.
struct DonchianKernel: FeatureKernel {
  let high: Int, low: Int
  var upper: RollingExtremumState, lower: RollingExtremumState

  mutating func update<Bar: FeatureFields, Out: FeatureOutputs>(_ bar: Bar, _ out: Out) {
    let u = upper.update(bar[high]), l = lower.update(bar[low])
    out[0] = u; out[1] = l; out[2] = (u + l) / 2
  }
}

/// The sample deviation (ddof 1) of one-bar log returns over the window, times `√P`.
struct RealizedVolatilityKernel: FeatureKernel {
  let field: Int, scale: Double
  var previous = Double.nan
  var deviation: RollingDeviationState

  mutating func update<Bar: FeatureFields, Out: FeatureOutputs>(_ bar: Bar, _ out: Out) {
    let x = bar[field]
    let r = log(x / previous)
    previous = x
    out[0] = deviation.update(r) * scale
  }
}
