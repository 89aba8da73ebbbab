import KairosCore

/// The options every trailing rolling window shares (pandas `rolling(window, min_periods=)`).
public struct RollingOptions: Sendable, Hashable {
  /// The number of rows in the window, the current row included.
  public let window: Int
  /// The minimum number of non-`NaN` values a window needs for a result (else `NaN`).
  public let minPeriods: Int

  /// - Precondition: `window > 0` and `1 <= minPeriods <= window` (default `window`, as pandas).
  public init(window: Int, minPeriods: Int? = nil) {
    precondition(window > 0, "window must be positive, was \(window)")
    let m = minPeriods ?? window
    precondition(m >= 1 && m <= window, "minPeriods must be in 1...\(window), was \(m)")
    self.window = window
    self.minPeriods = m
  }
}

/// The rolling kernels: one pass each over an `UnsafeBufferPointer`, writing into an output
/// buffer of the same length. The public API sits on `Column` (`Column+Rolling.swift`).
@usableFromInline
enum _Rolling {
  /// What `moments` returns for each window.
  @usableFromInline
  enum Moment { case sum, mean, variance, standardDeviation, zScore }

  /// Rolling sum, mean, variance (ddof 1), standard deviation or z-score in one pass.
  ///
  /// Numerics: sums are kept of `x − K`, where the shift `K` is a value of the current window,
  /// and are recomputed from scratch every `window` rows, so a long series cannot drift
  /// (O(n) overall: one recomputation of w values per w rows). A window whose non-`NaN` values
  /// are all equal gets its mean exactly and a variance of exactly 0 (as pandas does, which
  /// tracks runs of equal values for the same reason).
  @inlinable
  static func moments(
    _ x: UnsafeBufferPointer<Double>, _ options: RollingOptions, _ moment: Moment,
    into out: UnsafeMutableBufferPointer<Double>
  ) {
    let n = x.count, w = options.window, minPeriods = options.minPeriods
    var k = 0.0, s1 = 0.0, s2 = 0.0, count = 0
    var run = 0, previous = Double.nan  // consecutive equal non-NaN values, ending at the newest
    var sinceRecompute = w
    for i in 0..<n {
      let start = i - w + 1
      if sinceRecompute >= w {
        // Recompute the window [start, i] from scratch with a fresh shift.
        sinceRecompute = 0
        s1 = 0; s2 = 0; count = 0
        var shiftSet = false
        for j in Swift.max(0, start)...i {
          let v = x[j]
          if v.isNaN { continue }
          if !shiftSet { k = v; shiftSet = true }
          let d = v - k
          s1 += d; s2 += d * d; count += 1
        }
      } else {
        sinceRecompute += 1
        let v = x[i]
        if !v.isNaN { let d = v - k; s1 += d; s2 += d * d; count += 1 }
        if start - 1 >= 0 {
          let old = x[start - 1]
          if !old.isNaN { let d = old - k; s1 -= d; s2 -= d * d; count -= 1 }
        }
      }
      let v = x[i]
      if !v.isNaN {
        if v == previous { run += 1 } else { run = 1; previous = v }
      }
      if count < minPeriods { out[i] = .nan; continue }
      let c = Double(count)
      let constant = run >= count
      let mean = constant ? previous : k + s1 / c
      switch moment {
      case .sum:
        out[i] = constant ? previous * c : k * c + s1
      case .mean:
        out[i] = mean
      case .variance, .standardDeviation, .zScore:
        var variance: Double
        if count < 2 { variance = .nan } else if constant { variance = 0 } else {
          variance = Swift.max(0, (s2 - s1 * s1 / c) / (c - 1))
        }
        if moment == .variance { out[i] = variance; continue }
        let sd = variance.squareRoot()
        out[i] = moment == .standardDeviation ? sd : (v - mean) / sd
      }
    }
  }

