/// The number of bars in a year, for annualized metrics (docs/DESIGN.md §5), inferred from the
/// bars' timestamps by one rule:
///
/// - bars a day apart (the modal step): 365 when any bar falls on a weekend (`24x7`), else 252;
/// - a week apart: 52; a month apart (28–31 days): 12; a quarter: 4; a year: 1;
/// - intraday bars: (session length ÷ bar spacing) × sessions per year of the calendar — 24×5 FX
///   hourly 24 × 260 = 6,240; NYSE one-minute bars 390 × 252 = 98,280 (extended-hours bars do
///   not change the regular session's count); 24×7 minutes 1,440 × 365 = 525,600.
///
/// `--periods-per-year` overrides it; `--calendar` chooses the calendar instead of detecting it.
public enum PeriodsPerYear {
  /// The inferred value and the calendar it came from, or `nil` for fewer than two bars (no
  /// spacing to infer: the caller falls back to 252 and says so).
  public static func infer(timestamps: some Collection<Int64>, calendar: TradingCalendar? = nil) -> (value: Double, calendar: TradingCalendar)? {
    // One copy to an array, so the passes below iterate concrete storage (the generic form
    // is not specialized across modules: a witness call per bar and pass).
    let timestamps = Array(timestamps)
    guard let spacing = modalSpacing(timestamps), spacing > 0 else { return nil }
    let calendar = calendar ?? TradingCalendar.detect(timestamps)
    return (value(spacing: spacing, calendar: calendar), calendar)
  }

  /// The rule itself, for bars `spacing` ns apart on `calendar` (a live session knows its bar
  /// interval and calendar before it has seen a bar).
  public static func value(spacing: Int64, calendar: TradingCalendar) -> Double {
    let day = UTCCalendar.nanosecondsPerDay
    switch spacing {
    case ..<day: return Double(calendar.sessionLength) / Double(spacing) * calendar.sessionsPerYear
    case day..<(2 * day): return calendar == .always ? 365 : 252
    case (6 * day)...(8 * day): return 52
    case (28 * day)...(31 * day): return 12
    case (89 * day)...(92 * day): return 4
    case (365 * day)...(366 * day): return 1
    default: return 365.25 * Double(day) / Double(spacing)  // as many bars as fit in a year of 365.25 days
    }
  }

  /// The most common step between consecutive timestamps (the smaller on ties), or `nil` for
  /// fewer than two. A daily stock series gives one day although weekends make many steps longer.
  public static func modalSpacing(_ timestamps: some Collection<Int64>) -> Int64? { modalSpacing(Array(timestamps)) }

  static func modalSpacing(_ timestamps: [Int64]) -> Int64? {
    // Counted by runs of equal steps (one count update per run, not per bar: a regular series
    // of a million bars is one run). A series has few distinct steps (a daily one: 1, 3 and a
    // holiday's 2 or 4 days), found by a scan of the first 16; a dictionary keeps the rest.
    var few: [(step: Int64, count: Int)] = []
    var more: [Int64: Int] = [:]
    func count(_ step: Int64, _ n: Int) {
      if let k = few.firstIndex(where: { $0.step == step }) { few[k].count += n }
      else if few.count < 16 { few.append((step, n)) }
      else { more[step, default: 0] += n }
    }
    guard var previous = timestamps.first else { return nil }
    var runStep: Int64? = nil, runLength = 0
    for t in timestamps.dropFirst() {
      let step = UTCCalendar.span(from: previous, to: t)
      if step == runStep { runLength += 1 } else {
        if let runStep { count(runStep, runLength) }
        (runStep, runLength) = (step, 1)
      }
      previous = t
    }
    if let runStep { count(runStep, runLength) }
    for (step, n) in few { more[step, default: 0] += n }
    return more.max { a, b in a.value != b.value ? a.value < b.value : a.key > b.key }?.key
  }
}
