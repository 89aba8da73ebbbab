/// Trade reconciliation: orders → fills → positions → cash, checked against the engine.
///
/// Positions rebuilt by adding up the filled orders must equal the engine's position at every
/// bar, and cash (initial capital, minus what buys cost, plus what sells bring, fees included)
/// plus the position marked at the close must equal the engine's equity to `tolerance`
/// relative. Every disagreement is a break, listed with its bar.
public enum Reconciliation {
  public struct Break: Sendable, Equatable {
    public let bar: Int
    public let what: String
    public let expected: Double
    public let found: Double
  }

  /// Fills as the engine recorded them (`orders.csv`): bar, signed units (+ buy, − sell), price, fee.
  public struct Fill: Sendable, Equatable {
    public var bar: Int, units: Double, price: Double, fee: Double
    public init(bar: Int, units: Double, price: Double, fee: Double) { self.bar = bar; self.units = units; self.price = price; self.fee = fee }
  }

  /// The breaks of a run (empty when it reconciles).
  /// - Parameters:
  ///   - close: closing prices per bar (`NaN` for a missing bar: the last valid close marks).
  ///   - positions, equity: the engine's, per bar.
  public static func breaks(fills: [Fill], close: [Double], positions: [Double], equity: [Double],
                            initialCapital: Double, tolerance: Double = 1e-9) -> [Break] {
    var result: [Break] = []
    var cash = initialCapital, units = 0.0, lastClose = Double.nan
    var k = 0
    let ordered = fills.sorted { $0.bar < $1.bar }
    for t in 0..<close.count {
      while k < ordered.count && ordered[k].bar == t {
        let f = ordered[k]
        units += f.units
        cash -= f.units * f.price + f.fee
        k += 1
      }
      if !close[t].isNaN { lastClose = close[t] }
      // Positions: the sum of fills, up to rounding of the units themselves.
      if Swift.abs(units - positions[t]) > tolerance * Swift.max(1, Swift.abs(positions[t])) {
        result.append(Break(bar: t, what: "position", expected: positions[t], found: units))
        units = positions[t]
      }
      let marked = units == 0 ? cash : cash + units * lastClose
      if Swift.abs(marked - equity[t]) > tolerance * Swift.max(1, Swift.abs(equity[t])) {
        result.append(Break(bar: t, what: "equity", expected: equity[t], found: marked))
        cash = equity[t] - (units == 0 ? 0 : units * lastClose)
      }
    }
    if k < ordered.count {
      result.append(Break(bar: ordered[k].bar, what: "fill after the last bar", expected: .nan, found: ordered[k].units))
    }
    return result
  }
}
