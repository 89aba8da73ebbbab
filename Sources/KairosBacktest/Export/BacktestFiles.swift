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
  /// `equityColumns` are added to `equity.csv` after `position` (e.g. a model's state per bar).
  public static func files(market: MarketSeries, recording: FullRecording, summary: PerformanceSummary,
                           events: [(bar: Int, kind: String)] = [], equityColumns: [(String, [Double])] = []) throws(FrameError) -> [(String, [UInt8])] {
    let time = timeFormatter(market.timestamps)
    var equity = Frame(index: try TimeIndex(market.timestamps))
    try equity.setColumn("equity", Column(recording.equity))
    try equity.setColumn("return", Column(recording.returns))
    try equity.setColumn("position", Column(recording.positions))
    for (name, values) in equityColumns { try equity.setColumn(name, Column(values)) }
    let orderRows = recording.orders.map { (bar: $0.bar, row: orderRow($0, asset: nil, time: time)) }
    let eventRows = events.map { e in (bar: e.bar, row: [time(e.bar), "", "0", "", "0", e.kind, "event", ""]) }
    // Events first within a bar; the sort is stable, so orders keep the engine's order.
    let orders = (eventRows + orderRows).enumerated().sorted { ($0.element.bar, $0.offset) < ($1.element.bar, $1.offset) }.map(\.element.row)
    return [
      ("equity.csv", CSVWriter.encode(equity)),
      ("trades.csv", TableWriter.encode(header: tradeHeader, rows: recording.trades.map { tradeRow($0, time: time) })),
      ("orders.csv", TableWriter.encode(header: orderHeader, rows: orders)),
      ("metrics.json", metricsJSON(summary)),
    ]
  }

  /// The same files for a portfolio: `equity.csv` with the gross and net exposure and a
  /// `position_<asset>` column per asset, `trades.csv` and `orders.csv` with an `asset` column
  /// first (after `timestamp` in orders).
  public static func files(markets: [MarketSeries], run: PortfolioRun) throws(FrameError) -> [(String, [UInt8])] {
    let time = timeFormatter(markets[0].timestamps)
    var equity = Frame(index: try TimeIndex(markets[0].timestamps))
    try equity.setColumn("equity", Column(run.equity))
    try equity.setColumn("return", Column(run.returns))
    try equity.setColumn("gross_exposure", Column(run.grossExposure))
    try equity.setColumn("net_exposure", Column(run.netExposure))
    for (a, market) in markets.enumerated() { try equity.setColumn("position_" + market.name, Column(run.positions[a])) }
    return [
      ("equity.csv", CSVWriter.encode(equity)),
      ("trades.csv", TableWriter.encode(header: ["asset"] + tradeHeader, rows: run.trades.map { [markets[$0.0].name] + tradeRow($0.1, time: time) })),
      ("orders.csv", TableWriter.encode(header: ["timestamp", "asset"] + orderHeader.dropFirst(),
                                        rows: run.orders.map { orderRow($0.record, asset: markets[$0.asset].name, time: time) })),
      ("metrics.json", metricsJSON(run.summary)),
    ]
  }

  static let tradeHeader = ["entry_time", "exit_time", "entry_price", "exit_price", "units", "pnl", "return", "bars_held", "exit_reason"]
  static let orderHeader = ["timestamp", "side", "units", "price", "fee", "reason", "status", "clipped_by"]

  /// Timestamps as §3 writes them: dates for a midnight-only series, else date and time.
  static func timeFormatter(_ timestamps: [Int64]) -> (Int) -> String {
    let dateOnly = timestamps.allSatisfy(UTCCalendar.isMidnight)
    return { UTCCalendar.iso8601(timestamps[$0], dateOnly: dateOnly) }
  }

  static func tradeRow(_ t: TradeRecord, time: (Int) -> String) -> [String] {
    let f = CSVWriter.format
    return [time(t.entryBar), time(t.exitBar), f(t.entryPrice), f(t.exitPrice), f(t.units), f(t.pnl), f(t.returnValue), "\(t.exitBar - t.entryBar)", t.exitReason.rawValue]
  }

  /// An order row; with `asset`, its name follows the timestamp.
  static func orderRow(_ o: OrderRecord, asset: String?, time: (Int) -> String) -> [String] {
    let f = CSVWriter.format
    return [time(o.bar)] + (asset.map { [$0] } ?? [])
      + [o.side > 0 ? "buy" : "sell", f(o.units), f(o.price), f(o.fee), o.reason.rawValue, o.status.rawValue, o.clip.rawValue]
  }

  /// `{"total_return": …, …, "periods_per_year": P}`: the metrics in the order of
  /// docs/DESIGN.md §5, then the periods per year they were annualized with; `NaN` and
  /// infinities as strings (JSON has no such numbers).
  public static func metricsJSON(_ summary: PerformanceSummary) -> [UInt8] {
    let pairs = zip(Metrics.names, Metrics.values(summary)) + [("periods_per_year", summary.periodsPerYear)]
    let body = pairs.map { name, value in
      "  \"\(name)\": " + (value.isFinite ? CSVWriter.format(value) : "\"\(CSVWriter.format(value))\"")
    }
    return Array(("{\n" + body.joined(separator: ",\n") + "\n}\n").utf8)
  }

  /// A short text table of the metrics, and the periods per year they were annualized with.
  public static func table(_ summary: PerformanceSummary) -> String {
    (zip(Metrics.names, Metrics.values(summary)) + [("periods/year", summary.periodsPerYear)]).map { name, value in
      name.padding(toLength: 16, withPad: " ", startingAt: 0) + String(format: "%.6g", value)
    }.joined(separator: "\n")
  }
}
