import Foundation
import KairosCore
import KairosFrame

/// The data-quality report of one OHLCV file (`kairos data check`).
///
/// Problems that make the data unusable for a backtest (errors) are kept apart from things a
/// user should look at but that do not corrupt results (warnings). All row references are
/// timestamps, in the file's own ISO 8601 form.
public struct DataQualityReport: Sendable, Codable, Equatable {
  /// One kind of finding: how many rows, and the first few (all with `verbose`).
  public struct Finding: Sendable, Codable, Equatable {
    public var count: Int
    public var examples: [String]
    public init(count: Int = 0, examples: [String] = []) { self.count = count; self.examples = examples }
  }

  /// A gap: bars the calendar expected between two rows are missing (or, for weekly and
  /// longer bars, the step exceeds the tolerance).
  public struct GapEntry: Sendable, Codable, Equatable {
    public var from: String
    public var to: String
    public var length: String
    /// Bars expected in session between the two rows.
    public var missingBars: Int?
  }

  /// A close-to-open jump whose ratio is near a common split ratio.
  public struct SuspectedSplit: Sendable, Codable, Equatable {
    public var date: String
    /// previous close / open.
    public var ratio: Double
    /// The split ratio it is near (2 for a 2-for-1 split, 0.5 for a 1-for-2 reverse split).
    public var nearest: Double
    /// `true` when an `adj_close` column moves by the same factor on that day (the source
    /// already knows this split; adjust with `kairos data adjust`).
    public var confirmedByAdjustedClose: Bool?
  }

  public var file: String
  /// `ohlcv`, or `corporate-actions` for an actions side file (ex_date,type,value).
  public var kind: String = "ohlcv"
  public var rows: Int
  public var first: String?
  public var last: String?
  /// The modal step between rows, e.g. `1d`, `1m`.
  public var spacing: String?
  /// Steps longer than this are gaps (weekly and longer bars; shorter bars use the calendar).
  public var gapTolerance: String?
  /// The trading calendar gaps and closures are judged by (`24x7`, `24x5`, `nyse`), given or detected.
  public var calendar: String?
  /// Bars per year for annualized metrics by the docs/DESIGN.md §5 rule.
  public var periodsPerYear: Double?
  /// Steps over which the market was closed (nights, weekends, holidays): not gaps.
  public var closures: Int = 0
  /// Bars outside the calendar's sessions (e.g. extended hours against the NYSE regular session).
  public var barsOutsideSessions: Int = 0
  public var gapCount: Int
  public var longestGap: GapEntry?
  public var gaps: [GapEntry]
  public var duplicates: Int
  public var outOfOrder: Int
  public var highBelowBody: Finding
  public var lowAboveBody: Finding
  public var highBelowLow: Finding
  public var nonPositivePrices: Finding
  public var negativeVolume: Finding
  public var nonFiniteValues: Finding
  /// Bars with a missing (`NaN`) value: usable (they never fill), counted apart.
  public var missingValues: Finding = .init()
  public var zeroVolume: Finding
  public var suspectedSplits: [SuspectedSplit]
  /// Splits and dividends in a corporate-actions file.
  public var splits: Int?
  public var dividends: Int?
  /// `true` when the data can be used as it is.
  public var usable: Bool
  /// Why it cannot (empty when usable).
  public var errors: [String]
  /// What deserves a look but does not block use.
  public var warnings: [String]
}

extension DataQualityReport {
  /// The report of a file that could not be read at all.
  public static func unreadable(file: String, reason: String) -> DataQualityReport {
    DataQualityReport(
      file: file, rows: 0, first: nil, last: nil, spacing: nil, gapTolerance: nil, gapCount: 0,
      longestGap: nil, gaps: [], duplicates: 0, outOfOrder: 0, highBelowBody: .init(), lowAboveBody: .init(),
      highBelowLow: .init(), nonPositivePrices: .init(), negativeVolume: .init(), nonFiniteValues: .init(),
      zeroVolume: .init(), suspectedSplits: [], usable: false, errors: [reason], warnings: [])
  }

  /// The report of a corporate-actions file that was read without error.
  public static func corporateActions(file: String, actions: [CorporateAction]) -> DataQualityReport {
    var report = unreadable(file: file, reason: "")
    report.kind = "corporate-actions"
    report.rows = actions.count
    report.first = actions.first.map { UTCCalendar.iso8601($0.exDate, dateOnly: UTCCalendar.isMidnight($0.exDate)) }
    report.last = actions.last.map { UTCCalendar.iso8601($0.exDate, dateOnly: UTCCalendar.isMidnight($0.exDate)) }
    report.splits = actions.filter { if case .split = $0.kind { true } else { false } }.count
    report.dividends = actions.count - report.splits!
    report.usable = true
    report.errors = []
    return report
  }

