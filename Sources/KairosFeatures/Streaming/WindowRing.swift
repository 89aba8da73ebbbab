/// The newest present value of a stream and how many present values in a row have had it
/// (`NaN`s are skipped): when the run covers every present value of a window, they are all
/// equal — how the mean and deviation states give a flat window's value and 0 exactly.
public struct EqualRun: Sendable, Equatable {
  public private(set) var value = Double.nan
  public private(set) var length = 0
  public init() {}
  @inline(__always)
  public mutating func push(_ x: Double) {
    if x == value { length += 1 } else if !x.isNaN { value = x; length = 1 }
  }
}

/// The last `window` doubles of a stream, oldest first: the storage of the finite-window
/// indicators that need the values themselves (deviations, extrema, ranks).
public struct WindowRing: Sendable, Equatable {
  public let window: Int
  /// `2 × window` slots: each value is written at `head` and at `head + window`, so the window
  /// is always the contiguous stretch `start ..< start + filled` (`start` = `head` once full).
  var values: [Double]
  var head = 0
  /// How many values have been pushed, up to `window`.
  public private(set) var filled = 0
  /// `NaN`s in the window.
  public private(set) var missing = 0

  public init(window: Int) {
    precondition(window >= 1, "window must be positive, was \(window)")
    self.window = window
    values = Array(repeating: .nan, count: 2 * window)
  }

  @inline(__always)
  public mutating func push(_ x: Double) {
    let (h, w) = (head, window)
    let leaving = values.withUnsafeMutableBufferPointer { v in
      let old = v[h]
      v[h] = x; v[h + w] = x
      return old
    }
    if filled == window { if leaving.isNaN { missing -= 1 } } else { filled += 1 }
    if x.isNaN { missing += 1 }
    head = head + 1 == window ? 0 : head + 1
  }

  /// Whether the window is full with no `NaN` (pandas' `min_periods = window`).
  @inline(__always)
  public var isComplete: Bool { filled == window && missing == 0 }

  /// Calls `body` with each value of the window, oldest first.
  @inline(__always)
  public func forEach(_ body: (Double) -> Void) {
    let start = filled == window ? head : 0
    var i = start
    for _ in 0..<filled {
      body(values[i])
      i = i + 1 == window ? 0 : i + 1
    }
  }

  /// `Σ (v − m)²` over the window's present values: four partial sums by position in the
  /// window (oldest first, position mod 4), then `(s₀ + s₁) + (s₂ + s₃)` — a function of the
  /// window's values alone, whatever bar the ring started at, and four independent addition
  /// chains instead of one.
  @inline(__always)
  public func sumOfSquaredDeviations(from m: Double) -> Double {
    values.withUnsafeBufferPointer { all in
      let v = all.baseAddress! + (filled == window ? head : 0), n = filled
      @inline(__always) func term(_ x: Double) -> Double { let d = x - m; return x.isNaN ? 0 : d * d }
      var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
      var k = 0
      while k + 4 <= n {
        s0 += term(v[k]); s1 += term(v[k + 1]); s2 += term(v[k + 2]); s3 += term(v[k + 3])
        k += 4
      }
      if k < n { s0 += term(v[k]) }
      if k + 1 < n { s1 += term(v[k + 1]) }
      if k + 2 < n { s2 += term(v[k + 2]) }
      return (s0 + s1) + (s2 + s3)
    }
  }

  /// Calls `body` with the window's values, oldest first, as one contiguous buffer.
  @inline(__always)
  public func withWindow<R>(_ body: (UnsafeBufferPointer<Double>) -> R) -> R {
    values.withUnsafeBufferPointer { all in
      body(UnsafeBufferPointer(rebasing: all[(filled == window ? head : 0)..<((filled == window ? head : 0) + filled)]))
    }
  }

  /// The value `k` bars back (0: the newest); `NaN` before the stream reaches it.
  @inline(__always)
  public func back(_ k: Int) -> Double {
    guard k < filled else { return .nan }
    var i = head - 1 - k
    if i < 0 { i += window }
    return values[i]
  }
}

/// The standard deviation of the present values among the last `window`, with `ddof` 1
/// (sample, pandas' default) or 0 (population, TA-Lib's Bollinger bands); `NaN` while fewer
/// than `minPeriods` (default: the window) are present, or no more than `ddof`.
///
/// Two passes over the window: the mean from the exact window sum, then `Σ(x − mean)²` oldest
/// first; a window of equal values has a deviation of exactly 0 (as pandas). O(window) per bar;
/// depends only on the window's values.
public struct RollingDeviationState: StreamingIndicator {
  public let ddof: Int
  let minPeriods: Int
  var ring: WindowRing
  var sum: ExactWindowSum
  var run = EqualRun()

