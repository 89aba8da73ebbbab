import Foundation
import KairosCore
import KairosFrame

/// Runs the checks behind `kairos data check` on one OHLCV file.
public enum DataQualityCheck {
  /// Split ratios looked for in close-to-open jumps (and their reciprocals, for reverse splits).
  public static let splitRatios: [Double] = [2, 3, 4, 5, 10, 1.5]
  /// How close (relative) a jump must be to a split ratio to be suspected.
  public static let splitTolerance = 0.03
  /// How many examples a finding lists when not verbose.
  public static let exampleCount = 5

  /// Reads and checks `path`. A file that cannot be parsed gives an unusable report whose
  /// error is the parse error (file, line, column, what was expected).
  public static func run(path: String, calendar: TradingCalendar? = nil, verbose: Bool = false) -> DataQualityReport {
    if isCorporateActionsFile(path) {
      do { return .corporateActions(file: path, actions: try CorporateActionsReader.read(path: path)) }
      catch { return .unreadable(file: path, reason: error.description) }
    }
    let frame: Frame, order: RowOrderReport
    do {
      var options = CSVReadOptions.ohlcv
      options.sort = true
      options.duplicates = .keepLast
      (frame, order) = try CSVReader.readFrameWithOrderReport(path: path, options: options)
    } catch {
      return .unreadable(file: path, reason: error.description)
    }
    return check(frame, file: path, order: order, calendar: calendar, verbose: verbose)
  }

