import Foundation
import KairosCore
import KairosFrame
import KairosIO

/// The files of a backtest (docs/DESIGN.md §8): `equity.csv`, `trades.csv`, `orders.csv`,
/// `metrics.json`, as bytes, so they can go to a folder or a run folder alike. The one writer of
/// these formats: `kairos backtest`, `modelrisk`, `walkforward` and `demo` all call it.
///
/// `events` (bar, kind) are written into `orders.csv` as rows with status `event` and the kind as
/// the reason (`model_retrain`, `model_degraded`, …), before the bar's orders, so one file tells
/// what the strategy did and why; readers of fills select `status == filled`.
public enum BacktestFiles {
  public static func files(market: MarketSeries, recording: FullRecording, summary: PerformanceSummary,
                           events: [(bar: Int, kind: String)] = []) throws(FrameError) -> [(String, [UInt8])] {
    let dateOnly = market.timestamps.allSatisfy(UTCCalendar.isMidnight)
    func time(_ bar: Int) -> String { UTCCalendar.iso8601(market.timestamps[bar], dateOnly: dateOnly) }
    let f = CSVWriter.format
    var equity = Frame(index: try TimeIndex(market.timestamps))
    try equity.setColumn("equity", Column(recording.equity))
    try equity.setColumn("return", Column(recording.returns))
    try equity.setColumn("position", Column(recording.positions))
    let trades = recording.trades.map { t in
      [time(t.entryBar), time(t.exitBar), f(t.entryPrice), f(t.exitPrice), f(t.units), f(t.pnl), f(t.returnValue), "\(t.exitBar - t.entryBar)", t.exitReason.rawValue]
    }
    let orderRows = recording.orders.map { o in
      (bar: o.bar, row: [time(o.bar), o.side > 0 ? "buy" : "sell", f(o.units), f(o.price), f(o.fee), o.reason.rawValue, o.status.rawValue, o.clip.rawValue])
    }
    let eventRows = events.map { e in (bar: e.bar, row: [time(e.bar), "", "0", "", "0", e.kind, "event", ""]) }
    // Events first within a bar; the sort is stable, so orders keep the engine's order.
    let orders = (eventRows + orderRows).enumerated().sorted { ($0.element.bar, $0.offset) < ($1.element.bar, $1.offset) }.map(\.element.row)
    return [
      ("equity.csv", CSVWriter.encode(equity)),
      ("trades.csv", TableWriter.encode(header: ["entry_time", "exit_time", "entry_price", "exit_price", "units", "pnl", "return", "bars_held", "exit_reason"], rows: trades)),
      ("orders.csv", TableWriter.encode(header: ["timestamp", "side", "units", "price", "fee", "reason", "status", "clipped_by"], rows: orders)),
      ("metrics.json", metricsJSON(summary)),
    ]
  }

  /// `{"total_return": …, …}` in the order of docs/DESIGN.md §5; `NaN` and infinities as strings
  /// (JSON has no such numbers).
  public static func metricsJSON(_ summary: PerformanceSummary) -> [UInt8] {
    let body = zip(Metrics.names, Metrics.values(summary)).map { name, value in
      "  \"\(name)\": " + (value.isFinite ? CSVWriter.format(value) : "\"\(CSVWriter.format(value))\"")
    }
    return Array(("{\n" + body.joined(separator: ",\n") + "\n}\n").utf8)
  }

  /// A short text table of the metrics.
  public static func table(_ summary: PerformanceSummary) -> String {
    zip(Metrics.names, Metrics.values(summary)).map { name, value in
      name.padding(toLength: 15, withPad: " ", startingAt: 0) + String(format: "%.6g", value)
    }.joined(separator: "\n")
  }
}
