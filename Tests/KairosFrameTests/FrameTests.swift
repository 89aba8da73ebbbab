import KairosFrame
import KairosTestSupport
import Testing

let day = UTCCalendar.nanosecondsPerDay
let minute = UTCCalendar.nanosecondsPerMinute
func date(_ y: Int, _ m: Int, _ d: Int) -> Int64 { UTCCalendar.days(year: y, month: m, day: d) * day }

func frame(_ times: [Int64], _ columns: [(String, [Double])]) throws -> Frame {
  try Frame(index: TimeIndex(times), columns: columns)
}

@Suite struct FrameTests {
  @Test func constructionChecksShapesNamesAndOrder() throws {
    #expect(throws: FrameError.shapeMismatch(what: "column 'b'", expected: 2, found: 1)) {
      try frame([0, 1], [("a", [1, 2]), ("b", [1])])
    }
    #expect(throws: FrameError.duplicateColumn(name: "a")) { try frame([0, 1], [("a", [1, 2]), ("a", [1, 2])]) }
    #expect(throws: FrameError.unsortedIndex(position: 2, previous: 5, found: 3)) { try TimeIndex([1, 5, 3]) }
    #expect(throws: FrameError.duplicateTimestamp(position: 1, timestamp: 1)) { try TimeIndex([1, 1]) }
    let f = try frame([0, 1], [("a", [1, 2])])
    #expect(throws: FrameError.columnNotFound(name: "z", available: ["a"])) { try f.column("z") }
    #expect("\(FrameError.columnNotFound(name: "z", available: ["a"]))".contains("'z' not found"))
  }

  @Test func slicingByPositionIsZeroCopy() throws {
    let f = try frame([10, 20, 30, 40, 50], [("x", [1, 2, 3, 4, 5]), ("y", [5, 4, 3, 2, 1])])
    let s = f[rows: 1..<4]
    #expect(Array(s.index.timestamps) == [20, 30, 40])
    #expect(Array(try s.column("y")) == [4, 3, 2])
    try f.column("x").withUnsafeBufferPointer { parent in
      try s.column("x").withUnsafeBufferPointer { child in #expect(child.baseAddress == parent.baseAddress! + 1) }
    }
  }

  @Test func slicingByTimeIncludesBothEnds() throws {
    let f = try frame([10, 20, 30, 40, 50], [("x", [1, 2, 3, 4, 5])])
    #expect(Array(try f.rows(from: 20, through: 40).column("x")) == [2, 3, 4])
    #expect(Array(try f.rows(from: 15, through: 45).column("x")) == [2, 3, 4])
    #expect(Array(try f.rows(from: 41).column("x")) == [5])
    #expect(Array(try f.rows(through: 10).column("x")) == [1])
    #expect(f.rows(from: 60).rowCount == 0)
    #expect(f.rows(from: 40, through: 20).rowCount == 0)
    #expect(f.index.position(of: 30) == 2 && f.index.position(of: 31) == nil)
  }

  @Test func derivedColumns() throws {
    let f = try frame([1, 2], [("high", [10, 12]), ("low", [8, 11])])
    let g = try f.deriving("range", from: "high", "low") { $0 - $1 }.deriving("half", from: "range") { $0 / 2 }
    #expect(g.columnNames == ["high", "low", "range", "half"])
    #expect(Array(try g.column("half")) == [1, 0.5])
    #expect(f.columnNames == ["high", "low"])  // value semantics
  }

  @Test func alignmentInnerAndOuter() throws {
    let a = try frame([1, 2, 4], [("x", [1, 2, 4])])
    let b = try frame([2, 3, 4, 5], [("x", [20, 30, 40, 50])])
    let inner = Frame.align([a, b], join: .inner)
    #expect(Array(inner[0].index.timestamps) == [2, 4])
    #expect(Array(try inner[0].column("x")) == [2, 4])
    #expect(Array(try inner[1].column("x")) == [20, 40])
    let outer = Frame.align([a, b], join: .outer)
    #expect(Array(outer[0].index.timestamps) == [1, 2, 3, 4, 5])
    #expect(try outer[0].column("x").isIdentical(to: [1, 2, .nan, 4, .nan]))
    #expect(try outer[1].column("x").isIdentical(to: [.nan, 20, 30, 40, 50]))
  }

  @Test func panelIsTimeByAssetColumnMajor() throws {
    let a = try frame([1, 2, 3], [("close", [1, 2, 3]), ("volume", [10, 20, 30])])
    let b = try frame([2, 3], [("close", [20, 30]), ("volume", [200, 300])])
    let panel = try Panel(assets: ["A", "B"], frames: [a, b], join: .outer)
    #expect(panel.fields == ["close", "volume"])
    #expect(try panel.series("close", asset: "B").isIdentical(to: [.nan, 20, 30]))
    #expect(try panel.value("volume", row: 2, asset: 0) == 30)
    let block = try panel.withUnsafeBufferPointer(field: "close") { Array($0) }
    #expect(block.count == 6 && block[0] == 1 && block[4] == 20)
    #expect(throws: FrameError.self) { try Panel(assets: ["A"], frames: [a, b]) }
  }
}

