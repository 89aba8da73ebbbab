import Foundation
import KairosBacktest
import KairosCore
import KairosIO
import KairosLive

/// The dashboard's JSON documents (README, "Dashboard API"): full precision, times in ISO 8601,
/// NaN as `null`.
public enum DashboardAPI {
  static func number(_ x: Double?) -> Any { x.flatMap { $0.isFinite ? $0 : nil } ?? NSNull() }
  static func time(_ t: Int64?) -> Any { t.map { UTCCalendar.iso8601($0) } ?? NSNull() }

  static func encode(_ object: Any) -> String {
    (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
  }

  /// `/api/status`.
  public static func status(_ s: MonitorSnapshot?, feed: (state: String, since: String, detail: String)?) -> String {
    guard let s else { return encode(["bars": 0, "state": "waiting for the first bar", "feed": feedObject(feed)]) }
    let st = s.status
    return encode(["symbols": st.symbols, "bars": st.bars, "cash": number(st.cash), "equity": number(st.equity), "pnl": number(st.pnl),
                   "pnl_today": number(st.pnlToday), "drawdown": number(st.drawdown), "halt_at": number(st.haltAt), "halted": st.halted,
                   "orders": st.orders, "trades": st.trades, "model": st.model ?? NSNull(), "feed": feedObject(st.feed ?? feed),
                   "last_bar": time(s.times.last), "gross_exposure": number(s.grossExposure.last)])
  }

  static func feedObject(_ feed: (state: String, since: String, detail: String)?) -> Any {
    feed.map { ["state": $0.state, "since": $0.since, "detail": $0.detail] as [String: Any] } ?? NSNull()
  }

  /// `/api/positions`.
  public static func positions(_ s: MonitorSnapshot?) -> String {
    encode((s?.positions ?? []).map { p in
      ["symbol": p.symbol, "units": number(p.units), "last_close": number(p.lastClose), "entry_price": number(p.entryPrice),
       "unrealized_pnl": number(p.unrealized), "value": number(p.units * p.lastClose)] as [String: Any]
    })
  }

  static func order(_ o: MonitorSnapshot.Order) -> [String: Any] {
    ["time": time(o.time), "symbol": o.symbol, "side": o.record.side > 0 ? "buy" : "sell", "units": number(o.record.units),
     "price": number(o.record.price), "fee": number(o.record.fee), "reason": o.record.reason.rawValue, "status": o.record.status.rawValue,
     "clipped_by": o.record.clip.rawValue]
  }

  /// `/api/orders` (every order, refused ones included: the last `limit`) and `/api/fills`.
  public static func orders(_ s: MonitorSnapshot?, filledOnly: Bool, limit: Int = 200) -> String {
    encode((s?.orders ?? []).filter { !filledOnly || $0.record.status == .filled }.suffix(limit).map(order))
  }

  /// `/api/equity`: per bar time, equity, the backtest's equity on the same bars, drawdown, gross
  /// exposure — at most `points` evenly spaced bars (the first and the last always in; 0: every bar).
  public static func equity(_ s: MonitorSnapshot?, backtest: [Double]?, points: Int = 2_000) -> String {
    guard let s else { return encode(["times": [], "equity": []]) }
    let n = s.times.count, drawdown = s.drawdown
    let picked = s.evenlySpaced(atMost: points)
    func pick(_ v: [Double]) -> [Any] { picked.map { number(v[$0]) } }
    return encode(["times": picked.map { UTCCalendar.iso8601(s.times[$0]) }, "bars": n, "equity": pick(s.equity),
                   "backtest_equity": backtest.map { $0.count == n ? pick($0) : [] } ?? NSNull(),
                   "drawdown": pick(drawdown), "gross_exposure": pick(s.grossExposure), "initial_capital": s.initialCapital,
                   "halt_at": number(s.status.haltAt)])
  }

  /// `/api/alerts`: the last `limit` alerts, oldest first.
  public static func alerts(_ tail: EventTail, limit: Int = 200) -> String { encode(Array(tail.alerts.suffix(limit))) }

  /// `/api/feeds`: per symbol the last bar, its age, gaps, and the feed's state and reconnects.
  public static func feeds(_ s: MonitorSnapshot?, tail: EventTail, feed: (state: String, since: String, detail: String)?, now: Int64 = Alert.now()) -> String {
    let symbols = s?.status.symbols ?? []
    return encode(["feed": feedObject(s?.status.feed ?? feed), "reconnects": tail.reconnects,
                   "symbols": symbols.enumerated().map { a, symbol in
                     let last = s?.status.lastBars[a] ?? nil
                     return ["symbol": symbol, "last_bar": time(last), "gaps": tail.gaps[symbol] ?? 0,
                             "last_bar_age_seconds": last.map { Double(now - $0) / 1e9 } ?? NSNull()] as [String: Any]
                   }])
  }

  /// `/api/model`: version, state and rolling figures against the validation reference; `null` without model risk.
  public static func model(_ s: MonitorSnapshot?) -> String {
    guard let m = s?.model else { return "null" }
    return encode(["version": m.version, "state": m.state, "log_loss": number(m.logLoss), "reference_log_loss": number(m.referenceLogLoss),
                   "hit_rate": number(m.hitRate), "reference_hit_rate": number(m.referenceHitRate), "auc": number(m.auc), "psi": number(m.psi)])
  }
}