  /// Checks a frame that has `open`, `high`, `low`, `close` and `volume` columns. Gaps are judged
  /// by `calendar` (detected from the timestamps when `nil`): a step is a gap only when the
  /// market was open for a whole bar in it; otherwise it is a closure.
  public static func check(_ frame: Frame, file: String, order: RowOrderReport = RowOrderReport(), calendar: TradingCalendar? = nil,
                           verbose: Bool = false) -> DataQualityReport {
    let n = frame.rowCount
    let dateOnly = frame.index.isDateOnly
    func stamp(_ i: Int) -> String { UTCCalendar.iso8601(frame.index[i], dateOnly: dateOnly) }
    let limit = verbose ? Int.max : exampleCount
    func note(_ f: inout DataQualityReport.Finding, _ i: Int) {
      f.count += 1
      if f.examples.count < limit { f.examples.append(stamp(i)) }
    }
    // Columns are guaranteed by the OHLCV read options; a hand-built frame without them gets NaNs.
    func values(_ name: String) -> Column<Double> { frame[name] ?? Column(repeating: .nan, count: n) }
    let open = values("open"), high = values("high"), low = values("low"), close = values("close"), volume = values("volume")
    let adjusted = frame["adj_close"]

    var highBelowBody = DataQualityReport.Finding(), lowAboveBody = DataQualityReport.Finding(),
      highBelowLow = DataQualityReport.Finding(), nonPositive = DataQualityReport.Finding(),
      negativeVolume = DataQualityReport.Finding(), nonFinite = DataQualityReport.Finding(),
      zeroVolume = DataQualityReport.Finding(), missing = DataQualityReport.Finding()
    var splits: [DataQualityReport.SuspectedSplit] = []
    for i in 0..<n {
      let (o, h, l, c, v) = (open[i], high[i], low[i], close[i], volume[i])
      let problems = BarProblems.of(open: o, high: h, low: l, close: c, volume: v)
      if problems.contains(.infinite) || (adjusted.map { $0[i].isInfinite } ?? false) { note(&nonFinite, i) }
      if [o, h, l, c, v].contains(where: \.isNaN) { note(&missing, i); continue }
      if problems.contains(.highBelowBody) { note(&highBelowBody, i) }
      if problems.contains(.lowAboveBody) { note(&lowAboveBody, i) }
      if problems.contains(.highBelowLow) { note(&highBelowLow, i) }
      if problems.contains(.nonPositivePrice) { note(&nonPositive, i) }
      if problems.contains(.negativeVolume) { note(&negativeVolume, i) }
      if v == 0 { note(&zeroVolume, i) }
      if i > 0, close[i - 1] > 0, o > 0, let nearest = nearestSplitRatio(close[i - 1] / o) {
        var confirmed: Bool? = nil
        if let adjusted, adjusted[i - 1] > 0, close[i - 1] > 0 {
          // The adjustment factor adj/close jumps by the split ratio across a known split.
          let factorJump = (adjusted[i] / c) / (adjusted[i - 1] / close[i - 1])
          confirmed = Swift.abs(factorJump / nearest - 1) < splitTolerance
        }
        splits.append(.init(date: stamp(i), ratio: close[i - 1] / o, nearest: nearest, confirmedByAdjustedClose: confirmed))
      }
    }

    let spacing = frame.index.inferredSpacing
    let periods = PeriodsPerYear.infer(timestamps: frame.index.timestamps, calendar: calendar)
    var steps = SessionSteps()
    if let spacing, let periods { steps = frame.index.sessionSteps(spacing: spacing, calendar: periods.calendar) }
    let gaps = steps.gaps
    let tolerance = steps.tolerance
    func entry(_ g: Gap) -> DataQualityReport.GapEntry {
      .init(from: UTCCalendar.iso8601(g.from, dateOnly: dateOnly), to: UTCCalendar.iso8601(g.to, dateOnly: dateOnly), length: formatDuration(g.length),
            missingBars: g.missingBars)
    }
    let longest = gaps.max { $0.length < $1.length }

    var errors: [String] = [], warnings: [String] = []
    func count(_ k: Int, _ what: String) -> String { "\(k.formatted) \(what)" }
    if order.duplicateRows > 0 { errors.append(count(order.duplicateRows, "duplicate timestamps") + " (first on line \(order.firstDuplicateLine ?? 0); --dedupe keep-last reads them)") }
    if order.outOfOrderRows > 0 { errors.append(count(order.outOfOrderRows, "rows out of time order") + " (first on line \(order.firstOutOfOrderLine ?? 0); --sort reads them)") }
    if highBelowBody.count > 0 { errors.append(count(highBelowBody.count, "rows with high < max(open, close)")) }
    if lowAboveBody.count > 0 { errors.append(count(lowAboveBody.count, "rows with low > min(open, close)")) }
    if highBelowLow.count > 0 { errors.append(count(highBelowLow.count, "rows with high < low")) }
    if nonPositive.count > 0 { errors.append(count(nonPositive.count, "rows with a price <= 0")) }
    if negativeVolume.count > 0 { errors.append(count(negativeVolume.count, "rows with negative volume")) }
    if nonFinite.count > 0 { errors.append(count(nonFinite.count, "rows with infinite values")) }
    if n < 2 { warnings.append("fewer than two rows: no spacing or gaps can be inferred") }
    if !gaps.isEmpty {
      warnings.append(count(gaps.count, "gaps") + (tolerance.map { " longer than \(formatDuration($0))" } ?? " inside \(periods?.calendar.rawValue ?? "") sessions"))
    }
    if zeroVolume.count > 0 { warnings.append(count(zeroVolume.count, "zero-volume bars")) }
    if missing.count > 0 { warnings.append(count(missing.count, "bars with a missing (NaN) value") + " (they never fill; orders wait for the next bar with a price)") }
    if !splits.isEmpty { warnings.append(count(splits.count, "suspected unadjusted splits") + " (kairos data adjust)") }

    return DataQualityReport(
      file: file, rows: n,
      first: n > 0 ? stamp(0) : nil, last: n > 0 ? stamp(n - 1) : nil,
      spacing: spacing.map(formatDuration), gapTolerance: tolerance.map(formatDuration),
      calendar: periods?.calendar.rawValue, periodsPerYear: periods?.value,
      closures: steps.closures, barsOutsideSessions: steps.barsOutsideSessions,
      gapCount: gaps.count, longestGap: longest.map(entry),
      gaps: verbose ? gaps.map(entry) : [],
      duplicates: order.duplicateRows, outOfOrder: order.outOfOrderRows,
      highBelowBody: highBelowBody, lowAboveBody: lowAboveBody, highBelowLow: highBelowLow,
      nonPositivePrices: nonPositive, negativeVolume: negativeVolume, nonFiniteValues: nonFinite, missingValues: missing,
      zeroVolume: zeroVolume, suspectedSplits: splits,
      usable: errors.isEmpty, errors: errors, warnings: warnings)
  }

  /// `true` when the file's header names `ex_date`, `type` and `value` (a corporate-actions file).
  static func isCorporateActionsFile(_ path: String) -> Bool {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
          let handle = FileHandle(forReadingAtPath: path) else { return false }
    defer { try? handle.close() }
    let head = String(decoding: handle.readData(ofLength: 4096), as: UTF8.self)
    let header = head.split(separator: "\n", maxSplits: 1).first.map { $0.split(separator: ",").map { ColumnNames.normalize(String($0)) } } ?? []
    return ["ex_date", "type", "value"].allSatisfy(header.contains)
  }

  /// The split ratio (or reciprocal) `ratio` is within `splitTolerance` of, if any.
  static func nearestSplitRatio(_ ratio: Double) -> Double? {
    for r in splitRatios {
      if Swift.abs(ratio / r - 1) < splitTolerance { return r }
      if Swift.abs(ratio * r - 1) < splitTolerance { return 1 / r }
    }
    return nil
  }
}
