import Foundation
import KairosCore
import KairosIO

/// Why a set of sweep parts cannot be merged; each names the file at fault.
public enum SweepMergeError: Error, CustomStringConvertible, Equatable {
  case noParts
  case missingManifest(part: String, manifest: String)
  case unreadable(path: String, reason: String)
  case notAManifest(path: String, reason: String)
  /// `part` is from another sweep than `reference` (grid, data or shard count differ).
  case foreign(part: String, reference: String, what: String)
  case duplicate(shard: String, first: String, second: String)
  case missing(shards: [String])
  case corrupt(part: String, reason: String)

  public var description: String {
    switch self {
    case .noParts: return "no part to merge: give the part files of every shard (e.g. out/part-*.csv)"
    case let .missingManifest(part, manifest): return "\(part): its manifest \(manifest) is missing (a shard still running, or not a part of `kairos sweep --shard`)"
    case let .unreadable(path, reason): return "\(path): cannot read it: \(reason)"
    case let .notAManifest(path, reason): return "\(path): not a sweep part manifest: \(reason)"
    case let .foreign(part, reference, what): return "\(part) is not from the same sweep as \(reference): its \(what) differs"
    case let .duplicate(shard, first, second): return "shard \(shard) is given twice: \(first) and \(second)"
    case let .missing(shards): return "shard\(shards.count > 1 ? "s" : "") \(shards.joined(separator: ", ")) missing: re-run \(shards.count > 1 ? "them" : "it") (kairos sweep … --shard i/n) and merge again"
    case let .corrupt(part, reason): return "\(part) does not match its manifest: \(reason)"
    }
  }
}

/// `kairos sweep merge`: the parts of a sharded sweep into the result matrix the unsharded
/// run writes, byte for byte, after checking the set — every part's manifest, the same grid
/// and data, every shard once, the rows contiguous, each part's size and SHA-256. Its summary
/// (`RESULTS.json`) is recomputed from the merged rows; `--top` and the aggregate are applied
/// to the whole. Memory is flat: the parts stream through in 4 MiB reads.
public enum SweepMerge {
  /// - Parameters:
  ///   - parts: the part files, in any order.
  ///   - output: `keep`, `top`, `by`, `aggregate` as for a sweep (`shard` and `equityTop` do
  ///     not apply).
  public static func run(parts: [String], to path: String, output: SweepJob.Output = SweepJob.Output(),
                         progress: ((Int, Int) -> Void)? = nil) throws -> SweepJob.Outcome {
    guard !parts.isEmpty else { throw SweepMergeError.noParts }
    if output.shard != nil || output.equityTop > 0 { throw BacktestError.invalidParameter(name: "merge", reason: "--shard and --equity-top do not apply to a merge") }
    try SweepJob.check(output, path: path)
    let manifests = try parts.map(manifest)
    let ordered = try checkSet(manifests, parts)
    let reference = ordered[0].manifest
    let grid: ParameterGrid
    do { grid = try ParameterGrid(reference.axes, where: reference.constraint) } catch {
      throw SweepMergeError.notAManifest(path: SweepPartManifest.path(forPart: ordered[0].path), reason: "its grid does not parse: \(error)")
    }
    guard grid.combinations.count == reference.combinations else {
      throw SweepMergeError.notAManifest(path: SweepPartManifest.path(forPart: ordered[0].path), reason: "its grid has \(grid.combinations.count) combinations, not \(reference.combinations)")
    }
    let summaryPath = path == "-" ? nil : try SweepJob.summaryPath(for: path)
    let sink = try SweepSink(path: path, grid: grid, assets: reference.assets, keep: Swift.max(output.keep, 1), top: output.top, by: output.by,
                             aggregate: output.aggregate)
    let written: (best: [BestRows.Row], bytes: Int, sha256: String?)
    do {
      let header = SweepSink.header(grid)
      for (path, manifest) in ordered {
        try stream(part: path, manifest: manifest, header: header, combinations: grid.combinations.count, into: sink) { row in
          progress?(row, reference.totalRows)
        }
      }
      written = try sink.finish()
    } catch {
      sink.abort()
      throw error
    }
    let seconds = ordered.reduce(0) { $0 + $1.manifest.seconds }
    let barCombinations = ordered.reduce(0) { $0 + $1.manifest.barCombinations }
    if let summaryPath {
      try AtomicFile.write(SweepJob.summaryJSON(strategy: reference.strategy, grid: grid, assets: reference.assets, periodsPerYear: reference.periodsPerYear,
                                                best: written.best, seconds: seconds, barCombinations: barCombinations,
                                                threads: ordered.map(\.manifest.threads).max() ?? 1, shards: reference.shards), to: summaryPath)
    }
    return SweepJob.Outcome(best: Array(written.best.prefix(Swift.max(output.keep, 1))), rows: reference.totalRows,
                            rowsWritten: output.top.map { Swift.min($0, reference.totalRows) } ?? reference.totalRows,
                            seconds: seconds, barCombinations: barCombinations, threads: ordered.map(\.manifest.threads).max() ?? 1,
                            resultsPath: path, summaryPath: summaryPath, equityPath: nil, aggregatePath: sink.aggregatePath, manifestPath: nil,
                            grid: grid, assets: reference.assets)
  }

