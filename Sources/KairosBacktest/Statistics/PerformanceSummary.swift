#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import KairosCore

/// The sufficient statistics of a backtest from which every metric of docs/DESIGN.md §5 follows.
///
/// The engine fills it in one streaming pass (`PerformanceAccumulator`); `init(returns:…)` builds
/// it from arrays (reports, tests). Each metric is a type of its own (`SharpeRatio`,
/// `MaxDrawdown`, …) that reads this summary, so both paths share one definition.
public struct PerformanceSummary: Sendable, Equatable {
  /// Number of per-bar returns `n`.
  public var count: Int = 0
  /// `Π(1 + rᵢ)`.
  public var growth: Double = 1
  /// Mean of the returns.
  public var mean: Double = .nan
  /// Sample standard deviation (ddof 1).
  public var standardDeviation: Double = .nan
  /// `mean(min(rᵢ, 0)²)`.
  public var downsideMeanSquare: Double = .nan
  /// `min_t (E_t / max_{s≤t} E_s − 1)`, the initial capital included (≤ 0).
  public var maxDrawdown: Double = 0
  /// numpy `percentile(r, 5)` (linear interpolation).
  public var valueAtRisk: Double = .nan
  /// Mean of the `k + 1` smallest returns, `k = ⌊(n − 1)·0.05⌋` (empyrical).
  public var conditionalValueAtRisk: Double = .nan
  /// Periods per year `P` (252 for daily bars).
  public var periodsPerYear: Double = 252
  /// Closed round trips.
  public var trades: Int = 0
  public var winningTrades: Int = 0
  public var losingTrades: Int = 0
  /// Σ positive trade pnl and Σ negative trade pnl (≤ 0).
  public var grossProfit: Double = 0
  public var grossLoss: Double = 0
  /// Σ trade returns: all, winning, losing.
  public var tradeReturnSum: Double = 0
  public var winningReturnSum: Double = 0
  public var losingReturnSum: Double = 0
  /// Bars with a non-zero position at the close.
  public var exposedBars: Int = 0
  /// Σ |units × fill price| over all fills.
  public var tradedValue: Double = 0
  /// Mean equity over the bars.
  public var meanEquity: Double = .nan

  public init() {}
}

extension PerformanceSummary {
  /// The summary of a return series (no trades), with the equity curve implied by it.
  public init(returns: [Double], periodsPerYear: Double = 252) {
    var accumulator = PerformanceAccumulator(initialEquity: 1, periodsPerYear: periodsPerYear, capacity: returns.count)
    var equity = 1.0
    for r in returns {
      equity *= 1 + r
      accumulator.addBar(equity: equity, return: r, exposed: false)
    }
    self = accumulator.finish()
  }
}

/// The bar returns and equities of one backtest: two buffers sized once with the expected
/// number of bars and reused (a class, so copies of the accumulator share them instead of
/// copying on write). Immutable (no dynamic exclusivity checks in the loop): a live run of
/// unknown length replaces it by a buffer twice as large when full.
@usableFromInline
final class _BarBuffer {
  @usableFromInline let returns: UnsafeMutablePointer<Double>
  @usableFromInline let equity: UnsafeMutablePointer<Double>
  /// Scratch for the tail: every 16th return (its threshold), then one of the two buffers the
  /// selection partitions between.
  @usableFromInline let scratch: UnsafeMutablePointer<Double>
  @usableFromInline let capacity: Int
  init(capacity: Int) {
    self.capacity = Swift.max(capacity, 1)
    returns = .allocate(capacity: self.capacity)
    equity = .allocate(capacity: self.capacity)
    scratch = .allocate(capacity: self.capacity)
  }
  /// A buffer of twice the capacity holding the first `count` bars of this one.
  @usableFromInline @inline(never)
  func doubled(keeping count: Int) -> _BarBuffer { copy(capacity: capacity * 2, keeping: count) }