  public init(window: Int, ddof: Int = 1, minPeriods: Int? = nil) {
    precondition(window >= 1 && ddof >= 0, "window must be positive and ddof non-negative")
    self.ddof = ddof
    self.minPeriods = Swift.max(ddof + 1, minPeriods ?? window)
    ring = WindowRing(window: window)
    sum = ExactWindowSum(window: window)
  }

  /// The mean of the window's present values after the last update (`NaN` while fewer than
  /// `minPeriods`; exactly the value for a window of equal values): the middle band of Bollinger.
  public private(set) var mean = Double.nan

  public mutating func update(_ x: Double) -> Double {
    ring.push(x)
    sum.push(x)
    run.push(x)
    mean = sum.count >= minPeriods && sum.count == ring.filled - ring.missing ? sum.value / Double(sum.count) : .nan
    guard !mean.isNaN else { return .nan }
    // Every value of the window is x: a deviation of exactly 0 (as pandas).
    if run.length >= sum.count { mean = run.value; return 0 }
    let squares = ring.sumOfSquaredDeviations(from: mean)
    return (squares / Double(sum.count - ddof)).squareRoot()
  }
}

/// The highest (or lowest) of the present values among the last `window` (pandas
/// `rolling(w, min_periods=).max()`); `NaN` while fewer than `minPeriods` (default: the window)
/// are present. Exact, so it depends only on the window. A monotonic deque of the window's
/// candidates: O(1) amortized per bar.
public struct RollingExtremumState: StreamingIndicator {
  public let maximum: Bool
  let window: Int, minPeriods: Int
  /// Candidates (bar number, value) in a ring of `window` slots, oldest at `front`, `size` of
  /// them, values strictly decreasing (increasing for a minimum): the oldest is the extremum
  /// of the window. At most `window` candidates are ever in the window.
  var bars: [Int], values: [Double]
  var front = 0, size = 0
  var bar = -1
  /// Whether each bar of the window was missing, and how many were.
  var missing: [Bool]
  var missingCount = 0

  public init(window: Int, maximum: Bool, minPeriods: Int? = nil) {
    precondition(window >= 1, "window must be positive, was \(window)")
    self.maximum = maximum
    self.window = window
    self.minPeriods = Swift.max(1, minPeriods ?? window)
    missing = Array(repeating: false, count: window)
    bars = Array(repeating: 0, count: window)
    values = Array(repeating: .nan, count: window)
  }

  public mutating func update(_ x: Double) -> Double {
    bar += 1
    let slot = bar % window
    if missing[slot] { missingCount -= 1 }
    missing[slot] = x.isNaN
    if x.isNaN { missingCount += 1 }
    let (w, now, maximum) = (window, bar, self.maximum)
    var (front, size) = (self.front, self.size)
    bars.withUnsafeMutableBufferPointer { b in
      values.withUnsafeMutableBufferPointer { v in
        // Drop the candidate that left the window (only the oldest can), then the ones the new
        // value dominates (from the newest end), then add it.
        if size > 0 && b[front] <= now - w { front = front + 1 == w ? 0 : front + 1; size -= 1 }
        if !x.isNaN {
          while size > 0 {
            var last = front + size - 1
            if last >= w { last -= w }
            guard maximum ? v[last] <= x : v[last] >= x else { break }
            size -= 1
          }
          var slot = front + size
          if slot >= w { slot -= w }
          b[slot] = now; v[slot] = x
          size += 1
        }
      }
    }
    self.front = front; self.size = size
    let present = Swift.min(bar + 1, window) - missingCount
    guard present >= minPeriods, size > 0 else { return .nan }
    return values[front]
  }
}

/// The percentile rank of the newest value among the last `window` (pandas
/// `rolling(w).rank(pct=True)`, ties averaged): `(below + (equal + 1) / 2) / n` over the `n`
/// non-`NaN` values, `NaN` when the newest is `NaN` or fewer than `minPeriods` are present.
public struct RollingPercentileRankState: StreamingIndicator {
  public let minPeriods: Int
  var ring: WindowRing

  public init(window: Int, minPeriods: Int? = nil) {
    ring = WindowRing(window: window)
    self.minPeriods = minPeriods ?? window
  }

  public mutating func update(_ x: Double) -> Double {
    ring.push(x)
    if x.isNaN { return .nan }
    var below = 0, equal = 0, present = 0
    ring.withWindow { v in
      for u in v {
        below &+= u < x ? 1 : 0
        equal &+= u == x ? 1 : 0
        present &+= u.isNaN ? 0 : 1
      }
    }
    return present < minPeriods ? .nan : (Double(below) + Double(equal + 1) / 2) / Double(present)
  }
}
