import Foundation

/// Obvious O(n·w) reference implementations of the rolling features, written independently
/// of `KairosFeatures` (no shared code), for property tests.
public enum NaiveOracle {
  /// The non-NaN values of the trailing window ending at `i`, or nil if fewer than `minPeriods`.
  static func window(_ x: [Double], _ i: Int, _ w: Int, _ minPeriods: Int) -> [Double]? {
    let values = x[max(0, i - w + 1)...i].filter { !$0.isNaN }
    return values.count >= minPeriods ? values : nil
  }

  public static func rollingSum(_ x: [Double], _ w: Int, minPeriods: Int? = nil) -> [Double] {
    x.indices.map { i in window(x, i, w, minPeriods ?? w).map { $0.reduce(0, +) } ?? .nan }
  }

  public static func rollingMean(_ x: [Double], _ w: Int, minPeriods: Int? = nil) -> [Double] {
    x.indices.map { i in window(x, i, w, minPeriods ?? w).map { $0.reduce(0, +) / Double($0.count) } ?? .nan }
  }

  /// Two-pass sample standard deviation (ddof 1).
  public static func rollingStd(_ x: [Double], _ w: Int, minPeriods: Int? = nil) -> [Double] {
    x.indices.map { i in
      guard let v = window(x, i, w, minPeriods ?? w), v.count >= 2 else { return .nan }
      let m = v.reduce(0, +) / Double(v.count)
      return (v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(v.count - 1)).squareRoot()
    }
  }

  public static func rollingMin(_ x: [Double], _ w: Int, minPeriods: Int? = nil) -> [Double] {
    x.indices.map { i in window(x, i, w, minPeriods ?? w).map { $0.min()! } ?? .nan }
  }

  public static func rollingMax(_ x: [Double], _ w: Int, minPeriods: Int? = nil) -> [Double] {
    x.indices.map { i in window(x, i, w, minPeriods ?? w).map { $0.max()! } ?? .nan }
  }

  /// Average rank of x[i] among the window's values, divided by their count.
  public static func rollingRank(_ x: [Double], _ w: Int) -> [Double] {
    x.indices.map { i in
      guard !x[i].isNaN, let v = window(x, i, w, w) else { return .nan }
      let below = v.filter { $0 < x[i] }.count, equal = v.filter { $0 == x[i] }.count
      return (Double(below) + Double(equal + 1) / 2) / Double(v.count)
    }
  }

  /// pandas ewm(span, adjust=False) on data without NaN: y0 = x0, y = (1-α)y + αx.
  public static func ema(_ x: [Double], span: Double) -> [Double] {
    let a = 2 / (span + 1)
    var out: [Double] = [], y = x[0]
    for (i, v) in x.enumerated() {
      if i > 0 { y = (1 - a) * y + a * v }
      out.append(y)
    }
    return out
  }

  /// Wilder RSI as TA-Lib: seed with the plain means of the first `p` gains and losses.
  public static func rsi(_ x: [Double], _ p: Int) -> [Double] {
    var out = [Double](repeating: .nan, count: x.count)
    guard x.count > p else { return out }
    var gain = 0.0, loss = 0.0
    for i in 1...p { let d = x[i] - x[i - 1]; gain += max(d, 0); loss += max(-d, 0) }
    gain /= Double(p); loss /= Double(p)
    out[p] = gain + loss == 0 ? 0 : 100 * gain / (gain + loss)
    for i in (p + 1)..<x.count {
      let d = x[i] - x[i - 1]
      gain = (gain * Double(p - 1) + max(d, 0)) / Double(p)
      loss = (loss * Double(p - 1) + max(-d, 0)) / Double(p)
      out[i] = gain + loss == 0 ? 0 : 100 * gain / (gain + loss)
    }
    return out
  }

  /// ATR as TA-Lib: true range from row 1, first ATR at row p = mean of TR[1...p].
  public static func atr(high: [Double], low: [Double], close: [Double], _ p: Int) -> [Double] {
    let n = close.count
    var tr = [Double](repeating: .nan, count: n)
    for i in 1..<n { tr[i] = max(high[i] - low[i], abs(high[i] - close[i - 1]), abs(low[i] - close[i - 1])) }
    var out = [Double](repeating: .nan, count: n)
    guard n > p else { return out }
    var a = tr[1...p].reduce(0, +) / Double(p)
    out[p] = a
    for i in (p + 1)..<n { a = (a * Double(p - 1) + tr[i]) / Double(p); out[i] = a }
    return out
  }
}

/// Random series with the awkward parts real data has: NaN gaps and runs of equal values.
public func seriesWithNaNsAndConstantRuns(count: Int, seed: UInt64) -> [Double] {
  var random = RandomData(seed: seed)
  var x: [Double] = []
  var level = 100.0
  while x.count < count {
    switch random.random.next() % 10 {
    case 0: x.append(.nan)
    case 1: let run = Int(random.random.next() % 30) + 2; x += [Double](repeating: level, count: run)
    default: level += random.random.nextNormal(); x.append(level)
    }
  }
  return Array(x.prefix(count))
}
