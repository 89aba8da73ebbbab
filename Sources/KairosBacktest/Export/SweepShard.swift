import Foundation
import KairosCore
import KairosFrame
import KairosIO

/// Shard `index` of `count` (`--shard i/n`, `0 ≤ i < n`): the `i`-th of `n` contiguous ranges of
/// a sweep's rows in the §6 order (docs/DESIGN.md §6). Row `r` of `R` belongs to the shard
/// `i` with `⌊i·R/n⌋ ≤ r < ⌊(i+1)·R/n⌋`, so the shards cover every row once, in order, and
/// differ in size by at most one row.
public struct SweepShard: Sendable, Equatable, CustomStringConvertible {
  public let index: Int, count: Int

  /// - Throws: `BacktestError.invalidParameter` unless `0 ≤ index < count ≤ 1,000,000`.
  public init(index: Int, count: Int) throws(BacktestError) {
    guard (1...1_000_000).contains(count) else { throw .invalidParameter(name: "shard", reason: "the number of shards must be in 1...1000000, was \(count)") }
    guard (0..<count).contains(index) else { throw .invalidParameter(name: "shard", reason: "the shard index must be in 0...\(count - 1) (0-based, like SLURM_ARRAY_TASK_ID), was \(index)") }
    self.index = index
    self.count = count
  }

  /// Parses `i/n`.
  public init(_ text: String) throws(BacktestError) {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else {
      throw .invalidParameter(name: "shard", reason: "expected i/n (e.g. 0/4: the first of four), was '\(text)'")
    }
    try self.init(index: i, count: n)
  }

  public var description: String { "\(index)/\(count)" }

  /// This shard's rows among `rows` (`i·R` in full width: no overflow for any row count).
  public func rows(of rows: Int) -> Range<Int> {
    let bound = { (i: Int) -> Int in count.dividingFullWidth(i.multipliedFullWidth(by: rows)).quotient }
    return bound(index)..<bound(index + 1)
  }
}

/// What a shard's part file is: written beside it as `PART.manifest.json`, read by
/// `kairos sweep merge` to check the set before it writes anything.
public struct SweepPartManifest: Codable, Sendable, Equatable {
  public static let formatName = "kairos-sweep-part/1"
  public var format = formatName
  public var shard: Int, shards: Int
  /// The part's rows in the whole sweep's §6 order: `first_row ..< end_row`.
  public var firstRow: Int, endRow: Int, rowCount: Int
  /// The whole sweep's rows, combinations and assets.
  public var totalRows: Int, combinations: Int, assets: [String]
  /// SHA-256 of the grid, strategy and every setting (what the rows mean), and of the data.
  public var gridFingerprint: String, dataFingerprint: String
  /// The part file's name (beside the manifest), size and SHA-256.
  public var part: String, bytes: Int, sha256: String
  /// What the merge needs to rebuild the grid and the summary.
  public var strategy: String, axes: [String], constraint: String?, periodsPerYear: [Double]
  public var seconds: Double, threads: Int, barCombinations: Double

  enum CodingKeys: String, CodingKey {
    case format, shard, shards, firstRow = "first_row", endRow = "end_row", rowCount = "row_count", totalRows = "total_rows"
    case combinations, assets, gridFingerprint = "grid_fingerprint", dataFingerprint = "data_fingerprint", part, bytes, sha256
    case strategy, axes, constraint, periodsPerYear = "periods_per_year", seconds, threads, barCombinations = "bar_combinations"
  }

  /// Where the manifest of the part at `path` goes: `PART.manifest.json` (the last extension replaced).
  public static func path(forPart path: String) -> String {
    URL(fileURLWithPath: path).deletingPathExtension().appendingPathExtension("manifest.json").path
  }

  public func encoded() -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return Array((try? encoder.encode(self)) ?? Data()) + [0x0A]
  }
}

/// The grid of a part as text the merge can parse back exactly: `name=v1,v2,…` per axis, each
/// value in its shortest round-trip form.
extension ParameterGrid {
  public var axisSpecs: [String] {
    axes.map { axis in "\(axis.name)=" + axis.values.map(CSVWriter.format).joined(separator: ",") }
  }
}

enum SweepFingerprint {
  /// What the rows mean: strategy, confirmation, every setting of the configuration, the
  /// grid's axes (values by their bits) and constraint.
  static func grid(runner: StrategyRunner, grid: ParameterGrid) -> String {
    var h = SHA256()
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    h.update(Array("strategy=\(runner.kind.rawValue)\nconfirm=\(runner.confirmation.map { "\($0)" } ?? "-")\n".utf8))
    h.update(Array((try? encoder.encode(runner.configuration)) ?? Data()))
    for axis in grid.axes {
      h.update(Array("\naxis=\(axis.name):".utf8))
      for v in axis.values { withUnsafeBytes(of: v.bitPattern.littleEndian) { h.update($0) } }
    }
    h.update(Array("\nwhere=\(grid.constraint?.text ?? "-")".utf8))
    return h.hexDigest()
  }

  /// The data: each asset's name, timestamps and prices and volumes by their bits, and its
  /// model probabilities when it has them.
  static func data(markets: [MarketSeries], probabilities: [Column<Double>?]) -> String {
    var h = SHA256()
    for (market, p) in zip(markets, probabilities) {
      h.update(Array("asset=\(market.name):\(market.count)\n".utf8))
      market.timestamps.withUnsafeBufferPointer { h.update(UnsafeRawBufferPointer($0)) }
      for name in ["open", "high", "low", "close", "volume"] {
        guard let column = market.frame[name] else { continue }
        column.withUnsafeBufferPointer { h.update(UnsafeRawBufferPointer($0)) }
      }
      if let p { p.withUnsafeBufferPointer { h.update(UnsafeRawBufferPointer($0)) } }
    }
    return h.hexDigest()
  }
}
