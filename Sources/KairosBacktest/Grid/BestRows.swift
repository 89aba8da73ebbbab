/// The best rows of a sweep by one metric, kept as rows stream in: higher is better, `NaN`
/// ranks last, ties keep the row order of docs/DESIGN.md §6 (asset, then combination).
public struct BestRows: Sendable {
  public struct Row: Sendable, Equatable {
    public var asset: Int, combination: Int
    /// The row's metrics in `Metrics.names` order.
    public var metrics: [Double]
  }

  public let metricIndex: Int
  public let count: Int
  public private(set) var rows: [Row] = []

  /// - Throws: `BacktestError.invalidParameter` for an unknown metric or a negative count.
  public init(by metric: String, count: Int) throws(BacktestError) {
    guard let index = Metrics.names.firstIndex(of: metric) else {
      throw .invalidParameter(name: "metric", reason: "unknown metric '\(metric)'; expected one of \(Metrics.names.joined(separator: ", "))")
    }
    guard count >= 0 else { throw .invalidParameter(name: "count", reason: "must be >= 0, was \(count)") }
    metricIndex = index
    self.count = count
  }

  /// Whether `a` ranks before `b`.
  func precedes(_ a: Row, _ b: Row) -> Bool {
    let x = a.metrics[metricIndex], y = b.metrics[metricIndex]
    if x.isNaN != y.isNaN { return !x.isNaN }
    if !x.isNaN && x != y { return x > y }
    return (a.asset, a.combination) < (b.asset, b.combination)
  }

  /// Whether a row with `value` of the metric at (`asset`, `combination`) would be kept: a
  /// cheap test before its metrics are copied (most rows of a large sweep are not).
  public func admits(_ value: Double, asset: Int, combination: Int) -> Bool {
    guard count > 0 else { return false }
    guard rows.count == count, let last = rows.last else { return true }
    let y = last.metrics[metricIndex]
    if value.isNaN != y.isNaN { return !value.isNaN }
    if !value.isNaN && value != y { return value > y }
    return (asset, combination) < (last.asset, last.combination)
  }

  /// Offers one row.
  public mutating func add(asset: Int, combination: Int, metrics: [Double]) {
    let row = Row(asset: asset, combination: combination, metrics: metrics)
    if rows.count == count, let last = rows.last, !precedes(row, last) { return }
    let position = rows.firstIndex { precedes(row, $0) } ?? rows.endIndex
    rows.insert(row, at: position)
    if rows.count > count { rows.removeLast() }
  }
}

extension SweepResult {
  /// The `count` best rows by `metric` (higher is better; `NaN` last; ties in row order).
  public func best(by metric: String, count: Int) throws(BacktestError) -> [BestRows.Row] {
    var best = try BestRows(by: metric, count: count)
    for r in 0..<rowCount { best.add(asset: asset(ofRow: r), combination: combination(ofRow: r), metrics: row(r)) }
    return best.rows
  }
}