@Suite struct ResampleTests {
  @Test func minutesToHoursHandComputed() throws {
    let h = UTCCalendar.nanosecondsPerHour
    // 09:58, 09:59, 10:00, 10:30, 12:15 → bars 09:00, 10:00, 12:00 (11:00 has no rows: no bar).
    let times: [Int64] = [9 * h + 58 * minute, 9 * h + 59 * minute, 10 * h, 10 * h + 30 * minute, 12 * h + 15 * minute]
    let columns: [(String, [Double])] = [
      ("open", [1, 2, 3, 4, 5]), ("high", [2, 6, 4, 9, 6]), ("low", [0.5, 1, 2, 3, 4]),
      ("close", [1.5, 2.5, 3.5, 4.5, 5.5]), ("volume", [10, 20, 30, 40, 50]),
    ]
    let f = try frame(times, columns)
    let r = f.resampled(to: try BarInterval(parsing: "1h"))
    #expect(Array(r.index.timestamps) == [9 * h, 10 * h, 12 * h])
    #expect(Array(try r.column("open")) == [1, 3, 5])
    #expect(Array(try r.column("high")) == [6, 9, 6])
    #expect(Array(try r.column("low")) == [0.5, 2, 4])
    #expect(Array(try r.column("close")) == [2.5, 4.5, 5.5])
    #expect(Array(try r.column("volume")) == [30, 70, 50])
  }

  @Test func daysToWeeksAreLabelledByMonday() throws {
    // 2024-01-03 (Wed) … 2024-01-09 (Tue): two ISO weeks starting 2024-01-01 and 2024-01-08.
    let times = [date(2024, 1, 3), date(2024, 1, 4), date(2024, 1, 5), date(2024, 1, 8), date(2024, 1, 9)]
    let f = try frame(times, [("close", [1, 2, 3, 4, 5]), ("volume", [1, 1, 1, 1, 1])])
    let r = f.resampled(to: try BarInterval(parsing: "1w"))
    #expect(Array(r.index.timestamps) == [date(2024, 1, 1), date(2024, 1, 8)])
    #expect(Array(try r.column("close")) == [3, 5])
    #expect(Array(try r.column("volume")) == [3, 2])
  }

  @Test func nanValuesAreSkippedAndAllNaNStaysNaN() throws {
    let f = try frame([0, minute, 2 * minute, 60 * minute] as [Int64], [
      ("open", [.nan, 2, 3, .nan]), ("close", [1, 2, .nan, .nan]), ("volume", [1, .nan, 2, .nan]),
    ])
    let r = f.resampled(to: try BarInterval(parsing: "1h"))
    #expect(try r.column("open").isIdentical(to: [2, .nan]))
    #expect(try r.column("close").isIdentical(to: [2, .nan]))
    #expect(try r.column("volume").isIdentical(to: [3, .nan]))
  }