  /// Reads the manifest beside `part`.
  static func manifest(_ part: String) throws -> SweepPartManifest {
    guard FileManager.default.fileExists(atPath: part) else { throw SweepMergeError.unreadable(path: part, reason: "no such file") }
    let path = SweepPartManifest.path(forPart: part)
    guard let data = FileManager.default.contents(atPath: path) else { throw SweepMergeError.missingManifest(part: part, manifest: path) }
    let manifest: SweepPartManifest
    do { manifest = try JSONDecoder().decode(SweepPartManifest.self, from: data) } catch {
      throw SweepMergeError.notAManifest(path: path, reason: "\(error)")
    }
    guard manifest.format == SweepPartManifest.formatName else {
      throw SweepMergeError.notAManifest(path: path, reason: "format '\(manifest.format)', expected '\(SweepPartManifest.formatName)'")
    }
    guard manifest.part == URL(fileURLWithPath: part).lastPathComponent else {
      throw SweepMergeError.corrupt(part: part, reason: "its manifest describes '\(manifest.part)' (renamed? rename the part and its manifest together)")
    }
    return manifest
  }

  /// The parts in shard order, after checking they are one sweep's shards, each once, all there.
  static func checkSet(_ manifests: [SweepPartManifest], _ parts: [String]) throws -> [(path: String, manifest: SweepPartManifest)] {
    let reference = manifests[0], referencePath = parts[0]
    var byShard: [Int: Int] = [:]
    for (k, m) in manifests.enumerated() {
      if m.gridFingerprint != reference.gridFingerprint { throw SweepMergeError.foreign(part: parts[k], reference: referencePath, what: "grid, strategy or settings (grid fingerprint)") }
      if m.dataFingerprint != reference.dataFingerprint { throw SweepMergeError.foreign(part: parts[k], reference: referencePath, what: "data (data fingerprint)") }
      if m.shards != reference.shards { throw SweepMergeError.foreign(part: parts[k], reference: referencePath, what: "shard count (\(m.shards), not \(reference.shards))") }
      if let other = byShard[m.shard] { throw SweepMergeError.duplicate(shard: "\(m.shard)/\(m.shards)", first: parts[other], second: parts[k]) }
      byShard[m.shard] = k
      let expected = try SweepShard(index: m.shard, count: m.shards).rows(of: m.totalRows)
      guard m.totalRows == reference.totalRows, m.firstRow == expected.lowerBound, m.endRow == expected.upperBound, m.rowCount == expected.count else {
        throw SweepMergeError.corrupt(part: parts[k], reason: "rows \(m.firstRow)..<\(m.endRow) are not shard \(m.shard)/\(m.shards)'s \(expected.lowerBound)..<\(expected.upperBound)")
      }
    }
    let missing = (0..<reference.shards).filter { byShard[$0] == nil }
    if !missing.isEmpty { throw SweepMergeError.missing(shards: missing.map { "\($0)/\(reference.shards)" }) }
    return (0..<reference.shards).map { (parts[byShard[$0]!], manifests[byShard[$0]!]) }
  }

