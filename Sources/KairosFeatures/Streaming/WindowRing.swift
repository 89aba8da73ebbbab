/// The last `window` doubles of a stream, oldest first: the storage of the finite-window
/// indicators that need the values themselves (deviations, extrema, ranks).
public struct WindowRing: Sendable, Equatable {
  public let window: Int
  var values: [Double]
  var head = 0
  /// How many values have been pushed, up to `window`.
  public private(set) var filled = 0
  /// `NaN`s in the window.
  public private(set) var missing = 0

  public init(window: Int) {
    precondition(window >= 1, "window must be positive, was \(window)")
    self.window = window
    values = Array(repeating: .nan, count: window)
  }

  @inline(__always)
  public mutating func push(_ x: Double) {
    if filled == window { if values[head].isNaN { missing -= 1 } } else { filled += 1 }
    values[head] = x
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

  /// `Σ (v − m)²` over the window's present values, oldest first (the order is part of the
  /// result's bits): two contiguous stretches of the ring, no per-value branch.
  @inline(__always)
  public func sumOfSquaredDeviations(from m: Double) -> Double {
    values.withUnsafeBufferPointer { v in
      var total = 0.0
      let start = filled == window ? head : 0
      let firstEnd = filled == window ? window : filled
      for i in start..<firstEnd { let d = v[i] - m; total += v[i].isNaN ? 0 : d * d }
      if filled == window { for i in 0..<head { let d = v[i] - m; total += v[i].isNaN ? 0 : d * d } }
      return total
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
  /// The newest present value and how many present values in a row have had it (`NaN`s are
  /// skipped): when the run covers every present value of the window, they are all equal.
  var last = Double.nan
  var run = 0

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
    if x == last { run += 1 } else if !x.isNaN { last = x; run = 1 }
    mean = sum.count >= minPeriods && sum.count == ring.filled - ring.missing ? sum.value / Double(sum.count) : .nan
    guard !mean.isNaN else { return .nan }
    // Every value of the window is x: a deviation of exactly 0 (as pandas).
    if run >= sum.count { mean = last; return 0 }
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
  /// Candidates (bar number, value), oldest first, values strictly decreasing (increasing for
  /// a minimum): the front is the extremum of the window.
  var candidates: [(bar: Int, value: Double)] = []
  var front = 0
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
    candidates.reserveCapacity(2 * window)
  }

  public mutating func update(_ x: Double) -> Double {
    bar += 1
    let slot = bar % window
    if missing[slot] { missingCount -= 1 }
    missing[slot] = x.isNaN
    if x.isNaN {
      missingCount += 1
    } else {
      while candidates.count > front, let last = candidates.last, maximum ? last.value <= x : last.value >= x { candidates.removeLast() }
      candidates.append((bar, x))
    }
    while front < candidates.count && candidates[front].bar <= bar - window { front += 1 }
    if front > window { candidates.removeFirst(front); front = 0 }  // amortized compaction
    let present = Swift.min(bar + 1, window) - missingCount
    guard present >= minPeriods, front < candidates.count else { return .nan }
    return candidates[front].value
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
    ring.forEach { u in
      if u < x { below += 1 }
      if u == x { equal += 1 }
      if !u.isNaN { present += 1 }
    }
    return present < minPeriods ? .nan : (Double(below) + Double(equal + 1) / 2) / Double(present)
  }
}
