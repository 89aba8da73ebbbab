import Foundation
import KairosBacktest
import KairosTestSupport

/// A deliberately naive backtester: one obvious loop over plain arrays, written from
/// docs/DESIGN.md §4 without any code of the engine, to check the engine's equity.
struct ReferenceBacktester {
  var open: [Double], high: [Double], low: [Double], close: [Double], volume: [Double]
  var config: BacktestConfiguration

  struct Result {
    var equity: [Double] = []; var trades: [(pnl: Double, ret: Double)] = []; var fills: [Double] = []
    /// Bars where an entry was refused because trading was halted.
    var refusals: [Int] = []
  }

  func run(targets: [Int8]) -> Result {
    let n = close.count
    // Indicators on forward-filled prices (each NaN takes the last value before it).
    func filled(_ x: [Double]) -> [Double] { var last = Double.nan; return x.map { if !$0.isNaN { last = $0 }; return last } }
    let (fh, fl, fc, fv) = (filled(high), filled(low), filled(close), filled(volume))
    let atr = NaiveOracle.atr(high: fh, low: fl, close: fc, 14)
    var sigma = [Double](repeating: .nan, count: n), adv = sigma
    for t in 0..<n {
      if t >= 20 {
        let r = (t - 19...t).map { fc[$0] / fc[$0 - 1] - 1 }
        let m = r.reduce(0, +) / 20
        sigma[t] = (r.map { ($0 - m) * ($0 - m) }.reduce(0, +) / 19).squareRoot()
      }
      if t >= 19 { adv[t] = fv[(t - 19)...t].reduce(0, +) / 20 }
    }
    func costed(_ p: Double, buy: Bool, units q: Double, decision d: Int) -> Double {
      var cost = config.slippage
      if config.impact > 0, d >= 0, sigma[d].isFinite, adv[d] > 0 { cost += config.impact * sigma[d] * (q / adv[d]).squareRoot() }
      return buy ? p * (1 + cost) : p * (1 - cost)
    }
    var result = Result()
    var cash = config.initialCapital, units = 0.0, previous = config.initialCapital, lastClose = Double.nan
    var pending: Int8? = nil, stopped: Int8 = 0
    var entryValue = 0.0, entryFee = 0.0, stop = Double.nan, take = Double.nan
    var halted = false, haltBar = 0, peak = config.initialCapital
    // The halt, from its text (docs/DESIGN.md §4 and the README): flat while halted; an entry
    // the rule asks for is refused at the next bar with a price (unless the rule stops asking
    // first), once each time it asks for a direction other than the last one refused.
    var lastRefused: Int8 = 0, owedRefusal: Int8 = 0

    func closeAll(_ p: Double, _ d: Int, stoppedOut: Bool) {
      let long = units > 0, q = abs(units)
      let price = costed(p, buy: !long, units: q, decision: d)
      let value = q * price, fee = config.fee * value + config.fixedFee
      let pnl: Double
      if long { cash += value - fee; pnl = value - fee - entryValue - entryFee } else { cash -= value + fee; pnl = entryValue - entryFee - value - fee }
      result.trades.append((pnl, pnl / (entryValue + entryFee)))
      result.fills.append(value)
      if stoppedOut { stopped = long ? 1 : -1 }
      units = 0; stop = .nan; take = .nan
    }

    func enter(_ direction: Int8, _ p: Double, _ d: Int) {
      let equity = cash
      var atrStop = false, atrSizing = false
      if case .atrMultiple = config.stopLoss { atrStop = true }
      if case .fixedFractional = config.sizing { atrSizing = true }
      if (atrStop || atrSizing) && !(atr[d] > 0) { return }
      var q: Double
      switch config.sizing {
      case .allIn:
        let first = (cash - config.fixedFee) / (costed(p, buy: direction > 0, units: 0, decision: -1) * (1 + config.fee))
        q = (cash - config.fixedFee) / (costed(p, buy: direction > 0, units: max(first, 0), decision: d) * (1 + config.fee))
      case let .fixedFractional(risk, k): q = equity * risk / (k * atr[d])
      case let .volatilityTarget(v): q = equity * (v / (sigma[d] * (config.periodsPerYear ?? 252).squareRoot())) / p
      }
      guard q > 0, q.isFinite else { return }
      if let m = config.limits.maxUnits, q > m { q = m }
      var price = costed(p, buy: direction > 0, units: q, decision: d)
      if let f = config.limits.maxPositionFraction, q * price > f * equity { q = f * equity / price; price = costed(p, buy: direction > 0, units: q, decision: d) }
      if let risk = config.risk.maxRiskPerTrade, let s = config.stopLoss {
        let distance: Double
        switch s { case let .atrMultiple(k): distance = k * atr[d]; case let .fraction(f): distance = f * price }
        if distance > 0 && q * distance > risk * equity { q = risk * equity / distance; price = costed(p, buy: direction > 0, units: q, decision: d) }
      }
      let budget = config.limits.maxLeverage * equity - config.fixedFee
      if q * price * (1 + config.fee) > budget * (1 + 1e-12) { q = budget / (price * (1 + config.fee)); price = costed(p, buy: direction > 0, units: q, decision: d) }
      if let lot = config.lotSize {
        // Whole lots, rounded down; none affordable: refused.
        let lots = (q / lot).rounded(.down) * lot
        if lots == 0 { return }
        if lots != q { q = lots; price = costed(p, buy: direction > 0, units: q, decision: d) }
      }
      guard q > 0 else { return }
      let value = q * price, fee = config.fee * value + config.fixedFee
      if direction > 0 { cash -= value + fee; units = q } else { cash += value - fee; units = -q }
      entryValue = value; entryFee = fee
      result.fills.append(value)
      func distance(_ e: ExitDistance) -> Double { switch e { case let .atrMultiple(k): return k * atr[d]; case let .fraction(f): return f * price } }
      if let s = config.stopLoss { stop = direction > 0 ? price - distance(s) : price + distance(s) }
      if let s = config.takeProfit { take = direction > 0 ? price + distance(s) : price - distance(s) }
    }

    func stops(_ t: Int, gap: Bool) {
      if units == 0 { return }
      let long = units > 0
      if gap && !open[t].isNaN {
        if long ? open[t] <= stop : open[t] >= stop { closeAll(open[t], t - 1, stoppedOut: true); return }
        if long ? open[t] >= take : open[t] <= take { closeAll(open[t], t - 1, stoppedOut: true); return }
      }
      if high[t].isNaN || low[t].isNaN { return }
      if long ? low[t] <= stop : high[t] >= stop { closeAll(stop, t - 1, stoppedOut: true); return }
      if long ? high[t] >= take : low[t] <= take { closeAll(take, t - 1, stoppedOut: true) }
    }

    func fill(_ p: Double, _ t: Int) -> Bool {
      if owedRefusal != 0 { result.refusals.append(t); owedRefusal = 0 }
      guard let wanted = pending else { return false }
      if units != 0 { closeAll(p, t - 1, stoppedOut: false) }
      var entered = false
      if wanted != 0 && !halted { let before = units; enter(wanted, p, t - 1); entered = units != before }
      pending = nil
      return entered
    }

    for t in 0..<n {
      if config.fill == .nextOpen {
        var entered = false
        if (pending != nil || owedRefusal != 0) && !open[t].isNaN { entered = fill(open[t], t) }
        stops(t, gap: !entered)
      } else {
        stops(t, gap: true)
        if (pending != nil || owedRefusal != 0) && !close[t].isNaN { _ = fill(close[t], t) }
      }
      if !close[t].isNaN { lastClose = close[t] }
      let equity = units == 0 ? cash : cash + units * lastClose
      result.equity.append(equity)
      previous = equity
      var target = targets[t]
      if target < 0 && !config.allowShort { target = 0 }
      // A stopped-out direction waits until the rule leaves it.
      if stopped != 0 { if target == stopped { target = 0 } else { stopped = 0 } }
      if let limit = config.risk.maxDrawdown {
        if halted {
          var resume = false
          switch config.risk.resume {
          case .never: break
          case let .afterBars(k): resume = t - haltBar >= k
          case let .recovery(f): resume = equity >= f * peak
          }
          if resume { halted = false; peak = equity }
        } else {
          peak = max(peak, equity)
          if equity / peak - 1 < -limit { halted = true; haltBar = t }
        }
        if halted {
          let held: Int8 = units > 0 ? 1 : (units < 0 ? -1 : 0)
          let asks: Int8 = target != 0 && target != held ? target : 0
          if asks != 0 && asks != lastRefused { lastRefused = asks; owedRefusal = asks }
          else if asks != owedRefusal { owedRefusal = 0 }
          target = 0
        } else {
          lastRefused = 0; owedRefusal = 0
        }
      }
      let current: Int8 = units > 0 ? 1 : (units < 0 ? -1 : 0)
      pending = target != current ? target : nil
    }
    _ = previous
    return result
  }
}