  /// A buffer of `capacity` holding the first `count` bars of this one (the scratch is not kept).
  @inline(never)
  func copy(capacity: Int, keeping count: Int) -> _BarBuffer {
    let other = _BarBuffer(capacity: capacity)
    other.returns.update(from: returns, count: count)
    other.equity.update(from: equity, count: count)
    return other
  }
  deinit { returns.deallocate(); equity.deallocate(); scratch.deallocate() }
}

/// Streaming accumulation of a `PerformanceSummary`.
///
/// What one bar adds to the running statistics: its return and equity stored (an idle bar —
/// no position and a return of exactly 0 — only counted, see `IdleBars`), the growth product,
/// the running peak and deepest drawdown, the exposed bars. A small value type of scalars and
/// two pointers (no reference), so a driver's loop keeps it in registers (`EngineCore.runQuiet`
/// copies it out of the accumulator, adds its bars, and puts it back); the buffers must hold
/// the bars stored (`PerformanceAccumulator.reserve`).
@usableFromInline
struct BarTally {
  /// Bars stored: all but the idle ones, in order.
  @usableFromInline var stored = 0
  /// Bars without a position whose return is exactly 0: counted, not stored.
  @usableFromInline var idle = IdleBars()
  @usableFromInline var growth = 1.0
  @usableFromInline var exposedBars = 0
  @usableFromInline var maxDrawdown = 0.0
  @usableFromInline var peak: Double
  /// `peak × (1 + maxDrawdown)`, slightly raised: equity above it cannot set a new minimum, so
  /// the drawdown divides only on bars that may.
  @usableFromInline var drawdownThreshold: Double
  @usableFromInline var returns: UnsafeMutablePointer<Double>
  @usableFromInline var equities: UnsafeMutablePointer<Double>

  @usableFromInline
  init(initialEquity: Double, returns: UnsafeMutablePointer<Double>, equities: UnsafeMutablePointer<Double>) {
    peak = initialEquity
    drawdownThreshold = initialEquity * (1 + 1e-12)
    self.returns = returns
    self.equities = equities
  }

  /// Every bar added so far.
  @inlinable
  var count: Int { stored &+ idle.count }

  /// One bar marked at `equity` after `previous` (the last bar's equity, or the initial
  /// capital): its return is `equity / previous − 1`, exactly 0 when the equity did not move.
  /// Returns the return.
  @inlinable @inline(__always)
  mutating func add(equity: Double, previous: Double, exposed: Bool) -> Double {
    let moved = equity != previous
    let r = moved ? equity / previous - 1 : 0
    add(equity: equity, return: r, exposed: exposed)
    return r
  }

  /// `n` bars at `equity`, the equity of the bar added last: what `n` calls of
  /// `add(equity:previous: equity, exposed: false)` do — idle bars, counted; the growth is
  /// multiplied by 1, the peak is already at least `equity` and an unmoved equity cannot set
  /// a new drawdown, so nothing else changes. No store: a flat stretch costs the summary
  /// nothing per bar.
  @inlinable @inline(__always)
  mutating func addUnmoved(equity: Double, bars n: Int) {
    guard n > 0 else { return }
    idle.add(equity: equity, bars: n)
  }

  /// One bar. A bar whose equity did not move cannot set a new drawdown (the same peak, and
  /// the same equity already compared with it): if it reaches the drawdown test it finds the
  /// drawdown and the threshold it left, so it needs no test of its own. A held bar is always
  /// stored (`exposed` is a constant in the engine's held loop: no test there).
  @inlinable @inline(__always)
  mutating func add(equity: Double, return r: Double, exposed: Bool) {
    if exposed || r != 0 {
      let k = stored
      returns[k] = r
      equities[k] = equity
      stored = k &+ 1
      growth *= 1 + r
    } else {
      idle.add(equity: equity, bars: 1)  // × (1 + 0) leaves the growth as it is
    }
    if equity > peak {
      peak = equity
      drawdownThreshold = peak * (1 + maxDrawdown) * (1 + 1e-12)
    } else if equity <= drawdownThreshold {
      let drawdown = equity / peak - 1
      if drawdown < maxDrawdown { maxDrawdown = drawdown }
      drawdownThreshold = peak * (1 + maxDrawdown) * (1 + 1e-12)
    }
    if exposed { exposedBars &+= 1 }
  }
}

