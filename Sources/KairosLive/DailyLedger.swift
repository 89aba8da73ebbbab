import Foundation
import KairosBacktest
import KairosCore
import KairosIO
import KairosReports

/// The session's automated daily reports (docs/DESIGN.md §10): at each session day's end, one
/// row appended to each of `reports/daily.csv` (performance), `reports/reconciliation.csv`
/// (each symbol's units and the cash rebuilt from the day's fills against the engine's) and
/// `reports/exposure.csv` (gross and net exposure, each symbol's weight, distance to the halt),
/// and the day's page `reports/days/DATE.html`.
///
/// A day ends when a bar of a later day is committed, or the feed ends. The appends are O(1) a
/// day and never wait on anything; a restarted session replays its bars through the ledger and
/// writes only the days after the last one written. (`kairos report --state` makes the full
/// report pages from the folder on demand; a running `kairos paper` refreshes them too.)
public struct DailyLedger: Sendable {
  public let folder: String
  let initialCapital: Double
  let symbols: [String]
  let enabled: Bool
  /// The last day already in `daily.csv` (nil: none).
  var written: Int64?
  var day: Int64?, last: BarObservation?
  var dayStartEquity: Double, peak: Double
  var bars = 0, fills = 0, refused = 0
  /// The day's orders (for its page).
  var dayOrders: [(time: Int64, symbol: String, record: OrderRecord)] = []
  /// Units per symbol and cash rebuilt from the fills alone.
  var rebuiltUnits: [Double], rebuiltCash: Double
  public private(set) var daysWritten = 0

  public static let files = ["daily.csv", "reconciliation.csv", "exposure.csv"]

  public init(folder: String, initialCapital: Double, symbols: [String], enabled: Bool) {
    self.folder = URL(fileURLWithPath: folder).appendingPathComponent("reports").path
    self.initialCapital = initialCapital; self.symbols = symbols; self.enabled = enabled
    dayStartEquity = initialCapital; peak = initialCapital
    rebuiltUnits = symbols.map { _ in 0 }; rebuiltCash = initialCapital
    written = enabled ? Self.lastDay(in: URL(fileURLWithPath: self.folder).appendingPathComponent("daily.csv").path) : nil
  }

  static func lastDay(in path: String) -> Int64? {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
    return text.split(separator: "\n").last.flatMap { $0.split(separator: ",").first }.flatMap { UTCCalendar.parseTimestamp(String($0)) }
      .map { $0 / UTCCalendar.nanosecondsPerDay }
  }

  /// Takes one committed time.
  public mutating func observe(_ o: BarObservation) {
    if let day, o.day != day { closeDay() }
    day = o.day
    bars += 1
    for (symbol, record) in o.orders {
      dayOrders.append((o.time, symbol, record))
      if record.status == .filled, let a = symbols.firstIndex(of: symbol) {
        let signed = Double(record.side) * record.units
        rebuiltUnits[a] += signed
        rebuiltCash -= signed * record.price + record.fee
        fills += 1
      } else { refused += 1 }
    }
    peak = Swift.max(peak, o.equity)
    last = o
  }

  /// The feed ended: the day so far is written.
  public mutating func finish() { if day != nil { closeDay() } }