  /// Rolling minimum or maximum by the van Herk / Gil–Werman method: the series is cut into
  /// blocks of `window` rows; a forward running extremum within each block (`g`) and a backward
  /// one (`h`) give every window as `ext(h[i − w + 1], g[i])`. Three branch-free linear passes,
  /// O(n) whatever the window (the data-dependent branches of a monotonic deque cost more on
  /// noisy prices). `NaN`s are skipped (they count as ∓∞) and a prefix count of valid values
  /// applies `minPeriods`.
  @inlinable
  static func extremum(
    _ x: UnsafeBufferPointer<Double>, _ options: RollingOptions, maximum: Bool,
    into out: UnsafeMutableBufferPointer<Double>
  ) {
    let n = x.count, w = options.window
    guard n > 0 else { return }
    let sentinel = maximum ? -Double.infinity : Double.infinity
    @inline(__always) func ext(_ a: Double, _ b: Double) -> Double { maximum ? (a > b ? a : b) : (a < b ? a : b) }
    @inline(__always) func value(_ v: Double) -> Double { v.isNaN ? sentinel : v }
    let backward = UnsafeMutablePointer<Double>.allocate(capacity: n)
    let valid = UnsafeMutablePointer<Int32>.allocate(capacity: n + 1)
    defer { backward.deallocate(); valid.deallocate() }
    // Forward within blocks, into `out`.
    var i = 0
    while i < n {
      let end = Swift.min(n, i + w)
      var running = sentinel
      for k in i..<end { running = ext(running, value(x[k])); out[k] = running }
      var back = sentinel
      var k = end - 1
      while k >= i { back = ext(back, value(x[k])); backward[k] = back; k -= 1 }
      i = end
    }
    valid[0] = 0
    for k in 0..<n { valid[k + 1] = valid[k] &+ (x[k].isNaN ? 0 : 1) }
    let minPeriods = Int32(options.minPeriods)
    // Combine, from the last row down (out[k] still holds the forward value of row k).
    var k = n - 1
    while k >= 0 {
      let start = k - w + 1
      let result = start > 0 ? ext(backward[start], out[k]) : out[k]
      let count = valid[k + 1] &- valid[Swift.max(0, start)]
      out[k] = count >= minPeriods ? result : .nan
      k -= 1
    }
  }

  /// Rolling percentile rank of the current value within its window (pandas
  /// `rolling(w).rank(method="average", pct=True)`): the average 1-based rank among the
  /// window's non-`NaN` values, divided by their count. Windows up to 64 rows count directly
  /// (O(w) per row, vectorized); longer ones keep a sorted copy of the window (O(log w)
  /// comparisons plus an O(w) `memmove` per row).
  @inlinable
  static func percentileRank(
    _ x: UnsafeBufferPointer<Double>, _ options: RollingOptions, into out: UnsafeMutableBufferPointer<Double>
  ) {
    let w = options.window
    if w <= 64 {
      // Short windows: count directly over the window, four lanes at a time, O(w) per row.
      let p = x.baseAddress!
      for i in 0..<x.count {
        let v = x[i]
        if v.isNaN { out[i] = .nan; continue }
        var j = Swift.max(0, i - w + 1)
        let vv = SIMD4<Double>(repeating: v)
        var below = SIMD4<Int64>(), equal = SIMD4<Int64>(), valid = SIMD4<Int64>()
        while j + 4 <= i + 1 {
          let u = SIMD4<Double>(p[j], p[j + 1], p[j + 2], p[j + 3])
          below.replace(with: below &+ 1, where: u .< vv)
          equal.replace(with: equal &+ 1, where: u .== vv)
          valid.replace(with: valid &+ 1, where: u .== u)
          j += 4
        }
        var b = Int(below.wrappedSum()), e = Int(equal.wrappedSum()), n = Int(valid.wrappedSum())
        while j <= i {
          let u = p[j]
          if u < v { b += 1 }
          if u == v { e += 1 }
          if !u.isNaN { n += 1 }
          j += 1
        }
        out[i] = n < options.minPeriods ? .nan : (Double(b) + Double(e + 1) / 2) / Double(n)
      }
      return
    }
    let sorted = UnsafeMutablePointer<Double>.allocate(capacity: w)
    defer { sorted.deallocate() }
    var size = 0
    func lowerBound(_ v: Double) -> Int {
      var lo = 0, hi = size
      while lo < hi { let mid = (lo + hi) >> 1; if sorted[mid] < v { lo = mid + 1 } else { hi = mid } }
      return lo
    }
    func upperBound(_ v: Double) -> Int {
      var lo = 0, hi = size
      while lo < hi { let mid = (lo + hi) >> 1; if sorted[mid] <= v { lo = mid + 1 } else { hi = mid } }
      return lo
    }
    for i in 0..<x.count {
      // Remove the leaving value first, so the buffer never holds more than `w` values.
      let leaving = i - w
      if leaving >= 0 && !x[leaving].isNaN {
        let p = lowerBound(x[leaving])
        (sorted + p).update(from: sorted + p + 1, count: size - p - 1)
        size -= 1
      }
      let v = x[i]
      if !v.isNaN {
        let p = upperBound(v)
        (sorted + p + 1).update(from: sorted + p, count: size - p)
        sorted[p] = v
        size += 1
      }
      if v.isNaN || size < options.minPeriods { out[i] = .nan; continue }
      let below = lowerBound(v), equal = upperBound(v) - below
      out[i] = (Double(below) + Double(equal + 1) / 2) / Double(size)
    }
  }
}
