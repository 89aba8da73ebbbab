/// The price an order pays after slippage and square-root market impact, shared by the
/// single-asset engine and the portfolio engine so both charge exactly the same costs.
///
/// `cost = slippage + k × σ × √(quantity / ADV)`, with σ the 20-bar standard deviation of
/// returns and ADV the 20-bar mean volume of the decision bar (the impact term is skipped while
/// either is unknown); a buy pays `price × (1 + cost)`, a sell receives `price × (1 − cost)`.
public enum ExecutionCost {
  @inlinable @inline(__always)
  public static func fillPrice(_ price: Double, side: Int8, quantity: Double, slippage: Double,
                               impact k: Double, sigma: Double, averageVolume: Double) -> Double {
    var cost = slippage
    if k > 0 && sigma.isFinite && averageVolume > 0 { cost += k * sigma * (quantity / averageVolume).squareRoot() }
    return side > 0 ? price * (1 + cost) : price * (1 - cost)
  }
}
