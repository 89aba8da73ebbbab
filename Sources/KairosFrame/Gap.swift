import KairosCore

/// A step between two consecutive rows that is longer than the series' tolerance.
public struct Gap: Sendable, Equatable {
  /// The row just after the gap (0-based).
  public let position: Int
  /// The timestamp of the last row before the gap.
  public let from: Int64
  /// The timestamp of the first row after the gap.
  public let to: Int64
  /// The bars the calendar expected in the gap (`nil` when the gap was found by length alone).
  public let missingBars: Int?
  /// The step in nanoseconds.
  public var length: Int64 { UTCCalendar.span(from: from, to: to) }

  public init(position: Int, from: Int64, to: Int64, missingBars: Int? = nil) {
    self.position = position
    self.from = from
    self.to = to
    self.missingBars = missingBars
  }
}

extension TimeIndex {
  /// The most common step between consecutive rows (the modal spacing; on ties the smaller),
  /// or `nil` for fewer than two rows. A daily stock series gives one day even though weekends
  /// make many steps three days long.
  public var inferredSpacing: Int64? { PeriodsPerYear.modalSpacing(timestamps) }

  /// The longest step that is not a gap, for a series whose bars are `spacing` apart.
  ///
  /// - Intraday bars: one bar; any missing bar is a gap (overnight breaks included).
  /// - Daily bars: four days, so weekends and a holiday next to a weekend are not gaps but any
  ///   longer closure is (e.g. 2001-09-10 → 2001-09-17).
  /// - Weekly and longer bars: one and a half bars.
  public static func defaultGapTolerance(forSpacing spacing: Int64) -> Int64 {
    let day = UTCCalendar.nanosecondsPerDay
    if spacing < day { return spacing }
    if spacing < 7 * day { return 4 * day }
    return spacing + spacing / 2
  }

  /// The steps longer than `tolerance` nanoseconds, in time order.
  /// - Complexity: O(*n*).
  public func gaps(tolerance: Int64) -> [Gap] {
    var result: [Gap] = []
    timestamps.withUnsafeBufferPointer { t in
      guard t.count >= 2 else { return }
      for i in 1..<t.count where UTCCalendar.span(from: t[i - 1], to: t[i]) > tolerance {
        result.append(Gap(position: i, from: t[i - 1], to: t[i]))
      }
    }
    return result
  }
}

/// The steps of a series sorted by a trading calendar: gaps (bars the calendar expected are
/// missing), closures (the market was closed for the whole step) and bars that fall outside
/// the calendar's sessions (e.g. extended-hours bars against the NYSE regular session).
public struct SessionSteps: Sendable, Equatable {
  public var gaps: [Gap] = []
  public var closures = 0
  public var barsOutsideSessions = 0
  /// For weekly and longer bars (no calendar): the longest step that is not a gap.
  public var tolerance: Int64? = nil
  public init() {}
}

extension TimeIndex {
  /// Sorts the steps longer than one bar of `spacing` by `calendar`:
  ///
  /// - intraday bars: a step is a gap when the calendar is open for at least one whole bar
  ///   between the two rows (`missingBars` = open time ÷ spacing), else a closure;
  /// - daily bars: a gap when a session day lies strictly between the two dates, else a closure;
  /// - weekly and longer bars: a gap when the step exceeds one and a half bars (no calendar).
  /// - Complexity: O(*n*) plus one step per calendar day inside each step that is longer than a bar.
  public func sessionSteps(spacing: Int64, calendar: TradingCalendar) -> SessionSteps {
    var result = SessionSteps()
    let day = UTCCalendar.nanosecondsPerDay
    let t = timestamps
    guard spacing > 0 else { return result }
    if spacing >= 2 * day { result.tolerance = spacing + spacing / 2 }
    for i in t.indices {
      let outside = spacing < day ? !calendar.isOpen(at: t[i]) : (spacing < 2 * day && !calendar.isSessionDay(UTCCalendar.day(of: t[i])))
      if outside { result.barsOutsideSessions += 1 }
      guard i > 0 else { continue }
      let step = UTCCalendar.span(from: t[i - 1], to: t[i])
      guard step > spacing else { continue }
      let missing: Int
      if spacing < day {
        let from = t[i - 1].addingReportingOverflow(spacing)
        missing = from.overflow ? 0 : Int(calendar.openTime(from: from.partialValue, to: t[i]) / spacing)
      } else if spacing < 2 * day {
        let (a, b) = (UTCCalendar.day(of: t[i - 1]), UTCCalendar.day(of: t[i]))
        missing = b - a < 2 ? 0 : (a + 1..<b).reduce(0) { $0 + (calendar.isSessionDay($1) ? 1 : 0) }
      } else {
        if step > result.tolerance! { result.gaps.append(Gap(position: i, from: t[i - 1], to: t[i])) }
        continue
      }
      if missing > 0 { result.gaps.append(Gap(position: i, from: t[i - 1], to: t[i], missingBars: missing)) }
      else { result.closures += 1 }
    }
    return result
  }
}