/// The idle bars: no position at the close and a return of exactly 0 — every bar of a flat
/// stretch but the first. They add nothing to `Σr` or `Σmin(r, 0)²`, `−z·m` and `z·m²` to the
/// deviations from the mean `m`, and a 0 to the tail, so the summary needs only their number
/// and the sum of their equities — not a store each. The equities are summed by runs of one value (a
/// flat stretch's cash), each run's `equity × bars` added once to a compensated sum: whether
/// the bars come one at a time (a live session, the core stepped bar by bar) or a stretch at
/// once (`EngineCore.runQuiet`), the runs and so the bits are the same.
@usableFromInline
struct IdleBars {
  @usableFromInline var count = 0
  /// The equity of the current run and its bars.
  @usableFromInline var runEquity = 0.0
  @usableFromInline var runBars = 0
  /// `Σ equity × bars` of the runs before the current one.
  @usableFromInline var finishedRuns = KahanSum()

  @inlinable init() {}

  /// `n` more bars at `equity` (once per flat stretch in a whole-history run).
  @usableFromInline @inline(never)
  mutating func add(equity: Double, bars n: Int) {
    count &+= n
    if equity == runEquity {
      runBars &+= n
    } else {
      if runBars > 0 { finishedRuns.add(runEquity * Double(runBars)) }
      runEquity = equity
      runBars = n
    }
  }

  /// `Σ equity` over these bars.
  var equitySum: KahanSum {
    var sum = finishedRuns
    if runBars > 0 { sum.add(runEquity * Double(runBars)) }
    return sum
  }
}

/// Per bar the engine only stores the return and the equity (an idle bar only counted) and
/// updates the running product, the drawdown and the exposure (`BarTally`): no loop-carried
/// sum in the hot loop. `finish` then sums the stored bars in one vectorized pass (blocks of
/// 128 in eight plain lanes, the blocks' sums in compensated Kahan lanes: numpy's pairwise
/// accuracy or better), adds what the idle bars add in closed form, and takes the two tail
/// statistics by selection. No allocation after `init` while the bars fit the
/// capacity given (past it the buffers double, for live runs of unknown length); `reset`
/// reuses them.
public struct PerformanceAccumulator {
  /// The trade and fill statistics and the periods per year (the per-bar ones are in `bars`
  /// until `finish`).
  @usableFromInline var summary = PerformanceSummary()
  @usableFromInline var bars: BarTally
  /// Owns the storage that `bars` points into.
  @usableFromInline var buffer: _BarBuffer
  @usableFromInline var capacity: Int
  @usableFromInline let initialEquity: Double

  public init(initialEquity: Double, periodsPerYear: Double, capacity: Int = 1024) {
    self.initialEquity = initialEquity
    summary.periodsPerYear = periodsPerYear
    buffer = _BarBuffer(capacity: capacity)
    bars = BarTally(initialEquity: initialEquity, returns: buffer.returns, equities: buffer.equity)
    self.capacity = buffer.capacity
  }

  /// An accumulator over a shared one-bar buffer, put in place of one that moves into an
  /// engine (`take()`), so the moved one holds the only reference to its buffers and `finish`
  /// works in them without copying. Never fed bars.
  @usableFromInline
  init(placeholderFor other: PerformanceAccumulator) {
    initialEquity = other.initialEquity
    buffer = Self.placeholderBuffer
    bars = BarTally(initialEquity: other.initialEquity, returns: buffer.returns, equities: buffer.equity)
    capacity = 0
  }

  nonisolated(unsafe) static let placeholderBuffer = _BarBuffer(capacity: 1)

  /// Moves this accumulator out, leaving a placeholder: the engine that takes it then holds the
  /// only reference to the buffers (a sweep's `finish` would otherwise copy 2 × bars values
  /// per combination to protect a copy that is never used again).
  @inlinable
  public mutating func take() -> PerformanceAccumulator {
    let moved = self
    self = PerformanceAccumulator(placeholderFor: moved)
    return moved
  }

