import KairosIO

/// One metric of a sweep summarized over all axes but a few, for heatmaps: for each asset and
/// each combination of the `by` axes (e.g. `fast, slow`), over the other axes (e.g. every
/// `stop_atr`): the rows, and the best (highest), median and worst (lowest) value. `NaN`
/// values are left out of the three (numpy `nanmax`, `nanmedian`, `nanmin`); a group with no
/// number gets `NaN`. Written as `RESULTS.aggregate.csv`, groups in the §6 order (asset, then
/// the `by` axes in the grid's order).
public struct SweepAggregate: Sendable {
  public let grid: ParameterGrid
  public let assets: [String]
  /// The grouping axes (indexes into `grid.axes`, in the grid's order) and the metric.
  public let axes: [Int]
  public let metricIndex: Int
  /// `strides[j]`: the weight of axis `axes[j]`'s value index in a group key.
  let strides: [Int]
  let groupsPerAsset: Int
  /// Group key → the metric of its rows, in row order.
  var groups: [Int: [Double]] = [:]

  /// - Throws: `BacktestError.invalidParameter` for an axis that is not in the grid, or a
  ///   metric that is not one of `Metrics.names`.
  public init(grid: ParameterGrid, assets: [String], by names: [String], metric: String) throws(BacktestError) {
    guard let m = Metrics.names.firstIndex(of: metric) else {
      throw .invalidParameter(name: "by", reason: "unknown metric '\(metric)'; expected one of \(Metrics.names.joined(separator: ", "))")
    }
    guard !names.isEmpty else { throw .invalidParameter(name: "aggregate", reason: "name at least one grid axis, e.g. fast,slow") }
    for name in names where !grid.names.contains(name) {
      throw .invalidParameter(name: "aggregate", reason: "'\(name)' is not an axis of the grid (\(grid.names.joined(separator: ", ")))")
    }
    guard Set(names).count == names.count else { throw .invalidParameter(name: "aggregate", reason: "an axis is named twice in '\(names.joined(separator: ","))'") }
    self.grid = grid
    self.assets = assets
    axes = grid.names.indices.filter { names.contains(grid.names[$0]) }
    metricIndex = m
    var strides = [Int](repeating: 1, count: axes.count), product = 1
    for j in axes.indices.reversed() { strides[j] = product; product *= grid.axes[axes[j]].values.count }
    self.strides = strides
    groupsPerAsset = product  // ≤ the grid's combinations ≤ 2^32
  }

  /// The metric of one row.
  public mutating func add(asset: Int, combination k: Int, value: Double) {
    var key = asset * groupsPerAsset
    for (j, a) in axes.enumerated() { key += grid.combinations.valueIndex(k, axis: a) * strides[j] }
    groups[key, default: []].append(value)
  }

  /// The aggregate as CSV: `asset`, the `by` axes, `rows`, `best_M`, `median_M`, `worst_M`.
  public func csv() -> [UInt8] {
    let metric = Metrics.names[metricIndex]
    var out: [UInt8] = []
    TableWriter.append(["asset"] + axes.map { grid.names[$0] } + ["rows", "best_\(metric)", "median_\(metric)", "worst_\(metric)"], to: &out)
    for key in groups.keys.sorted() {
      let asset = key / groupsPerAsset, within = key % groupsPerAsset
      let values = axes.enumerated().map { j, a in grid.axes[a].values[(within / strides[j]) % grid.axes[a].values.count] }
      let all = groups[key]!
      let numbers = all.filter { !$0.isNaN }.sorted()
      let median: Double
      if numbers.isEmpty { median = .nan } else if numbers.count % 2 == 1 { median = numbers[numbers.count / 2] } else {
        median = (numbers[numbers.count / 2 - 1] + numbers[numbers.count / 2]) / 2  // numpy: the mean of the middle two
      }
      TableWriter.append([assets[asset]] + values.map(CSVWriter.format)
                         + [String(all.count), CSVWriter.format(numbers.last ?? .nan), CSVWriter.format(median), CSVWriter.format(numbers.first ?? .nan)], to: &out)
    }
    return out
  }
}
