/// Trade reconciliation: orders → fills → positions → cash, checked against the engine.
///
/// Positions rebuilt by adding up the filled orders must equal the engine's position at every
/// bar, and cash (initial capital, minus what buys cost, plus what sells bring, fees included)
/// plus the positions marked at the close must equal the engine's equity to `tolerance`
/// relative. Every disagreement is a break, listed with its bar (and asset, for a portfolio).
public enum Reconciliation {
  public struct Break: Sendable, Equatable {
    public let bar: Int
    public let what: String
    public let expected: Double
    public let found: Double
    /// The asset of a position break (0 for a single asset and for equity breaks).
    public var asset: Int = 0
  }

  /// Fills as the engine recorded them (`orders.csv`): bar, signed units (+ buy, − sell), price,
  /// fee, and the asset's index in a portfolio.
  public struct Fill: Sendable, Equatable {
    public var bar: Int, units: Double, price: Double, fee: Double, asset: Int
    public init(bar: Int, units: Double, price: Double, fee: Double, asset: Int = 0) {
      self.bar = bar; self.units = units; self.price = price; self.fee = fee; self.asset = asset
    }
  }

  /// The breaks of a single-asset run (empty when it reconciles).
  /// - Parameters:
  ///   - close: closing prices per bar (`NaN` for a missing bar: the last valid close marks).
  ///   - positions, equity: the engine's, per bar.
  public static func breaks(fills: [Fill], close: [Double], positions: [Double], equity: [Double],
                            initialCapital: Double, tolerance: Double = 1e-9) -> [Break] {
    breaks(fills: fills, close: [close], positions: [positions], equity: equity, initialCapital: initialCapital, tolerance: tolerance)
  }

  /// The breaks of a portfolio run: `close[asset][bar]`, `positions[asset][bar]`, one equity.
  public static func breaks(fills: [Fill], close: [[Double]], positions: [[Double]], equity: [Double],
                            initialCapital: Double, tolerance: Double = 1e-9) -> [Break] {
    var result: [Break] = []
    var cash = initialCapital
    var units = [Double](repeating: 0, count: close.count), lastClose = [Double](repeating: .nan, count: close.count)
    var k = 0
    let ordered = fills.enumerated().sorted { ($0.element.bar, $0.offset) < ($1.element.bar, $1.offset) }.map(\.element)
    for t in 0..<equity.count {
      while k < ordered.count && ordered[k].bar == t {
        let f = ordered[k]
        if f.asset < 0 || f.asset >= units.count {
          result.append(Break(bar: t, what: "fill for unknown asset \(f.asset)", expected: .nan, found: f.units))
        } else {
          units[f.asset] += f.units
          cash -= f.units * f.price + f.fee
        }
        k += 1
      }
      var marked = cash
      for a in 0..<units.count {
        if !close[a][t].isNaN { lastClose[a] = close[a][t] }
        // Positions: the sum of fills, up to rounding of the units themselves.
        if Swift.abs(units[a] - positions[a][t]) > tolerance * Swift.max(1, Swift.abs(positions[a][t])) {
          result.append(Break(bar: t, what: "position", expected: positions[a][t], found: units[a], asset: a))
          units[a] = positions[a][t]
        }
        if units[a] != 0 { marked += units[a] * lastClose[a] }
      }
      if Swift.abs(marked - equity[t]) > tolerance * Swift.max(1, Swift.abs(equity[t])) {
        result.append(Break(bar: t, what: "equity", expected: equity[t], found: marked))
        cash += equity[t] - marked
      }
    }
    if k < ordered.count {
      result.append(Break(bar: ordered[k].bar, what: "fill after the last bar", expected: .nan, found: ordered[k].units, asset: ordered[k].asset))
    }
    return result
  }
}
