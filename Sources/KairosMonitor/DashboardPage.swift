import KairosBacktest
import KairosCore
import KairosIO
import KairosLive
import KairosReports

/// The dashboard's page: a shell with its panels rendered on the server (the same SVG components
/// as `kairos report`), a style sheet and a small script of ours that replaces the panels when
/// the server says a bar was processed (server-sent events). No external script, font or image.
public enum DashboardPage {
  /// The panels' ids, in page order (the browser test looks for each).
  public static let panels = ["summary", "equity", "drawdown", "exposure", "positions", "limits", "orders", "feeds", "model", "alerts"]

  public static func shell(title: String, panels: String) -> String {
    """
    <!DOCTYPE html>
    <html lang="en"><head><meta charset="utf-8"><title>\(escapeHTML(title))</title>
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <link rel="stylesheet" href="/app.css"></head>
    <body data-updates="0"><h1>\(escapeHTML(title))</h1><p id="live">live updates: connecting…</p>
    <div id="panels">\(panels)</div>
    <script src="/app.js"></script></body></html>

    """
  }

  public static let style = HTMLReport.style + """
    #live{font-size:12px;color:#666}
    """

  /// Subscribes to `/api/events`; on each `bar` event fetches `/fragment` (one request at a
  /// time) and swaps it in. The token travels in the HttpOnly cookie; the one-time `?token=` is
  /// dropped from the address bar.
  public static let script = """
    "use strict";
    if (location.search.indexOf("token=") >= 0) history.replaceState(null, "", location.pathname);
    let busy = false, again = false, updates = 0;
    const live = document.getElementById("live");
    async function refresh() {
      if (busy) { again = true; return; }
      busy = true;
      try {
        const r = await fetch("/fragment", {credentials: "same-origin", cache: "no-store"});
        if (r.ok) {
          document.getElementById("panels").innerHTML = await r.text();
          updates += 1;
          document.body.setAttribute("data-updates", String(updates));
        }
      } finally {
        busy = false;
        if (again) { again = false; refresh(); }
      }
    }
    const events = new EventSource("/api/events");
    events.addEventListener("bar", () => { live.textContent = "live updates: on (" + new Date().toISOString().slice(11, 19) + " UTC)"; refresh(); });
    events.onerror = () => { live.textContent = "live updates: reconnecting…"; };

    """

