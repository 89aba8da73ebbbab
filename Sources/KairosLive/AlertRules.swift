import KairosBacktest
import KairosCore
import KairosIO
import KairosResearch

/// Turns what a session saw at each bar into alerts, once per episode: a drawdown episode runs
/// from a peak until the equity stands at a (new) peak again or the halt lifts (the halt's peak
/// restarts then); within it the approach (drawdown at or below `approachFraction` × limit) and
/// the breach (the halt triggering) each fire once. The gross-exposure alert fires when the
/// exposure rises above the level and again only after it fell back below.
///
/// The drawdown is the halt's own: `equity / peak − 1` with the halt's running peak (the
/// initial capital included), so the alerts fall on the bars where the backtest's equity puts
/// them.
public struct AlertRules: Sendable {
  public var settings: AlertSettings
  var episode = 0, approached = false, breached = false, wasHalted = false, aboveGross = false
  var reconnects: [Int64] = []

  public init(settings: AlertSettings = AlertSettings()) { self.settings = settings }

  public mutating func observe(_ bar: BarObservation) -> [Alert] {
    var out: [Alert] = []
    let drawdown = bar.peak > 0 ? bar.equity / bar.peak - 1 : 0
    func percent(_ x: Double) -> String { HumanNumber.percent(x) }
    if let limit = bar.limit {
      if drawdown >= 0 || (wasHalted && !bar.halted) {
        if approached || breached { episode += 1 }
        approached = false; breached = false
      }
      let key = "drawdown-\(episode + 1)"
      if !approached && drawdown <= -settings.approachFraction * limit {
        approached = true
        out.append(Alert(kind: .drawdownApproaching, severity: .warning, key: key,
                         message: "drawdown \(percent(drawdown)) from the peak \(HumanNumber.money(bar.peak)): \(percent(settings.approachFraction)) of the \(percent(limit)) halt level",
                         barTime: bar.time))
      }
      if bar.halted && !wasHalted {
        if !breached {
          breached = true
          out.append(Alert(kind: .drawdownBreached, severity: .critical, key: key,
                           message: "drawdown \(percent(drawdown)) breached the \(percent(limit)) halt level; equity \(HumanNumber.money(bar.equity))", barTime: bar.time))
        }
        out.append(Alert(kind: .halt, severity: .critical, key: key, message: "trading halted: no new entries until the halt lifts", barTime: bar.time))
      } else if !bar.halted && wasHalted {
        out.append(Alert(kind: .haltLifted, severity: .info, key: key, message: "the halt lifted; the peak restarts at \(HumanNumber.money(bar.equity))", barTime: bar.time))
      }
      wasHalted = bar.halted
    }
    // Above the level by more than rounding (an all-in position is 1× equity, give or take an ulp).
    let above = bar.grossExposure > settings.grossAbove * (1 + 1e-9)
    if above && !aboveGross {
      out.append(Alert(kind: .grossExposure, severity: .warning, key: "gross",
                       message: "gross exposure \(percent(bar.grossExposure)) of equity, above \(percent(settings.grossAbove))", barTime: bar.time))
    }
    aboveGross = above
    for (symbol, o) in bar.orders {
      let side = o.side > 0 ? "buy" : "sell"
      if o.status == .rejected || o.clip == .halted || o.clip == .atrUnavailable {
        out.append(Alert(kind: .entryRefused, severity: .warning, key: symbol,
                         message: "\(symbol) \(side) \(o.reason.rawValue) refused (\(o.clip == .none ? "nothing could be bought" : o.clip.rawValue))", barTime: bar.time))
      } else if o.clip != .none {
        out.append(Alert(kind: .entryClipped, severity: .info, key: symbol,
                         message: "\(symbol) \(side) clipped by \(o.clip.rawValue) to \(HumanNumber.fixed(o.units, digits: 4)) units", barTime: bar.time))
      }
      if o.status == .filled {
        out.append(Alert(kind: .fill, severity: .info, key: symbol,
                         message: "\(symbol) \(side) \(HumanNumber.fixed(o.units, digits: 4)) at \(HumanNumber.fixed(o.price, digits: 4)) (\(o.reason.rawValue))", barTime: bar.time))
      }
    }
    for (symbol, e, version) in bar.modelEvents {
      switch e.kind {
      case "retrain": out.append(Alert(kind: .modelRetrained, severity: .info, key: symbol, message: "\(symbol) model version \(version) fitted: \(e.detail)", barTime: bar.time))
      case "degraded": out.append(Alert(kind: .modelDegraded, severity: .warning, key: symbol, message: "\(symbol) model degraded, fallback on: \(e.detail)", barTime: bar.time))
      default: out.append(Alert(kind: .modelRecovered, severity: .info, key: symbol, message: "\(symbol) model recovered, fallback off: \(e.detail)", barTime: bar.time))
      }
    }
    return out
  }

  /// A feed state change: stale → `feed_stale`; reconnects counted for a storm.
  public mutating func observeFeed(_ state: FeedState, detail: String, barTime: Int64?, wallTime: Int64 = Alert.now()) -> [Alert] {
    switch state {
    case .stale:
      return [Alert(kind: .feedStale, severity: .warning, key: "feed", message: "feed stale: \(detail)", barTime: barTime, wallTime: wallTime)]
    case .reconnecting:
      let window = Int64(settings.stormWindowSeconds * 1e9)
      reconnects = reconnects.filter { wallTime - $0 < window } + [wallTime]
      guard reconnects.count == settings.stormReconnects else { return [] }
      return [Alert(kind: .reconnectStorm, severity: .warning, key: "feed",
                    message: "\(reconnects.count) reconnects in \(Int(settings.stormWindowSeconds / 60)) minutes: \(detail)", barTime: barTime, wallTime: wallTime)]
    default: return []
    }
  }
}
