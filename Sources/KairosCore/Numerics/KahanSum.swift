/// A compensated (Kahan–Babuška–Neumaier) running sum.
///
/// Adding *n* values accumulates an error bounded by about 2ε·Σ|xᵢ| instead of the
/// n·ε·Σ|xᵢ| of naive summation, so long running sums (rolling windows, volume totals) do
/// not drift. `NaN` and infinities propagate as in plain addition.
@frozen
public struct KahanSum: Sendable {
  @usableFromInline internal var _sum: Double = 0
  @usableFromInline internal var _compensation: Double = 0

  @inlinable public init() {}

  /// Adds `value` to the sum.
  @inlinable
  public mutating func add(_ value: Double) {
    let t = _sum + value
    if abs(_sum) >= abs(value) {
      _compensation += (_sum - t) + value
    } else {
      _compensation += (value - t) + _sum
    }
    _sum = t
  }

  /// The compensated total.
  @inlinable
  public var value: Double {
    let total = _sum + _compensation
    // Non-finite partial sums make the compensation NaN; the plain sum is the answer then.
    return total.isFinite ? total : _sum
  }
}