  /// One part's rows into `sink`, checked against its manifest as they pass (header, rows,
  /// size, SHA-256): a mismatch stops the merge before the result is committed. The SHA-256
  /// runs on a second thread, a few reads behind the rows (it is half of a merge's work);
  /// `progress` gets the rows done (of the §6 order) after each read.
  static func stream(part: String, manifest: SweepPartManifest, header: [UInt8], combinations: Int, into sink: SweepSink,
                     progress: (Int) -> Void = { _ in }) throws {
    guard let handle = FileHandle(forReadingAtPath: part) else { throw SweepMergeError.unreadable(path: part, reason: "cannot open it") }
    defer { try? handle.close() }
    let hasher = ConcurrentDigest()
    var bytes = 0, row = manifest.firstRow, sawHeader = false
    var carry: [UInt8] = []
    let m = Metrics.names.count
    while true {
      let data: Data
      do { data = try handle.read(upToCount: 4 << 20) ?? Data() } catch { throw SweepMergeError.unreadable(path: part, reason: error.localizedDescription) }
      if data.isEmpty { break }
      hasher.update(data)
      bytes += data.count
      defer { progress(row) }
      carry.append(contentsOf: data)
      guard let lastNewline = carry.lastIndex(of: 0x0A) else { continue }
      try carry.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) throws in
        var start = 0
        if !sawHeader {
          let end = buffer.firstIndex(of: 0x0A)!
          guard end + 1 == header.count, header.elementsEqual(buffer[0...end]) else {
            throw SweepMergeError.corrupt(part: part, reason: "its header is not the grid's: \(String(decoding: buffer[0..<end], as: UTF8.self).prefix(120))")
          }
          start = end + 1
          sawHeader = true
        }
        let bodyStart = start
        var commas = [Int](repeating: 0, count: m + 1)
        while start <= lastNewline {
          var end = start
          while buffer[end] != 0x0A { end += 1 }
          // The last `m` fields are the metrics (numbers: no comma, no quote).
          var found = 0, i = end - 1
          while i >= start && found < m { if buffer[i] == UInt8(ascii: ",") { commas[m - 1 - found] = i; found += 1 }; i -= 1 }
          guard found == m, row < manifest.endRow else {
            throw SweepMergeError.corrupt(part: part, reason: row >= manifest.endRow ? "more rows than the \(manifest.rowCount) of its manifest" : "line \(row - manifest.firstRow + 2) has fewer than \(m) metric fields")
          }
          commas[m] = end
          sink.offer(asset: row / combinations, combination: row % combinations) { j in
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: buffer[(commas[j] + 1)..<commas[j + 1]]), as: UTF8.self)
            return Double(text) ?? .nan
          }
          row += 1
          start = end + 1
        }
        try sink.appendEncoded(UnsafeRawBufferPointer(rebasing: buffer[bodyStart..<start]))
      }
      carry.removeFirst(lastNewline + 1)
    }
    guard carry.isEmpty else { throw SweepMergeError.corrupt(part: part, reason: "it ends in the middle of a line (truncated)") }
    guard sawHeader else { throw SweepMergeError.corrupt(part: part, reason: "it is empty") }
    guard row == manifest.endRow else { throw SweepMergeError.corrupt(part: part, reason: "\(row - manifest.firstRow) rows, its manifest says \(manifest.rowCount)") }
    let digest = hasher.finish()
    guard bytes == manifest.bytes, digest == manifest.sha256 else {
      throw SweepMergeError.corrupt(part: part, reason: "\(bytes) bytes with SHA-256 \(digest.prefix(12))…, its manifest says \(manifest.bytes) bytes, \(manifest.sha256.prefix(12))… (changed since it was written)")
    }
  }
}