  @Test func customAggregationAndIntervalParsing() throws {
    let f = try frame([0, minute, 2 * minute] as [Int64], [("feature", [1, 2, 6])])
    let r = f.resampled(to: try BarInterval(parsing: "5m"), aggregations: ["feature": Aggregation.mean])
    #expect(Array(try r.column("feature")) == [3])
    #expect(try BarInterval(parsing: "15m").nanoseconds == 15 * minute)
    #expect(try BarInterval(parsing: "d").nanoseconds == day)
    #expect(throws: FrameError.self) { try BarInterval(parsing: "0h") }
    #expect(throws: FrameError.self) { try BarInterval(parsing: "1y") }
  }

  @Test func barsBeforeTheEpochFloorCorrectly() throws {
    let b = try BarInterval(parsing: "1d")
    #expect(b.barStart(of: -1) == -day)
    #expect(b.barStart(of: 0) == 0)
  }
}

@Suite struct MissingDataTests {
  @Test func forwardFillRespectsTheLimit() {
    let x = Column<Double>([.nan, 1, .nan, .nan, .nan, 2, .nan])
    #expect(x.forwardFilled(limit: 2).isIdentical(to: [.nan, 1, 1, 1, .nan, 2, 2]))
    #expect(x.forwardFilled().isIdentical(to: [.nan, 1, 1, 1, 1, 2, 2]))
    #expect(x.forwardFilled(limit: 0).isIdentical(to: x))
    #expect(x.nanCount == 5)
  }

  @Test func policiesOnFrames() throws {
    let f = try frame([1, 2, 3, 4], [("a", [1, .nan, 3, 4]), ("b", [1, 2, .nan, 4])])
    #expect(Array(try f.applying(.drop).index.timestamps) == [1, 4])
    #expect(Array(try f.applying(.drop, to: ["a"]).index.timestamps) == [1, 3, 4])
    #expect(try f.applying(.forwardFill(limit: 1)).column("b").isIdentical(to: [1, 2, 2, 4]))
    #expect(try f.applying(.keepNaN) == f)
    #expect(throws: FrameError.self) { try f.applying(.drop, to: ["zzz"]) }
  }

  @Test func gapsAgainstTheInferredSpacing() throws {
    // Mon–Fri, weekend, Mon–Wed, then a week's closure: the weekend is not a gap, the closure is.
    let days = [date(2001, 9, 3), date(2001, 9, 4), date(2001, 9, 5), date(2001, 9, 6), date(2001, 9, 7),
                date(2001, 9, 10), date(2001, 9, 17), date(2001, 9, 18)]
    let index = try TimeIndex(days)
    #expect(index.inferredSpacing == day)
    let tolerance = TimeIndex.defaultGapTolerance(forSpacing: day)
    #expect(tolerance == 4 * day)
    #expect(index.gaps(tolerance: tolerance) == [Gap(position: 6, from: date(2001, 9, 10), to: date(2001, 9, 17))])
    let minutes = try TimeIndex([0, minute, 2 * minute, 5 * minute])
    let minuteGaps = minutes.gaps(tolerance: TimeIndex.defaultGapTolerance(forSpacing: minute))
    #expect(minuteGaps.map { $0.length } == [3 * minute])
  }
}

@Suite struct CorporateActionTests {
  @Test func splitAndDividendHandComputed() throws {
    // Rows on days 1…5. A 2-for-1 split effective day 3, a dividend of 1 effective day 5.
    let f = try frame([1, 2, 3, 4, 5].map { Int64($0) * day }, [
      ("open", [100, 102, 51, 50, 49]), ("high", [101, 103, 52, 51, 50]), ("low", [99, 101, 50, 49, 48]),
      ("close", [100, 102, 51, 50, 49]), ("volume", [1000, 1000, 2000, 2000, 2000]),
    ])
    let actions = [CorporateAction(exDate: 3 * day, kind: .split(ratio: 2)), CorporateAction(exDate: 5 * day, kind: .dividend(amount: 1))]
    let factors = try f.adjustmentFactors(for: actions)
    let dividendFactor = 1 - 1.0 / 50
    #expect(allClose(Array(factors), [0.5 * dividendFactor, 0.5 * dividendFactor, dividendFactor, dividendFactor, 1], rtol: 1e-15))
    let adjusted = try f.adjusted(for: actions)
    #expect(allClose(Array(try adjusted.column("close")), [50 * dividendFactor, 51 * dividendFactor, 51 * dividendFactor, 50 * dividendFactor, 49], rtol: 1e-15))
    #expect(allClose(Array(try adjusted.column("volume")), [2000 / dividendFactor, 2000 / dividendFactor, 2000 / dividendFactor, 2000 / dividendFactor, 2000], rtol: 1e-15))
  }

