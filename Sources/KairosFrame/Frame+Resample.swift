import KairosCore

/// How the rows of one bar are combined into a coarser bar. `NaN` values are skipped; a bar
/// whose values are all `NaN` gets `NaN` (pandas would give 0 for `sum`: we never disguise a
/// missing value as 0).
public enum Aggregation: String, Sendable, CaseIterable {
  case first, last, max, min, sum, mean

  /// The OHLCV convention: `open` first, `high` max, `low` min, `volume` sum, anything else
  /// (`close`, `adj_close`, features) last.
  public static func `default`(forColumn name: String) -> Aggregation {
    switch name {
    case "open": return .first
    case "high": return .max
    case "low": return .min
    case "volume": return .sum
    default: return .last
    }
  }
}

extension Frame {
  /// Resamples to coarser bars on calendar boundaries, each labelled by its start.
  ///
  /// Equivalent to pandas
  /// `df.resample(rule, label="left", closed="left").agg({...}).dropna(how="all")`:
  /// bars that contain no source row are left out (a closed market makes no bar).
  ///
  /// - Parameters:
  ///   - interval: The target bar length.
  ///   - aggregations: Per-column overrides; other columns follow `Aggregation.default(forColumn:)`.
  /// - Complexity: O(*n*) per column, one pass.
  public func resampled(
    to interval: BarInterval, aggregations: [String: Aggregation] = [:]
  ) -> Frame {
    // Bar boundaries: the first source row of every bar, plus rowCount.
    var starts: [Int] = []
    var labels: [Int64] = []
    index.timestamps.withUnsafeBufferPointer { t in
      var current = Int64.min
      for i in 0..<t.count {
        let label = interval.barStart(of: t[i])
        if label != current { starts.append(i); labels.append(label); current = label }
      }
    }
    starts.append(rowCount)
    let barCount = labels.count
    var result = Frame(index: TimeIndex(unchecked: Column(labels)))
    for name in columnNames {
      let aggregation = aggregations[name] ?? .default(forColumn: name)
      let source = _columns[name]!
      let column = Column<Double>(unsafeUninitializedCount: barCount) { out in
        source.withUnsafeBufferPointer { x in
          for bar in 0..<barCount {
            out[bar] = Self.aggregate(x, from: starts[bar], to: starts[bar + 1], aggregation)
          }
        }
      }
      result._unsafeAppend(name, column)
    }
    return result
  }

  @inline(__always)
  static func aggregate(
    _ x: UnsafeBufferPointer<Double>, from lower: Int, to upper: Int, _ aggregation: Aggregation
  ) -> Double {
    var running = RunningAggregate(aggregation)
    // One loop per aggregation, so the step is not a switch per value.
    switch aggregation {
    case .first: for i in lower..<upper { running.addFirst(x[i]) }
    case .last: for i in lower..<upper { running.addLast(x[i]) }
    case .max: for i in lower..<upper { running.addMaximum(x[i]) }
    case .min: for i in lower..<upper { running.addMinimum(x[i]) }
    case .sum, .mean: for i in lower..<upper { running.addToSum(x[i]) }
    }
    return running.value
  }

}

/// One aggregation over the base bars of a coarse bar, one value at a time: the rule of
/// `Frame.resampled` (which folds it over each bar's rows) for a live session that builds coarse
/// bars as base bars arrive. `NaN`s are skipped; a bar with no value is `NaN`.
public struct RunningAggregate: Sendable {
  public let aggregation: Aggregation
  var current = Double.nan
  var sum = KahanSum()
  var count = 0

  public init(_ aggregation: Aggregation) { self.aggregation = aggregation }

  @inline(__always)
  public mutating func add(_ x: Double) {
    switch aggregation {
    case .first: addFirst(x)
    case .last: addLast(x)
    case .max: addMaximum(x)
    case .min: addMinimum(x)
    case .sum, .mean: addToSum(x)
    }
  }

  // The steps, one per aggregation (`NaN`s skipped).
  @inline(__always) mutating func addFirst(_ x: Double) { if !x.isNaN { if count == 0 { current = x }; count += 1 } }
  @inline(__always) mutating func addLast(_ x: Double) { if !x.isNaN { current = x; count += 1 } }
  @inline(__always) mutating func addMaximum(_ x: Double) { if !x.isNaN { if !(x <= current) { current = x }; count += 1 } }
  @inline(__always) mutating func addMinimum(_ x: Double) { if !x.isNaN { if !(x >= current) { current = x }; count += 1 } }
  @inline(__always) mutating func addToSum(_ x: Double) { if !x.isNaN { sum.add(x); count += 1 } }

  /// The aggregate of the values added so far.
  public var value: Double {
    switch aggregation {
    case .sum: return count == 0 ? .nan : sum.value
    case .mean: return count == 0 ? .nan : sum.value / Double(count)
    default: return current
    }
  }
}