  mutating func closeDay() {
    guard let o = last, let d = day else { return }
    defer { day = nil; bars = 0; fills = 0; refused = 0; dayOrders = []; dayStartEquity = o.equity }
    guard enabled, written.map({ d > $0 }) ?? true else { return }
    let f = CSVWriter.format, date = UTCCalendar.iso8601(d * UTCCalendar.nanosecondsPerDay, dateOnly: true)
    let weights = zip(o.units, o.closes).map { $0 == 0 ? 0 : $0 * $1 / o.equity }
    let unitBreaks = symbols.indices.filter { Swift.abs(rebuiltUnits[$0] - o.units[$0]) > 1e-9 * Swift.max(1, Swift.abs(o.units[$0])) }
    let cashBreak = Swift.abs(rebuiltCash - o.cash) > 1e-9 * Swift.max(1, Swift.abs(o.cash))
    let rows: [(String, [String], [String])] = [
      ("daily.csv", ["date", "bars", "equity", "pnl", "return", "drawdown", "fills", "refused", "halted"],
       [date, String(bars), f(o.equity), f(o.equity - dayStartEquity), f(o.equity / dayStartEquity - 1), f(o.equity / peak - 1),
        String(fills), String(refused), o.halted ? "1" : "0"]),
      ("reconciliation.csv", ["date"] + symbols.flatMap { ["units_\($0)", "units_from_fills_\($0)"] } + ["cash", "cash_from_fills", "breaks"],
       [date] + symbols.indices.flatMap { [f(o.units[$0]), f(rebuiltUnits[$0])] } + [f(o.cash), f(rebuiltCash), String(unitBreaks.count + (cashBreak ? 1 : 0))]),
      ("exposure.csv", ["date", "gross_exposure", "net_exposure"] + symbols.map { "weight_\($0)" } + ["drawdown", "halt_level"],
       [date, f(o.grossExposure), f(weights.reduce(0, +))] + weights.map(f) + [f(o.equity / o.peak - 1), o.limit.map { f(-$0) } ?? ""]),
    ]
    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    for (name, header, row) in rows {
      let path = URL(fileURLWithPath: folder).appendingPathComponent(name).path
      let fresh = !FileManager.default.fileExists(atPath: path)
      let text = (fresh ? header.joined(separator: ",") + "\n" : "") + row.joined(separator: ",") + "\n"
      let fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
      guard fd >= 0 else { continue }  // a report never stops trading
      let bytes = Array(text.utf8)
      _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
      close(fd)
    }
    let page = DayPage(folder: folder, date: date, symbols: symbols, o: o, dayStartEquity: dayStartEquity, weights: weights,
                       breaks: unitBreaks.count + (cashBreak ? 1 : 0), rebuiltUnits: rebuiltUnits, rebuiltCash: rebuiltCash,
                       bars: bars, fills: fills, refused: refused, orders: dayOrders)
    Self.pages.async { page.write() }
    written = d
    daysWritten += 1
  }

  /// The day pages are made and written on this queue: a bar never waits for one.
  static let pages = DispatchQueue(label: "kairos.day-pages", qos: .utility)

  /// Waits for the day pages queued so far (a session's end).
  public static func flushPages() { pages.sync {} }
}

/// `reports/days/DATE.html`: the day on one page — equity, P&L, return, drawdown against the
/// halt, exposure, each symbol's position against the one rebuilt from the fills, the orders.
struct DayPage: Sendable {
  let folder: String, date: String, symbols: [String], o: BarObservation, dayStartEquity: Double, weights: [Double], breaks: Int
  let rebuiltUnits: [Double], rebuiltCash: Double, bars: Int, fills: Int, refused: Int
  let orders: [(time: Int64, symbol: String, record: OrderRecord)]

  func write() {
    var page = HTMLReport(title: "Daily report \(date)")
    page.cards([("Equity", HumanNumber.money(o.equity)), ("P&L", HumanNumber.money(o.equity - dayStartEquity)),
                ("Return", HumanNumber.percent(o.equity / dayStartEquity - 1)), ("Drawdown", HumanNumber.percent(o.equity / o.peak - 1)
                  + (o.limit.map { " (halt at " + HumanNumber.percent(-$0) + ")" } ?? "")),
                ("Gross exposure", HumanNumber.percent(o.grossExposure)), ("Reconciliation", breaks == 0 ? "no break" : "\(breaks) BREAKS")]
               + (o.halted ? [("Trading", "HALTED")] : []))
    page.heading("Positions at the day's end")
    page.table(header: ["symbol", "units", "units from the fills", "last close", "weight"], rows: symbols.indices.map { a in
      [symbols[a], HumanNumber.fixed(o.units[a], digits: 4), HumanNumber.fixed(rebuiltUnits[a], digits: 4), HumanNumber.fixed(o.closes[a], digits: 4),
       HumanNumber.percent(weights[a])]
    })
    page.paragraph("Cash \(HumanNumber.money(o.cash)); rebuilt from the fills \(HumanNumber.money(rebuiltCash)). \(bars) bars, \(fills) fills, \(refused) refused.")
    page.heading("Orders (\(orders.count))")
    page.table(header: ["time", "symbol", "side", "units", "price", "fee", "reason", "status", "clipped by"], rows: orders.map { t, symbol, r in
      [UTCCalendar.iso8601(t), symbol, r.side > 0 ? "buy" : "sell", HumanNumber.fixed(r.units, digits: 4), HumanNumber.fixed(r.price, digits: 4),
       HumanNumber.money(r.fee), r.reason.rawValue, r.status.rawValue, r.clip.rawValue]
    })
    let days = URL(fileURLWithPath: folder).appendingPathComponent("days")
    try? FileManager.default.createDirectory(at: days, withIntermediateDirectories: true)
    // Regenerable from the state: written without a sync (a crash loses at most this page).
    try? Data(page.html.utf8).write(to: days.appendingPathComponent(date + ".html"), options: .atomic)
  }
}
