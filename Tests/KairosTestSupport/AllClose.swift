/// `true` when `a` and `b` have equal length and every pair is close:
/// `|x − y| <= atol + rtol·|y|`, with `NaN` equal to `NaN` and equal infinities equal
/// (numpy `allclose(equal_nan=True)` semantics).
public func allClose(_ a: [Double], _ b: [Double], rtol: Double = 1e-12, atol: Double = 0) -> Bool {
  guard a.count == b.count else { return false }
  for (x, y) in zip(a, b) where !isClose(x, y, rtol: rtol, atol: atol) { return false }
  return true
}

/// One pair of `allClose`.
public func isClose(_ x: Double, _ y: Double, rtol: Double = 1e-12, atol: Double = 0) -> Bool {
  if x.isNaN || y.isNaN { return x.isNaN && y.isNaN }
  if x.isInfinite || y.isInfinite { return x == y }
  return abs(x - y) <= atol + rtol * abs(y)
}

/// The largest relative difference `|x − y| / max(|y|, tiny)` over the pairs.
public func maxRelativeError(_ a: [Double], _ b: [Double]) -> Double {
  zip(a, b).map { abs($0 - $1) / max(abs($1), 1e-300) }.max() ?? 0
}