  @Test func invalidActionsAreRejected() throws {
    let f = try frame([day, 2 * day], [("open", [1, 1]), ("high", [1, 1]), ("low", [1, 1]), ("close", [1, 1]), ("volume", [1, 1])])
    #expect(throws: FrameError.self) { try f.adjusted(for: [CorporateAction(exDate: 2 * day, kind: .split(ratio: 0))]) }
    #expect(throws: FrameError.self) { try f.adjusted(for: [CorporateAction(exDate: 2 * day, kind: .dividend(amount: 5))]) }
    #expect(throws: FrameError.self) { try f.adjusted(for: [CorporateAction(exDate: 9 * day, kind: .dividend(amount: 0.1))]) }
    // Before the first row: no effect. A split after the last row adjusts everything.
    #expect(Array(try f.adjustmentFactors(for: [CorporateAction(exDate: 0, kind: .split(ratio: 2))])) == [1, 1])
    #expect(Array(try f.adjustmentFactors(for: [CorporateAction(exDate: 9 * day, kind: .split(ratio: 2))])) == [0.5, 0.5])
  }

  @Test func adjustingFromAdjustedClose() throws {
    let f = try frame([day, 2 * day], [("open", [10, 10]), ("high", [12, 12]), ("low", [9, 9]), ("close", [10, 10]), ("volume", [100, 100]), ("adj_close", [5, 10])])
    let adjusted = try f.adjustedFromAdjustedClose()
    #expect(Array(try adjusted.column("high")) == [6, 12])
    #expect(Array(try adjusted.column("volume")) == [200, 100])
    let bad = try frame([day], [("open", [1]), ("high", [1]), ("low", [1]), ("close", [1]), ("volume", [1]), ("adj_close", [.nan])])
    #expect(throws: FrameError.self) { try bad.adjustedFromAdjustedClose() }
  }
}

@Suite struct SyntheticMarketTests {
  @Test func deterministicAndWellFormed() throws {
    let a = SyntheticMarket(seed: 3, bars: 2000, assets: 2).generate()
    let b = SyntheticMarket(seed: 3, bars: 2000, assets: 2).generate()
    #expect(a.map(\.name) == ["SYN1", "SYN2"])
    #expect(a[0].frame == b[0].frame && a[1].frame == b[1].frame)
    #expect(a[0].frame != SyntheticMarket(seed: 4, bars: 2000).generate()[0].frame)
    for (_, f) in a {
      let (o, h, l, c, v) = (try f.column("open"), try f.column("high"), try f.column("low"), try f.column("close"), try f.column("volume"))
      for i in 0..<f.rowCount {
        #expect(l[i] <= min(o[i], c[i]) && max(o[i], c[i]) <= h[i] && l[i] > 0 && v[i] > 0)
      }
      // Weekdays only for daily bars.
      #expect(f.index.timestamps.allSatisfy { UTCCalendar.weekday(days: UTCCalendar.day(of: $0)) < 5 })
    }
    // Volatility regimes: rolling 20-bar volatility varies by a factor of at least 2.
    let close = Array(try a[0].frame.column("close"))
    let returns = (1..<close.count).map { close[$0] / close[$0 - 1] - 1 }
    let vols = stride(from: 0, to: returns.count - 20, by: 20).map { k in
      let w = returns[k..<(k + 20)]; let m = w.reduce(0, +) / 20
      return (w.map { ($0 - m) * ($0 - m) }.reduce(0, +) / 19).squareRoot()
    }
    #expect(vols.max()! / vols.min()! > 2)
  }
}