  /// Starts over (keeps the buffers).
  public mutating func reset() {
    let p = summary.periodsPerYear
    summary = PerformanceSummary()
    summary.periodsPerYear = p
    bars = BarTally(initialEquity: initialEquity, returns: buffer.returns, equities: buffer.equity)
  }

  /// One bar: its closing equity, its return `E_t / E_{t−1} − 1`, whether a position was held.
  @inlinable @inline(__always)
  public mutating func addBar(equity: Double, return r: Double, exposed: Bool) {
    if bars.stored == capacity { grow() }
    bars.add(equity: equity, return: r, exposed: exposed)
  }

  /// One bar marked at `equity` after `previous` (the last bar's equity, or the initial
  /// capital): the engines' rule for the bar's return (`BarTally.add`). Returns the return.
  @inlinable @inline(__always)
  public mutating func addBar(equity: Double, previous: Double, exposed: Bool) -> Double {
    if bars.stored == capacity { grow() }
    return bars.add(equity: equity, previous: previous, exposed: exposed)
  }

  /// Makes room for `more` bars beyond those stored (no allocation if they fit).
  @inlinable
  public mutating func reserve(_ more: Int) {
    while capacity - bars.stored < more { grow() }
  }

  /// Doubles the storage (a live run longer than the capacity it started with).
  @usableFromInline @inline(never)
  mutating func grow() {
    buffer = buffer.doubled(keeping: bars.stored)
    bars.returns = buffer.returns
    bars.equities = buffer.equity
    capacity = buffer.capacity
  }

  /// A fill of `value = |units × fill price|`.
  @inlinable
  public mutating func addFill(value: Double) { summary.tradedValue += value }

  /// A closed round trip with its net pnl and return.
  @inlinable
  public mutating func addTrade(pnl: Double, return r: Double) {
    summary.trades += 1
    summary.tradeReturnSum += r
    if pnl > 0 { summary.winningTrades += 1; summary.grossProfit += pnl; summary.winningReturnSum += r }
    else if pnl < 0 { summary.losingTrades += 1; summary.grossLoss += pnl; summary.losingReturnSum += r }
  }