  /// Every panel, for `snapshot` (nil: no bar yet), the alert history and the feed counters.
  public static func panels(_ s: MonitorSnapshot?, backtest: [Double]?, tail: EventTail, feed: (state: String, since: String, detail: String)?,
                            now: Int64 = Alert.now()) -> String {
    var html = ""
    func section(_ id: String, _ title: String, _ body: String) { html += "<section id=\"panel-\(id)\"><h2>\(escapeHTML(title))</h2>\(body)</section>\n" }
    func table(_ header: [String], _ rows: [[String]], rawColumns: Set<Int> = []) -> String {
      var report = HTMLReport(title: "")
      report.table(header: header, rows: rows, rawColumns: rawColumns)
      return report.bodyHTML
    }
    guard let s else {
      for id in panels { section(id, id.capitalized, "<p>unknown: no bar yet</p>") }
      return html
    }
    let st = s.status
    let feedState = st.feed ?? feed
    var cards = [("Equity", HumanNumber.money(st.equity)), ("P&L today", HumanNumber.money(st.pnlToday)), ("P&L total", HumanNumber.money(st.pnl)),
                 ("Drawdown", HumanNumber.percent(st.drawdown) + (st.haltAt.map { " (halt at " + HumanNumber.percent($0) + ")" } ?? "")),
                 ("Exposure", HumanNumber.percent(s.grossExposure.last ?? 0)), ("Bars", HumanNumber.grouped(st.bars)),
                 ("Feed", feedState.map { $0.state.uppercased() } ?? "unknown")]
    if st.halted { cards.append(("Trading", "HALTED")) }
    var summary = HTMLReport(title: "")
    summary.cards(cards)
    section("summary", "Now (last bar \(s.times.last.map { UTCCalendar.iso8601($0) } ?? "—"))", summary.bodyHTML)

    let picked = s.evenlySpaced(atMost: 1_000)
    func pick(_ v: [Double]) -> [Double] { picked.map { v[$0] } }
    var series = [SVGLineChart.Series(name: "paper equity", values: pick(s.equity))]
    if let backtest, backtest.count == s.equity.count { series.append(.init(name: "backtest, same bars", values: pick(backtest), dashed: true)) }
    let stamps = picked.map { s.times[$0] }
    section("equity", "Equity", SVGLineChart().render(series: series, timestamps: stamps, title: "Equity: paper and the backtest of the same bars"))
    let drawdown = s.drawdown
    section("drawdown", "Drawdown", SVGLineChart(percentAxis: true).render(
      series: [.init(name: "drawdown", values: pick(drawdown))] + (st.haltAt.map { h in [.init(name: "halt level", values: [Double](repeating: h, count: stamps.count))] } ?? []),
      timestamps: stamps, title: "Drawdown against the halt level"))
    section("exposure", "Exposure", SVGLineChart(percentAxis: true).render(series: [.init(name: "gross exposure", values: pick(s.grossExposure))],
                                                                         timestamps: stamps, title: "Gross exposure (of equity)"))
    section("positions", "Open positions", table(["symbol", "units", "last close", "entry price", "unrealized P&L"], s.positions.map { p in
      [p.symbol, HumanNumber.fixed(p.units, digits: p.units == p.units.rounded() ? 0 : 4), HumanNumber.fixed(p.lastClose, digits: 4),
       p.entryPrice.map { HumanNumber.fixed($0, digits: 4) } ?? "—", p.unrealized.map(HumanNumber.money) ?? "—"]
    }))
    section("limits", "Risk-limit use", table(["limit", "level", "in use", "share of the limit"], s.limits.map { l in
      let share = l.limit.map { $0 > 0 ? l.used / $0 : .nan }
      let bar = share.map { share -> String in
        let w = Int(Swift.min(1, Swift.max(0, share.isFinite ? share : 0)) * 160)
        return "<svg width=\"160\" height=\"10\" role=\"img\"><title>share of the limit</title><path d=\"M0,0h160v10h-160Z\" fill=\"#eee\"/>"
          + "<path d=\"M0,0h\(w)v10h-\(w)Z\" fill=\"\(share > 0.8 ? "#d62728" : "#1f77b4")\"/></svg> " + HumanNumber.percent(share, digits: 0)
      } ?? "no limit"
      return [l.name, l.limit.map { HumanNumber.percent($0) } ?? "none", HumanNumber.percent(l.used), bar]
    }, rawColumns: [3]))
    section("orders", "Recent orders and fills", table(["time", "symbol", "side", "units", "price", "fee", "reason", "status", "clipped by"],
                                                       s.orders.suffix(20).reversed().map { o in
      [UTCCalendar.iso8601(o.time), o.symbol, o.record.side > 0 ? "buy" : "sell", HumanNumber.fixed(o.record.units, digits: 4),
       HumanNumber.fixed(o.record.price, digits: 4), HumanNumber.money(o.record.fee), o.record.reason.rawValue, o.record.status.rawValue,
       o.record.clip == .none ? "" : o.record.clip.rawValue]
    }))
    section("feeds", "Feed health", "<p>feed: \(escapeHTML(feedState.map { "\($0.state.uppercased()) since \($0.since) (\($0.detail))" } ?? "unknown"));"
            + " reconnects: \(tail.reconnects)</p>" + table(["symbol", "last bar", "age", "gaps"], st.symbols.enumerated().map { a, symbol in
      let last = st.lastBars[a]
      return [symbol, last.map { UTCCalendar.iso8601($0) } ?? "unknown", last.map { age(Double(now - $0) / 1e9) } ?? "unknown", String(tail.gaps[symbol] ?? 0)]
    }))
    if let m = s.model {
      section("model", "Model health", table(["version", "state", "log-loss (rolling)", "validation log-loss", "hit rate", "validation hit rate", "AUC", "PSI (largest)"],
                                             [[String(m.version), m.state, HumanNumber.fixed(m.logLoss, digits: 4), HumanNumber.fixed(m.referenceLogLoss, digits: 4),
                                               HumanNumber.percent(m.hitRate), HumanNumber.percent(m.referenceHitRate), HumanNumber.fixed(m.auc, digits: 3), HumanNumber.fixed(m.psi, digits: 3)]])
              + SVGLineChart().render(series: [.init(name: "rolling log-loss", values: m.logLossSeries), .init(name: "PSI", values: m.psiSeries)],
                                      timestamps: Array(s.times.suffix(m.logLossSeries.count)), title: "Model: rolling log-loss and PSI"))
    } else {
      section("model", "Model health", "<p>no model in this session (a rule strategy), or unknown</p>")
    }
    section("alerts", "Alerts (\(HumanNumber.grouped(tail.alerts.count)))", table(["bar time", "wall time", "severity", "alert", "message"],
                                                                                  tail.alerts.suffix(50).reversed().map { a in
      [a["bar_time"] ?? "", a["wall_time"] ?? "", a["severity"] ?? "", a["alert"] ?? "", a["message"] ?? ""]
    }))
    return html
  }

  static func age(_ seconds: Double) -> String {
    seconds < 120 ? "\(Int(seconds)) s" : seconds < 7200 ? "\(Int(seconds / 60)) min" : seconds < 172_800 ? "\(Int(seconds / 3600)) h" : "\(Int(seconds / 86400)) days"
  }
}
