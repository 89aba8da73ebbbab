/// The daily performance and risk-exposure report of a run, bar by bar: P&L, return, equity,
/// drawdown from the peak (the initial capital included), whether exposed, trades closed; gross
/// and net exposure, per-asset weights (position value / equity, marked at the last valid
/// close), their concentration (Herfindahl index of the absolute weights) and the largest
/// weight. Plain arrays in, plain arrays out: `kairos report` reads them from a run folder, a
/// live session will pass its own.
public struct DailyReport: Sendable {
  public let pnl: [Double], returns: [Double], equity: [Double], drawdown: [Double]
  public let exposed: [Bool], tradesClosed: [Int]
  public let grossExposure: [Double], netExposure: [Double]
  /// `weights[asset][bar]`.
  public let weights: [[Double]]
  public let concentration: [Double], largestWeight: [Double]

  /// - Parameters: `positions[asset][bar]` units held at each close; `close[asset][bar]` (`NaN`
  ///   where missing); `tradesClosed` per bar (empty: all 0).
  public init(equity: [Double], returns: [Double], positions: [[Double]], close: [[Double]], initialCapital: Double,
              tradesClosed: [Int] = []) {
    let n = equity.count, assets = positions.count
    var peak = initialCapital, previous = initialCapital
    var lastClose = [Double](repeating: .nan, count: assets)
    var pnl: [Double] = [], drawdown: [Double] = [], exposed: [Bool] = [], gross: [Double] = [], net: [Double] = []
    var weights = [[Double]](repeating: [], count: assets), concentration: [Double] = [], largest: [Double] = []
    for t in 0..<n {
      peak = Swift.max(peak, equity[t])
      var w = [Double](repeating: 0, count: assets)
      for a in 0..<assets {
        if !close[a][t].isNaN { lastClose[a] = close[a][t] }
        if positions[a][t] != 0 { w[a] = positions[a][t] * lastClose[a] / equity[t] }
        weights[a].append(w[a])
      }
      let g = w.reduce(0) { $0 + Swift.abs($1) }
      pnl.append(equity[t] - previous); drawdown.append(equity[t] / peak - 1); exposed.append(g > 0)
      gross.append(g); net.append(w.reduce(0, +))
      concentration.append(g > 0 ? w.reduce(0) { $0 + ($1 / g) * ($1 / g) } : 0)
      largest.append(w.map { Swift.abs($0) }.max() ?? 0)
      previous = equity[t]
    }
    self.pnl = pnl; self.returns = returns; self.equity = equity; self.drawdown = drawdown; self.exposed = exposed
    self.tradesClosed = tradesClosed.isEmpty ? [Int](repeating: 0, count: n) : tradesClosed
    grossExposure = gross; netExposure = net; self.weights = weights; self.concentration = concentration; largestWeight = largest
  }

  /// The mean concentration over the bars with a position (0 when never invested).
  public var meanConcentrationWhileInvested: Double {
    let invested = concentration.indices.filter { grossExposure[$0] > 0 }
    return invested.isEmpty ? 0 : invested.reduce(0) { $0 + concentration[$1] } / Double(invested.count)
  }
}
