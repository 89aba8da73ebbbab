/// What makes an OHLCV bar unusable — the one rule behind `kairos data check`'s verdict and the
/// refusal of every command that trades on the data (`MarketSeries`). A missing value (`NaN`)
/// is not a problem: such a bar never fills (docs/DESIGN.md §4); `data check` counts it apart.
/// A bit set, so checking a million bars allocates nothing.
public struct BarProblems: OptionSet, Sendable {
  public let rawValue: UInt8
  public init(rawValue: UInt8) { self.rawValue = rawValue }

  public static let infinite = BarProblems(rawValue: 1 << 0)
  public static let nonPositivePrice = BarProblems(rawValue: 1 << 1)
  public static let negativeVolume = BarProblems(rawValue: 1 << 2)
  public static let highBelowBody = BarProblems(rawValue: 1 << 3)
  public static let lowAboveBody = BarProblems(rawValue: 1 << 4)
  public static let highBelowLow = BarProblems(rawValue: 1 << 5)

  /// Each problem and how it is described, in this order.
  public static let descriptions: [(BarProblems, String)] = [
    (.infinite, "an infinite value"), (.nonPositivePrice, "a price <= 0"), (.negativeVolume, "negative volume"),
    (.highBelowBody, "high < max(open, close)"), (.lowAboveBody, "low > min(open, close)"), (.highBelowLow, "high < low"),
  ]

  /// The first problem's description (`nil` when there is none).
  public var firstDescription: String? { Self.descriptions.first { contains($0.0) }?.1 }

  /// The bar's problems (the comparisons between prices skip bars with a missing value).
  @inlinable
  public static func of(open o: Double, high h: Double, low l: Double, close c: Double, volume v: Double) -> BarProblems {
    var found: BarProblems = []
    if o.isInfinite || h.isInfinite || l.isInfinite || c.isInfinite || v.isInfinite { found.insert(.infinite) }
    if o <= 0 || h <= 0 || l <= 0 || c <= 0 { found.insert(.nonPositivePrice) }
    if v < 0 { found.insert(.negativeVolume) }
    if !(o.isNaN || h.isNaN || l.isNaN || c.isNaN) {
      if h < Swift.max(o, c) { found.insert(.highBelowBody) }
      if l > Swift.min(o, c) { found.insert(.lowAboveBody) }
      if h < l { found.insert(.highBelowLow) }
    }
    return found
  }
}