  /// Human-readable text, one finding per line.
  public func text(verbose: Bool = false) -> String {
    var lines = [file]
    func row(_ label: String, _ value: String) { lines.append("  " + label.padding(18) + value) }
    if rows == 0 && !errors.isEmpty {
      row("verdict", "NOT USABLE: " + errors.joined(separator: "; "))
      return lines.joined(separator: "\n")
    }
    if kind == "corporate-actions" {
      row("kind", "corporate actions (ex_date,type,value)")
      row("rows", rows.formatted)
      row("range", "\(first ?? "-") … \(last ?? "-")")
      row("splits", "\(splits ?? 0)")
      row("dividends", "\(dividends ?? 0)")
      row("verdict", "usable")
      return lines.joined(separator: "\n")
    }
    row("rows", rows.formatted)
    row("range", "\(first ?? "-") … \(last ?? "-")")
    row("bar spacing", "\(spacing ?? "-")" + (gapTolerance.map { " (a step over \($0) is a gap)" } ?? ""))
    if let calendar {
      row("calendar", calendar + (periodsPerYear.map { " (" + String(format: "%.6g", $0) + " bars per year for annualized metrics)" } ?? ""))
      row("closures", closures.formatted + " (steps while the market was closed: nights, weekends, holidays)")
      if barsOutsideSessions > 0 { row("off-session bars", barsOutsideSessions.formatted + " (outside the \(calendar) sessions)") }
    }
    func missing(_ g: GapEntry) -> String { g.missingBars.map { ", \($0.formatted) bars missing" } ?? "" }
    row("gaps", gapCount == 0 ? "0" : "\(gapCount.formatted)" + (longestGap.map { " (longest \($0.length)\(missing($0)): \($0.from) → \($0.to))" } ?? ""))
    if verbose { for gap in gaps { lines.append("      \(gap.from) → \(gap.to)  (\(gap.length)\(missing(gap)))") } }
    row("duplicates", "\(duplicates)")
    row("out of order", "\(outOfOrder)")
    func finding(_ label: String, _ f: Finding) {
      row(label, f.count == 0 ? "0" : "\(f.count.formatted): " + f.examples.joined(separator: ", ") + (f.count > f.examples.count ? ", …" : ""))
    }
    finding("high < max(o, c)", highBelowBody)
    finding("low > min(o, c)", lowAboveBody)
    finding("high < low", highBelowLow)
    finding("price <= 0", nonPositivePrices)
    finding("volume < 0", negativeVolume)
    finding("infinite", nonFiniteValues)
    finding("missing (NaN)", missingValues)
    finding("zero volume", zeroVolume)
    row("suspected splits", suspectedSplits.isEmpty ? "0" : "\(suspectedSplits.count): " + suspectedSplits.map {
      "\($0.date) (close→open ×\(String(format2: $0.ratio)), near \(String(format2: $0.nearest))\($0.confirmedByAdjustedClose == true ? ", adj_close agrees" : ""))"
    }.joined(separator: ", "))
    if usable {
      row("verdict", warnings.isEmpty ? "usable" : "usable, with \(warnings.count) warning\(warnings.count == 1 ? "" : "s"): " + warnings.joined(separator: "; "))
    } else {
      row("verdict", "NOT USABLE: " + errors.joined(separator: "; ") + (warnings.isEmpty ? "" : " (warnings: " + warnings.joined(separator: "; ") + ")"))
    }
    return lines.joined(separator: "\n")
  }
}

extension Int {
  /// `3270` → `3,270`.
  var formatted: String { HumanNumber.grouped(self) }
}

extension String {
  func padding(_ width: Int) -> String { count >= width ? self + " " : self + String(repeating: " ", count: width - count) }

  /// Two decimals, without Foundation.
  init(format2 x: Double) {
    let scaled = (x * 100).rounded()
    let whole = Int(scaled / 100), cents = Int(Swift.abs(scaled).truncatingRemainder(dividingBy: 100))
    self = "\(whole).\(cents < 10 ? "0" : "")\(cents)"
  }
}

/// Duration text: `1m`, `90m` → `1h30m`, `1d`, `7d`, `2d3h`, `45s`.
public func formatDuration(_ nanoseconds: Int64) -> String {
  var rest = nanoseconds / UTCCalendar.nanosecondsPerSecond
  if rest == 0 { return "\(nanoseconds)ns" }
  var parts: [String] = []
  for (unit, size) in [("d", Int64(86_400)), ("h", 3_600), ("m", 60), ("s", 1)] where rest >= size {
    parts.append("\(rest / size)\(unit)")
    rest %= size
  }
  return parts.joined()
}

extension DataQualityReport {
  /// Reports as `kairos data check --json` prints them: pretty-printed, keys sorted.
  public static func json(_ reports: [DataQualityReport]) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    // Strings, numbers and arrays of them: encoding cannot fail.
    return String(decoding: (try? encoder.encode(reports)) ?? Data(), as: UTF8.self)
  }
}