  /// The summary: sums of the stored bars, then the tail statistics (reorders the returns).
  public mutating func finish() -> PerformanceSummary {
    var s = summary
    s.count = bars.count
    s.growth = bars.growth
    s.maxDrawdown = bars.maxDrawdown
    s.exposedBars = bars.exposedBars
    let n = s.count, stored = bars.stored, idle = bars.idle.count
    guard n > 0 else { return s }
    let count = Double(n)
    let keep = Self.tailSize(n)
    // The idle bars' returns (exactly 0) are not stored; at most `keep` of them can be in the
    // tail, and they are written after the stored returns when it is selected: room for them.
    let zerosInTail = Swift.min(idle, keep)
    // The passes below overwrite the buffers (the tail is gathered into the equity buffer). A
    // copy of an accumulator that is still running — a live session's files or report taken
    // between two bars — shares them: it takes buffers of its own first, so the running one
    // keeps its bars.
    if !isKnownUniquelyReferenced(&buffer) || stored + zerosInTail > buffer.capacity {
      buffer = buffer.copy(capacity: Swift.max(buffer.capacity, stored + zerosInTail), keeping: stored)
      bars.returns = buffer.returns
      bars.equities = buffer.equity
      capacity = buffer.capacity
    }
    // Two passes over the stored returns. The first sums the returns, their downside squares
    // and the equity; the second the deviations from the mean and, in the same loop, gathers
    // the returns that can be in the 5 % tail (VaR, CVaR). The idle bars add `−z·m` and `z·m²`
    // to the deviations and their equities' sum to the equity's.
    let (sum, downside, storedEquity) = Self.sums(buffer.returns, buffer.equity, stored)
    s.mean = sum / count
    var equity = bars.idle.equitySum
    equity.add(storedEquity)
    s.meanEquity = equity.value / count
    // The equity buffer is free from here (its sum is taken): the threshold's selection
    // partitions in it, then it takes the gathered tail.
    let threshold = Self.tailThreshold(buffer.returns, stored, keep: keep, samples: buffer.scratch, scratch: buffer.equity)
    let (deviations, squares, gathered) = Self.deviations(buffer.returns, stored, from: s.mean, zeros: idle,
                                                          gatheringAtMost: threshold, into: buffer.equity)
    if n > 1 {
      // Corrected two-pass variance (Chan, Golub & LeVeque): the second term removes the
      // rounding of the mean, so a constant series has variance exactly 0 (Sharpe NaN, never
      // a huge number from one-pass cancellation).
      let variance = (squares - deviations * deviations / count) / (count - 1)
      s.standardDeviation = Swift.max(variance, 0).squareRoot()
    } else { s.standardDeviation = .nan }
    s.downsideMeanSquare = downside / count
    // The tail is selected among the stored returns gathered at or below θ if, with the idle
    // zeros when θ ≥ 0 (all of them are ≤ θ then), they are enough; else among every stored
    // return and the idle zeros.
    let thresholdTakesZeros = threshold.map { $0 >= 0 } ?? false
    let gatheredEnough = threshold != nil && gathered + (thresholdTakesZeros ? zerosInTail : 0) >= keep
    let tailValues = gatheredEnough ? buffer.equity : buffer.returns
    var tailCount = gatheredEnough ? gathered : stored
    if !gatheredEnough || thresholdTakesZeros {
      (tailValues + tailCount).initialize(repeating: 0, count: zerosInTail)
      tailCount += zerosInTail
    }
    if gatheredEnough, let threshold, tailCount > 2 * keep {
      // Many returns at the threshold itself (θ is often 0, and every idle zero is 0): the
      // returns below θ, and as many copies of θ as the `keep` smallest need — the same
      // multiset as the `keep` smallest gathered, selected among far fewer.
      var below = 0
      for i in 0..<tailCount {
        let v = tailValues[i]
        tailValues[below] = v
        below &+= v < threshold ? 1 : 0
      }
      let copies = Swift.max(below, keep)
      for i in below..<copies { tailValues[i] = threshold }
      tailCount = copies
    }
    (s.valueAtRisk, s.conditionalValueAtRisk) = Self.tail(tailValues, tailCount, of: n,
                                                          scratch: gatheredEnough ? buffer.returns : buffer.equity, buffer.scratch)
    return s
  }

  /// Adds `value` to a vector of compensated (Kahan) lanes.
  @inline(__always)
  static func kahan(_ total: inout SIMD8<Double>, _ compensation: inout SIMD8<Double>, _ value: SIMD8<Double>) {
    let y = value - compensation
    let t = total + y
    compensation = (t - total) - y
    total = t
  }

  /// The eight lanes and their compensations folded into one compensated sum.
  static func fold(_ total: SIMD8<Double>, _ compensation: SIMD8<Double>) -> KahanSum {
    var sum = KahanSum()
    for lane in 0..<8 { sum.add(total[lane]); sum.add(-compensation[lane]) }
    return sum
  }

  /// Elements per block of the summing passes: a block is summed plainly in eight lanes (as
  /// numpy's pairwise sum sums its blocks of 128), and the blocks' sums are added to
  /// compensated (Kahan) lanes: numpy's accuracy or better, at one addition per element.
  static let block = 128

  /// `Σx`, `Σmin(x, 0)²` and `Σe`: blocks of eight plain lanes, added to compensated lanes.
  /// The returns and the equity in two loops (`Σe` by `blockSum`): one loop for all three sums
  /// needs more vector registers than SSE2 has, and spends its time moving them.
  static func sums(_ x: UnsafePointer<Double>, _ e: UnsafePointer<Double>, _ n: Int) -> (sum: Double, downside: Double, equity: Double) {
    typealias V = SIMD8<Double>
    var s = V(), cs = V(), d = V(), cd = V()
    var i = 0
    while i + 8 <= n {
      let end = Swift.min(n, i + block) & ~7
      var bs = V(), bd = V()
      while i < end {
        let v = V(UnsafeBufferPointer(start: x + i, count: 8))
        bs += v
        let negative = V.zero.replacing(with: v, where: v .< 0)
        bd += negative * negative
        i += 8
      }
      kahan(&s, &cs, bs)
      kahan(&d, &cd, bd)
    }
    var sum = fold(s, cs), downside = fold(d, cd)
    while i < n {
      let v = x[i]
      sum.add(v)
      if v < 0 { downside.add(v * v) }
      i += 1
    }
    return (sum.value, downside.value, blockSum(e, n).value)
  }

