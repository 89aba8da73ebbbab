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

  /// Directions (+1, −1, 0) and confidences for every bar: the fold of `Stream`.
  public func signals(probabilities: Column<Double>) -> (direction: [Int8], confidence: [Double]) {
    var stream = Stream(self)
    var direction = [Int8](repeating: 0, count: probabilities.count), confidence = [Double](repeating: .nan, count: probabilities.count)
    for t in 0..<probabilities.count { (direction[t], confidence[t]) = stream.update(probabilities[t]) }
    return (direction, confidence)
  }

  /// The generator bar by bar: the smoothing EMA's state and the threshold.
  public struct Stream: Sendable {
    let generator: SignalGenerator
    var smoothing: EMAState?

    public init(_ generator: SignalGenerator) {
      self.generator = generator
      smoothing = generator.smoothingSpan > 1 ? EMAState(span: generator.smoothingSpan) : nil
    }

    /// The direction and confidence after the probability of the next bar (`NaN`: unknown).
    public mutating func update(_ probability: Double) -> (direction: Int8, confidence: Double) {
      let v = smoothing?.update(probability) ?? probability
      guard !v.isNaN else { return (0, .nan) }
      let g = generator
      return (v > g.threshold ? 1 : (g.allowShort && v < 1 - g.threshold ? -1 : 0), Swift.abs(2 * v - 1))
    }
  }
}

