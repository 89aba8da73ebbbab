/// What an order pays (docs/DESIGN.md §4), one definition for every engine and the live broker.
///
/// Price: `cost = slippage + k × σ × √(quantity / ADV)`, with σ and ADV those of the decision
/// bar (the impact term is skipped while either is unknown); a buy pays `price × (1 + cost)`,
/// a sell receives `price × (1 − cost)`. Fee: `fee × |units × fill price| + fixed fee`.
public struct ExecutionCost: Sendable, Equatable {
  /// Proportional fee (fraction of traded value) and fixed fee per order (currency).
  public var fee: Double, fixedFee: Double
  /// Slippage (fraction of price) and the square-root impact coefficient `k`.
  public var slippage: Double, impact: Double

  public init(fee: Double = 0, fixedFee: Double = 0, slippage: Double = 0, impact: Double = 0) {
    self.fee = fee; self.fixedFee = fixedFee; self.slippage = slippage; self.impact = impact
  }

  public init(_ c: BacktestConfiguration) {
    self.init(fee: c.fee, fixedFee: c.fixedFee, slippage: c.slippage, impact: c.impact)
  }

  /// The fill price of `quantity` units on `side` (+1 buy, −1 sell) at `price` before costs,
  /// with the decision bar's indicators (`nil`: no impact, e.g. a size estimate).
  @inline(__always)
  public func fillPrice(_ price: Double, side: Int8, quantity: Double, known: DecisionInputs?) -> Double {
    guard let known else { return Self.fillPrice(price, side: side, quantity: quantity, slippage: slippage, impact: 0, sigma: .nan, averageVolume: .nan) }
    return Self.fillPrice(price, side: side, quantity: quantity, slippage: slippage, impact: impact,
                          sigma: known.sigma20, averageVolume: known.averageVolume20)
  }

  /// The fee of an order of `value = |units × fill price|`.
  @inline(__always)
  public func orderFee(value: Double) -> Double { fee * value + fixedFee }

  @inlinable @inline(__always)
  public static func fillPrice(_ price: Double, side: Int8, quantity: Double, slippage: Double,
                               impact k: Double, sigma: Double, averageVolume: Double) -> Double {
    var cost = slippage
    if k > 0 && sigma.isFinite && averageVolume > 0 { cost += k * sigma * (quantity / averageVolume).squareRoot() }
    return side > 0 ? price * (1 + cost) : price * (1 - cost)
  }
}