  /// `Σx` over `n` values the way `sums` sums: blocks of eight plain lanes added to
  /// compensated lanes, the last `n mod 8` values added to the folded sum in order.
  static func blockSum(_ x: UnsafePointer<Double>, _ n: Int) -> KahanSum { blockSum(x, n, masked: false, below: 0) }

  /// `blockSum`, of every value or (`masked`) of the values below `limit` only (the others
  /// count as 0 in their lanes).
  @inline(__always)
  static func blockSum(_ x: UnsafePointer<Double>, _ n: Int, masked: Bool, below limit: Double) -> KahanSum {
    typealias V = SIMD8<Double>
    let bound = V(repeating: limit)
    var q = V(), cq = V()
    let whole = n & ~7
    var i = 0
    while i < whole {
      let end = Swift.min(whole, i + block)
      var bq = V()
      while i < end {
        let v = V(UnsafeBufferPointer(start: x + i, count: 8))
        bq += masked ? V.zero.replacing(with: v, where: v .< bound) : v
        i += 8
      }
      kahan(&q, &cq, bq)
    }
    var sum = fold(q, cq)
    while i < n {
      if !masked || x[i] < limit { sum.add(x[i]) }
      i += 1
    }
    return sum
  }

  /// `Σ(x − m)` (plain: it only corrects the rounding of `m`) and `Σ(x − m)²` (blocks of
  /// eight plain lanes added to compensated lanes, as in `sums`) over the `n` values and
  /// `zeros` more of exactly 0; with a `threshold`, every `x ≤ threshold` of the `n` is also
  /// copied, in order and branch-free, to `scratch` (which must hold `n` values), and their
  /// count returned.
  static func deviations(_ x: UnsafePointer<Double>, _ n: Int, from m: Double, zeros: Int, gatheringAtMost threshold: Double?,
                         into scratch: UnsafeMutablePointer<Double>) -> (sum: Double, squares: Double, gathered: Int) {
    typealias V = SIMD8<Double>
    let mean = V(repeating: m)
    var s = V(), q = V(), cq = V()
    var i = 0, gathered = 0
    let limit = threshold ?? -.infinity
    let gather = threshold != nil
    while i + 8 <= n {
      let end = Swift.min(n, i + block) & ~7
      var bq = V()
      while i < end {
        let raw = V(UnsafeBufferPointer(start: x + i, count: 8))
        let v = raw - mean
        s += v
        bq += v * v
        if gather {
          // From memory, not from the vector's lanes (extracting lanes costs shuffles).
          for lane in i..<(i + 8) {
            scratch[gathered] = x[lane]
            gathered &+= x[lane] <= limit ? 1 : 0
          }
        }
        i += 8
      }
      kahan(&q, &cq, bq)
    }
    var sum = fold(s, V()), squares = fold(q, cq)
    if zeros > 0 {
      // `zeros` returns of exactly 0: each deviates by `−m`.
      let z = Double(zeros)
      sum.add(-m * z)
      squares.add(m * m * z)
    }
    while i < n {
      let v = x[i] - m
      sum.add(v); squares.add(v * v)
      if gather {
        scratch[gathered] = x[i]
        gathered &+= x[i] <= limit ? 1 : 0
      }
      i += 1
    }
    return (sum.value, squares.value, gathered)
  }

