import Foundation
import KairosBacktest
import KairosCore
import KairosFrame
import KairosTestSupport
import Testing

/// Sharding, merging, `--top` and the per-axis aggregate: each checked against the unsharded
/// run or a naive computation over the full matrix.
@Suite struct SweepShardTests {
  let grid: ParameterGrid
  let runner: StrategyRunner
  let markets: [MarketSeries]

  init() throws {
    grid = try ParameterGrid(["fast=3:12", "slow=8:30:2", "stop_atr=0,1.5,3"], where: "fast<slow")
    var c = BacktestConfiguration()
    c.fee = 0.001
    c.allowShort = true
    runner = StrategyRunner(kind: .smaCross, configuration: c)
    // An asset name that must be quoted in the CSV.
    markets = try [("a,\"b", 1), ("SYN2", 2)].map { name, seed in
      try MarketSeries(name: name, frame: SyntheticMarket(seed: UInt64(seed), bars: 600).generate()[0].frame)
    }
  }

  func folder() -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("shards-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }

  func job(_ markets: [MarketSeries]? = nil, grid: ParameterGrid? = nil) throws -> SweepJob {
    try SweepJob(runner: runner, grid: grid ?? self.grid, markets: markets ?? self.markets)
  }

  /// Writes the `n` parts of the sweep into `dir`; returns their paths.
  func parts(_ n: Int, in dir: String, job: SweepJob? = nil) throws -> [String] {
    try (0..<n).map { i in
      var o = SweepJob.Output()
      o.shard = try SweepShard(index: i, count: n)
      let path = "\(dir)/part-\(i).csv"
      _ = try (job ?? self.job()).run(to: path, threads: 2, output: o)
      return path
    }
  }

  func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

  @Test func shardsCoverEveryRowOnceInOrder() throws {
    for rows in [0, 1, 5, 7, 100, 4_294_967_295 * 3] {
      for n in [1, 2, 3, 4, 7, 13] {
        let ranges = try (0..<n).map { try SweepShard(index: $0, count: n).rows(of: rows) }
        #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == rows)
        for (a, b) in zip(ranges, ranges.dropFirst()) { #expect(a.upperBound == b.lowerBound) }
        #expect(ranges.map(\.count).max()! - ranges.map(\.count).min()! <= 1)
      }
    }
    #expect(throws: BacktestError.self) { try SweepShard("4/4") }
    #expect(throws: BacktestError.self) { try SweepShard("1/0") }
    #expect(throws: BacktestError.self) { try SweepShard("a/4") }
    #expect(try SweepShard("3/7") == SweepShard(index: 3, count: 7))
  }

  @Test func mergesOfFourAndSevenShardsEqualTheUnshardedFileByteForByte() throws {
    let dir = folder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let full = try job().run(to: "\(dir)/full.csv", threads: 2)
    for n in [4, 7] {
      let sub = "\(dir)/\(n)"
      let paths = try parts(n, in: sub)
      var progress: [Int] = []
      let merged = try SweepMerge.run(parts: paths.reversed(), to: "\(sub)/merged.csv") { done, total in  // any order
        #expect(total == full.rows)
        progress.append(done)
      }
      #expect(try bytes("\(sub)/merged.csv") == bytes("\(dir)/full.csv"))
      // Progress in rows of the §6 order, never backwards, up to every row.
      #expect(progress == progress.sorted() && progress.last == full.rows && progress.count >= n)
      // A manifest's checksum is the part's plain SHA-256 (what sha256sum prints).
      let manifest = try JSONSerialization.jsonObject(with: bytes(SweepPartManifest.path(forPart: paths[1]))) as! [String: Any]
      #expect(manifest["sha256"] as? String == SHA256.hex(try bytes(paths[1])))
      #expect(merged.best.map(\.metrics) == full.best.map(\.metrics) && merged.rows == full.rows)
      // The table `kairos sweep merge` prints is the unsharded run's.
      #expect(SweepJob.table(merged.best.prefix(10), grid: merged.grid, assets: merged.assets)
              == SweepJob.table(full.best.prefix(10), grid: full.grid, assets: full.assets))
      #expect(merged.assets == full.assets && merged.grid.combinations.count == full.grid.combinations.count)
      // The summary is recomputed from the rows: the same best rows and counts.
      let a = try JSONSerialization.jsonObject(with: bytes("\(dir)/full.json")) as! [String: Any]
      let b = try JSONSerialization.jsonObject(with: bytes("\(sub)/merged.json")) as! [String: Any]
      #expect((a["best_by_sharpe"] as! NSArray) == (b["best_by_sharpe"] as! NSArray))
      #expect(a["rows"] as? Int == b["rows"] as? Int && b["shards"] as? Int == n)
    }
  }

  @Test func topKeepsTheBestRowsInRowOrderAndTheMergeAgrees() throws {
    let dir = folder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let memory = try SweepRunner(runner: runner, grid: grid).run(caches: markets.map { IndicatorCache(market: $0) }, threads: 1)
    var o = SweepJob.Output()
    o.top = 25
    o.by = "sortino"
    o.aggregate = ["slow", "fast"]  // in the grid's order in the file
    _ = try job().run(to: "\(dir)/top.csv", threads: 2, output: o)
    // Naive: every row ranked by sortino (NaN last, ties in row order), the first 25, in row order.
    let k = Metrics.names.firstIndex(of: "sortino")!
    let ranked = (0..<memory.rowCount).sorted { a, b in
      let x = memory.row(a)[k], y = memory.row(b)[k]
      if x.isNaN != y.isNaN { return !x.isNaN }
      if !x.isNaN && x != y { return x > y }
      return a < b
    }
    let chosen = ranked.prefix(25).sorted()
    let all = String(decoding: memory.csv(), as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
    let expected = ([all[0]] + chosen.map { all[$0 + 1] }).joined(separator: "\n") + "\n"
    #expect(String(decoding: try bytes("\(dir)/top.csv"), as: UTF8.self) == expected)
    // The aggregate: per asset and (fast, slow), over stop_atr.
    var groups: [String: [Double]] = [:]
    for r in 0..<memory.rowCount {
      let c = grid.combinations[memory.combination(ofRow: r)]
      groups["\(memory.asset(ofRow: r))|\(c[0])|\(c[1])", default: []].append(memory.row(r)[k])
    }
    let lines = try String(contentsOfFile: "\(dir)/top.aggregate.csv", encoding: .utf8).split(separator: "\n").dropFirst()
    #expect(lines.count == groups.count)
    for line in lines.prefix(40) {
      let cells = line.split(separator: ",").map(String.init)
      let asset = cells[0].hasPrefix("\"") ? 0 : 1
      let numbers = cells.suffix(6).map { Double($0)! }
      let values = groups["\(asset)|\(numbers[0])|\(numbers[1])"]!.filter { !$0.isNaN }.sorted()
      let median = values.count % 2 == 1 ? values[values.count / 2] : (values[values.count / 2 - 1] + values[values.count / 2]) / 2
      #expect(numbers[2] == 3 && numbers[3] == values.last! && numbers[4] == median && numbers[5] == values.first!)
    }
    // The same top and aggregate after a merge of 3 shards.
    let paths = try parts(3, in: "\(dir)/parts")
    _ = try SweepMerge.run(parts: paths, to: "\(dir)/merged-top.csv", output: o)
    #expect(try bytes("\(dir)/merged-top.csv") == bytes("\(dir)/top.csv"))
    #expect(try bytes("\(dir)/merged-top.aggregate.csv") == bytes("\(dir)/top.aggregate.csv"))
  }

  @Test func theBlockSizeDoesNotChangeABit() throws {
    var small = try SweepRunner(runner: runner, grid: grid)
    small.blockSize = 7
    let a = try small.run(caches: markets.map { IndicatorCache(market: $0) }, threads: 2)
    let b = try SweepRunner(runner: runner, grid: grid).run(caches: markets.map { IndicatorCache(market: $0) }, threads: 1)
    #expect(a.metrics.map(\.bitPattern) == b.metrics.map(\.bitPattern))
  }

  /// Periods per year handed in (as `SweepJob` does) give the bits of inferring them; a list
  /// that does not fit the assets is a typed error, before any work.
  @Test func givenPeriodsPerYearAreTheInferredOnesOrRefused() throws {
    var given = try SweepRunner(runner: runner, grid: grid)
    given.periodsPerYear = markets.map { runner.configuration.annualization(for: $0.timestamps) }
    let a = try given.run(caches: markets.map { IndicatorCache(market: $0) }, threads: 2)
    let b = try SweepRunner(runner: runner, grid: grid).run(caches: markets.map { IndicatorCache(market: $0) }, threads: 2)
    #expect(a.metrics.map(\.bitPattern) == b.metrics.map(\.bitPattern))
    for wrong in [[252.0], markets.map { _ in 0.0 }, markets.map { _ in Double.nan }] {
      given.periodsPerYear = wrong
      #expect(throws: BacktestError.self) { try given.run(caches: markets.map { IndicatorCache(market: $0) }, threads: 1) }
    }
  }

  @Test func aMissingDuplicatedForeignOrAlteredPartIsRefusedByName() throws {
    let dir = folder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let paths = try parts(4, in: dir)
    func refusal(_ parts: [String]) -> String {
      do { _ = try SweepMerge.run(parts: parts, to: "\(dir)/out.csv"); return "merged" } catch { return "\(error)" }
    }
    #expect(refusal([paths[0], paths[1], paths[3]]) == "shard 2/4 missing: re-run it (kairos sweep … --shard i/n) and merge again")
    #expect(refusal(paths + [paths[2]]).contains("shard 2/4 is given twice"))
    // Another grid, and other data, each with a part 1/4.
    let otherGrid = try parts(4, in: "\(dir)/grid", job: job(grid: ParameterGrid(["fast=3:12", "slow=8:30:2", "stop_atr=0,2,3"], where: "fast<slow")))
    #expect(refusal([paths[0], otherGrid[1], paths[2], paths[3]]) == "\(otherGrid[1]) is not from the same sweep as \(paths[0]): its grid, strategy or settings (grid fingerprint) differs")
    let shifted = try [("a,\"b", 1), ("SYN2", 3)].map { name, seed in
      try MarketSeries(name: name, frame: SyntheticMarket(seed: UInt64(seed), bars: 600).generate()[0].frame)
    }
    let otherData = try parts(4, in: "\(dir)/data", job: job(shifted))
    #expect(refusal([paths[0], paths[1], otherData[2], paths[3]]).contains("its data (data fingerprint) differs"))
    // An altered byte in a part (its manifest no longer matches), and a part without manifest.
    var altered = try bytes(paths[1])
    altered[altered.count - 3] = altered[altered.count - 3] == UInt8(ascii: "1") ? UInt8(ascii: "2") : UInt8(ascii: "1")
    try altered.write(to: URL(fileURLWithPath: paths[1]))
    #expect(refusal(paths).contains("\(paths[1]) does not match its manifest"))
    try FileManager.default.removeItem(atPath: "\(dir)/part-3.manifest.json")
    #expect(refusal(paths).contains("\(paths[3]): its manifest \(dir)/part-3.manifest.json is missing"))
    #expect(!FileManager.default.fileExists(atPath: "\(dir)/out.csv"))
  }

  @Test func optionsThatApplyToTheWholeSweepAreRefusedOnAShard() throws {
    var o = SweepJob.Output()
    o.shard = try SweepShard("0/2")
    o.top = 5
    #expect(throws: BacktestError.self) { try SweepJob.check(o, path: "p.csv") }
  }

  @Test func sha256InPiecesEqualsOneShot() {
    let data = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
    var h = SHA256()
    var i = 0
    for size in [1, 63, 64, 65, 127, 500, 3] where i < data.count { h.update(data[i..<Swift.min(data.count, i + size)]); i += size }
    h.update(data[i...])
    #expect(h.hexDigest() == SHA256.hex(data))
  }
}
