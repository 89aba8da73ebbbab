import Foundation
import KairosCore
import KairosIO

/// Where a sweep's rows go, in the §6 order, chunk by chunk — the one writer of the result
/// matrix for `kairos sweep` and `kairos sweep merge`, so both write the same bytes.
///
/// Every row feeds the summary's best rows (by Sharpe) and, when asked, the `--top` keeper and
/// the per-axis aggregate; without `--top` the rows stream to the file as they come (memory
/// flat however many rows), with it only the best `K` are written, in §6 order, at the end.
/// The file appears only when complete (`StreamingFile`); a shard's part has its SHA-256 taken
/// as it is written (for its manifest; not otherwise: it costs a few percent of a sweep).
final class SweepSink {
  let grid: ParameterGrid
  let assets: [String]
  let file: StreamingFile
  var hasher: SHA256?
  var bytes = 0
  var pending: [UInt8] = []
  var best: BestRows
  var top: BestRows?
  var aggregate: SweepAggregate?
  let aggregatePath: String?

  /// - Parameters:
  ///   - top: keep only the best `count` rows by `metric` (nil: every row).
  ///   - aggregate: the axes of the per-axis aggregate of `by` (nil: none), written to `aggregatePath`.
  ///   - digest: take the file's SHA-256 (`finish` returns it).
  init(path: String, grid: ParameterGrid, assets: [String], keep: Int, top: Int?, by: String, aggregate: [String]?, digest: Bool = false) throws {
    hasher = digest ? SHA256() : nil
    self.grid = grid
    self.assets = assets
    best = try BestRows(by: "sharpe", count: keep)
    self.top = try top.map { (k) throws(BacktestError) -> BestRows in try BestRows(by: by, count: k) }
    self.aggregate = try aggregate.map { (names) throws(BacktestError) -> SweepAggregate in try SweepAggregate(grid: grid, assets: assets, by: names, metric: by) }
    aggregatePath = aggregate == nil ? nil : URL(fileURLWithPath: path).deletingPathExtension().appendingPathExtension("aggregate.csv").path
    file = path == "-" ? StreamingFile.standardOutput() : try StreamingFile(path: path)
    write(Self.header(grid))
  }

  /// The header of the result matrix: `asset`, the grid's parameters, the metrics.
  static func header(_ grid: ParameterGrid) -> [UInt8] {
    var bytes: [UInt8] = []
    TableWriter.append(["asset"] + grid.names + Metrics.names, to: &bytes)
    return bytes
  }

  /// Rows of the result matrix, in grid order; `metrics` is `combinations.count` rows,
  /// row-major. The one encoder of these rows.
  static func encode(asset: String, grid: ParameterGrid, combinations: Range<Int>, metrics: UnsafeBufferPointer<Double>) -> [UInt8] {
    let m = Metrics.names.count, axes = grid.axes.count
    var prefix: [UInt8] = []
    TableWriter.append([asset], to: &prefix)
    prefix.removeLast()  // the newline: the asset cell, quoted when it must be
    var bytes: [UInt8] = []
    bytes.reserveCapacity(combinations.count * (prefix.count + 20 * (axes + m)))
    var row = CSVRow(leading: prefix.count, numbers: axes + m)
    for (i, k) in combinations.enumerated() {
      row.start(with: prefix)
      for a in 0..<axes { row.add(grid.combinations.value(k, axis: a)) }
      for j in 0..<m { row.add(metrics[i &* m &+ j]) }
      row.end(into: &bytes)
    }
    return bytes
  }

  private func write(_ text: [UInt8]) {
    hasher?.update(text)
    bytes += text.count
    pending.append(contentsOf: text)
  }

  private func flush() throws {
    guard !pending.isEmpty else { return }
    try file.append(pending)
    pending.removeAll(keepingCapacity: true)
  }

  /// Consecutive rows of `asset`; `text` is their encoding (from `encode`), or nil to encode
  /// them here when they are written.
  func add(asset: Int, combinations: Range<Int>, metrics: UnsafeBufferPointer<Double>, text: [UInt8]?) throws {
    let m = Metrics.names.count
    for (i, k) in combinations.enumerated() { offer(asset: asset, combination: k) { metrics[i * m + $0] } }
    guard top == nil else { return }
    write(text ?? Self.encode(asset: assets[asset], grid: grid, combinations: combinations, metrics: metrics))
    if pending.count >= 1 << 20 { try flush() }
  }

  /// One row to the keepers and the aggregate; `metric(j)` gives its `j`-th metric (a merge
  /// parses only the ones asked for: most rows are not kept).
  @inline(__always)
  func offer(asset: Int, combination k: Int, metric: (Int) -> Double) {
    if best.admits(metric(best.metricIndex), asset: asset, combination: k) {
      best.add(asset: asset, combination: k, metrics: (0..<Metrics.names.count).map(metric))
    }
    if let t = top, t.admits(metric(t.metricIndex), asset: asset, combination: k) {
      top!.add(asset: asset, combination: k, metrics: (0..<Metrics.names.count).map(metric))
    }
    if let index = aggregate?.metricIndex { aggregate!.add(asset: asset, combination: k, value: metric(index)) }
  }

  /// Rows already encoded (a part's bytes), offered one by one with `offer` beforehand.
  func appendEncoded(_ text: UnsafeRawBufferPointer) throws {
    guard top == nil else { return }
    let bytes = Array(text.bindMemory(to: UInt8.self))
    write(bytes)
    if pending.count >= 1 << 20 { try flush() }
  }

  /// Writes the `--top` rows (in §6 order) and the aggregate, and commits the file. Returns
  /// the best rows by Sharpe and the file's size and SHA-256 (when asked for).
  func finish() throws -> (best: [BestRows.Row], bytes: Int, sha256: String?) {
    do {
      if let top {
        for row in top.rows.sorted(by: { ($0.asset, $0.combination) < ($1.asset, $1.combination) }) {
          row.metrics.withUnsafeBufferPointer { write(Self.encode(asset: assets[row.asset], grid: grid, combinations: row.combination..<(row.combination + 1), metrics: $0)) }
        }
      }
      try flush()
      try file.commit()
    } catch {
      file.abort()
      throw error
    }
    if let aggregate, let aggregatePath { try AtomicFile.write(aggregate.csv(), to: aggregatePath) }
    return (best.rows, bytes, hasher?.hexDigest())
  }

  /// Leaves nothing behind (the destination untouched).
  func abort() { file.abort() }
}