  /// How many of the smallest of `n` returns the 5 % tail reads: `k = ⌊(n − 1)·0.05⌋ + 2`
  /// (the two order statistics of numpy `percentile(r, 5)`, the `k − 1` of empyrical's CVaR),
  /// at most `n`.
  static func tailSize(_ n: Int) -> Int {
    let low = Int((Double(n - 1) * 0.05).rounded(.down))
    return Swift.min(low + 1, n - 1) + 1
  }

  /// A threshold θ for the tail, taken from every 16th of the `n` stored returns a little past
  /// the rank of `keep` among them (nil for fewer than 512): `deviations` gathers every stored
  /// return ≤ θ branch-free, and `tail` selects the two order statistics among those few and
  /// the zero returns if θ ≥ 0 — or among all returns if fewer than `keep` fell at or below
  /// θ. Exact either way; the idle bars' zeros, not stored, only lower the rank of `keep`.
  static func tailThreshold(_ r: UnsafePointer<Double>, _ n: Int, keep: Int, samples sample: UnsafeMutablePointer<Double>,
                            scratch: UnsafeMutablePointer<Double>) -> Double? {
    let stride = 16
    let samples = n / stride
    guard samples >= 32 else { return nil }
    for k in 0..<samples { sample[k] = r[k * stride] }
    let rank = Swift.min(samples - 1, keep / stride + keep / (2 * stride) + 3)
    // `scratch` holds the `n` returns' room: twice the samples.
    return select(sample, samples, rank: rank, scratch: scratch, scratch + samples)
  }

  /// The 5 % percentile and CVaR of `n` returns from `values`: all of them, or (`count < n`)
  /// the ones gathered below the threshold of `tailThreshold`, which hold the tail. `values`
  /// is left as it is; the selection partitions between the two scratch buffers (room for
  /// `count` each).
  ///
  /// The order statistic at `high` is selected (branch-free, `select`); one pass over the
  /// values in their order then counts those below it, sums them and takes their largest,
  /// which gives the one at `low` and the CVaR's sum: the `low + 1` smallest are the values
  /// below the `high`-th and, when ties reach it, copies of it. So the sum's bits depend on
  /// the returns and their order only, not on how the selection moved them.
  static func tail(_ values: UnsafePointer<Double>, _ count: Int, of n: Int,
                   scratch a: UnsafeMutablePointer<Double>, _ b: UnsafeMutablePointer<Double>) -> (Double, Double) {
    let position = Double(n - 1) * 0.05
    let low = Int(position.rounded(.down))
    let high = Swift.min(low + 1, n - 1)
    let highValue = select(values, count, rank: high, scratch: a, b)
    let (below, sum, largest) = Self.below(values, count, highValue)
    // `below ≤ high`. With `below == high > low` the `low + 1` smallest are exactly the values
    // below; otherwise ties of the `high`-th reach down to rank `low`.
    let (lowValue, tailSum): (Double, Double) = high > low && below == high
      ? (largest, sum.value) : (highValue, sum.value + Double(low + 1 - below) * highValue)
    let fraction = position - Double(low)
    // numpy's linear interpolation.
    let percentile = fraction == 0 ? lowValue : Self.lerp(lowValue, highValue, fraction)
    return (percentile, tailSum / Double(low + 1))
  }

  /// Of `n` values, those below `limit`: their number, their sum (masked into the lanes of
  /// `blockSum`, in order) and their largest (−∞ if none).
  static func below(_ x: UnsafePointer<Double>, _ n: Int, _ limit: Double) -> (count: Int, sum: KahanSum, largest: Double) {
    let sum = blockSum(x, n, masked: true, below: limit)
    // Their number and largest in four lanes (a mask is −1 where true), then the rest.
    typealias W = SIMD4<Double>
    let bound4 = W(repeating: limit)
    var counts = SIMD4<Int64>(), largest4 = W(repeating: -.infinity)
    var i = 0
    while i + 4 <= n {
      let v = W(UnsafeBufferPointer(start: x + i, count: 4))
      let isBelow = v .< bound4
      counts &-= unsafeBitCast(isBelow, to: SIMD4<Int64>.self)
      largest4.replace(with: v, where: isBelow .& (v .> largest4))
      i += 4
    }
    var count = Int(counts.wrappedSum()), largest = largest4.max()
    while i < n {
      if x[i] < limit { count += 1; largest = Swift.max(largest, x[i]) }
      i += 1
    }
    return (count, sum, largest)
  }

