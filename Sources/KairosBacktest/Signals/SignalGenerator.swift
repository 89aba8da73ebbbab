import KairosCore
import KairosFeatures

/// Signals from model probabilities `p = P(next bar up)`.
///
/// The probability is first smoothed by an EMA (`ewm(span, adjust=False)`, `span = 1` means
/// none); then the direction is long when `p > threshold` and, with shorts allowed, short when
/// `p < 1 − threshold`; flat otherwise (and while `p` is `NaN`). The confidence kept with each
/// signal is `|2p − 1|`, the distance of the smoothed probability from a coin flip.
public struct SignalGenerator: Sendable, Equatable {
  public var threshold: Double
  public var smoothingSpan: Double
  public var allowShort: Bool

  public init(threshold: Double = 0.55, smoothingSpan: Double = 1, allowShort: Bool = false) {
    precondition(threshold >= 0.5 && threshold < 1, "threshold must be in [0.5, 1), was \(threshold)")
    precondition(smoothingSpan >= 1, "the smoothing span must be at least 1, was \(smoothingSpan)")
    self.threshold = threshold
    self.smoothingSpan = smoothingSpan
    self.allowShort = allowShort
  }

  /// Directions (+1, −1, 0) and confidences for every bar.
  public func signals(probabilities: Column<Double>) -> (direction: [Int8], confidence: [Double]) {
    let p = smoothingSpan > 1 ? probabilities.exponentialMovingAverage(span: smoothingSpan) : probabilities
    var direction = [Int8](repeating: 0, count: p.count), confidence = [Double](repeating: .nan, count: p.count)
    for t in 0..<p.count {
      let v = p[t]
      guard !v.isNaN else { continue }
      confidence[t] = Swift.abs(2 * v - 1)
      if v > threshold { direction[t] = 1 } else if allowShort && v < 1 - threshold { direction[t] = -1 }
    }
    return (direction, confidence)
  }
}