  /// numpy's `_lerp`: `a + (b − a)·t`, or `b − (b − a)·(1 − t)` when `t ≥ 0.5`.
  static func lerp(_ a: Double, _ b: Double, _ t: Double) -> Double {
    let d = b - a
    return t >= 0.5 ? b - d * (1 - t) : a + d * t
  }

  /// The value of rank `k` (0-based) among `values[0..<n]`, which are left as they are.
  /// Quickselect whose partitions are branch-free and out of place: each round copies its
  /// range from one buffer into the other (`a`, `b`: room for `n` each), the values below the
  /// pivot from the front and the others from the back. A few hundred returns cost no
  /// mispredicted branch per value (Hoare's scans mispredict about once per swap) and no
  /// store that the next value's load waits for (as swapping in place would). The pivot is
  /// the median of three of the range; a range whose pivot is its minimum is split at the
  /// pivot's copies instead, so every round shrinks it. The last few values, or a range still
  /// open after 64 rounds (a pathological order, or NaNs, which no comparison moves), are sorted.
  static func select(_ values: UnsafePointer<Double>, _ n: Int, rank k: Int,
                     scratch a: UnsafeMutablePointer<Double>, _ b: UnsafeMutablePointer<Double>) -> Double {
    // The buffer holding the range (nil: still `values`) and the one the next round fills.
    var source: UnsafeMutablePointer<Double>? = nil
    var target = a
    var lo = 0, hi = n
    var rounds = 0
    while hi - lo > 8 && rounds < 64 {
      rounds += 1
      let from = source.map { UnsafePointer($0) } ?? values
      let x = from[lo], y = from[(lo + hi) / 2], z = from[hi - 1]
      let pivot = Swift.max(Swift.min(x, y), Swift.min(Swift.max(x, y), z))
      var split = partition(from, into: target, lo, hi, pivot, inclusive: false)
      if split == lo {
        // Nothing below the pivot: it is the range's minimum. Its copies go first.
        split = partition(from, into: target, lo, hi, pivot, inclusive: true)
        if k < split { return pivot }
        if split == lo { break }  // a NaN pivot: nothing compares
        lo = split
      } else if k < split { hi = split } else { lo = split }
      (source, target) = (target, target == a ? b : a)
    }
    let rest: UnsafeMutablePointer<Double>
    if let source { rest = source } else { rest = target; (rest + lo).update(from: values + lo, count: hi - lo) }
    var range = UnsafeMutableBufferPointer(start: rest + lo, count: hi - lo)
    range.sort()
    return rest[k]
  }

  /// Copies `source[lo..<hi]` into `target[lo..<hi]`, the values below `pivot` (or at most
  /// `pivot`, `inclusive`) first, in order, the others after them, in reverse order;
  /// returns the index of the first of the others. Each value is stored at both ends and
  /// the end it belongs to advances: no branch. The comparison is a vector's (its first lane
  /// read as an integer): the compiler keeps that a flag and an add, where it turns
  /// `x < pivot ? 1 : 0` into a branch — mispredicted for every other value.
  @inline(__always)
  static func partition(_ source: UnsafePointer<Double>, into target: UnsafeMutablePointer<Double>, _ lo: Int, _ hi: Int,
                        _ pivot: Double, inclusive: Bool) -> Int {
    let p = SIMD2<Double>(repeating: pivot)
    var front = lo, back = hi - 1
    for i in lo..<hi {
      let x = source[i]
      target[front] = x
      target[back] = x
      let v = SIMD2<Double>(repeating: x)
      let isLeft = inclusive ? v .<= p : v .< p
      let step = Int(truncatingIfNeeded: unsafeBitCast(isLeft, to: SIMD2<Int64>.self)[0]) & 1
      front &+= step
      back &-= 1 &- step
    }
    return front
  }
}
