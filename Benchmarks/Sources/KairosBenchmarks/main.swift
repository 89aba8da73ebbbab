// kairos-bench: one benchmark case per invocation, so peak RSS is the case's own.
//
//   KairosBenchmarks blas                         the BLAS configuration, as one JSON line
//   KairosBenchmarks csv_read FILE [REPEATS]      read an OHLCV CSV into a Frame
//   KairosBenchmarks resample_1d FILE [REPEATS]   resample minute bars to days (file read untimed)
//   KairosBenchmarks csv_write FILE [REPEATS]     write the frame read from FILE as CSV
//   KairosBenchmarks memory_bandwidth             copy 512 MB: the machine's memory bandwidth
//   KairosBenchmarks features_all FILE SPEC       every feature kind on FILE's bars, one thread
//   KairosBenchmarks sma_300 FILE                 300 SMA windows (2…301), streamed in time blocks
//   KairosBenchmarks sma_300_materialized FILE    the same, every column materialized
//   KairosBenchmarks make_design DIR              write the 1,000,000 × 32 regression design (binary)
//   KairosBenchmarks ridge DIR                    ridge λ=1 on the design, both cores
//   KairosBenchmarks ridge_path_100 DIR           100 penalties from one eigendecomposition
//   KairosBenchmarks logistic DIR                 logistic λ=1 (Newton), both cores
//   KairosBenchmarks ridge_batch_256 DIR          256 ridge fits of 5,000 × 32, both cores
//   KairosBenchmarks paper_replay FILE SYMBOLS BARS  the live path: BARS bars of FILE per symbol
//                                                 through paper sessions (each bar committed to
//                                                 SQLite, synchronous=FULL, before the next)
//
// Each prints one JSON line: case, seconds (median of the repeats), min_seconds, throughput
// (rows per second), bytes_per_second where it applies, peak_rss_mb, and a checksum that the
// Python peer must reproduce (so a faster wrong answer cannot win).
import Foundation
import Kairos

func peakRSSMegabytes() -> Double {
  guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return .nan }
  for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
    let kilobytes = line.split(separator: " ").compactMap { Double($0) }.first ?? .nan
    return kilobytes / 1024
  }
  return .nan
}

func now() -> Double {
  var t = timespec()
  clock_gettime(CLOCK_MONOTONIC, &t)
  return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

/// Runs `body` `repeats` times; returns (median, min) seconds and the last result.
func measure<R>(_ repeats: Int, _ body: () throws -> R) rethrows -> (Double, Double, R) {
  var times: [Double] = []
  var result: R? = nil
  for _ in 0..<repeats {
    let start = now()
    result = try body()
    times.append(now() - start)
  }
  times.sort()
  return (times[times.count / 2], times[0], result!)
}

func emit(_ fields: [(String, Any)]) {
  let body = fields.map { key, value -> String in
    switch value {
    case let s as String: return "\"\(key)\": \"\(s)\""
    case let d as Double: return "\"\(key)\": \(d.isFinite ? "\(d)" : "null")"
    default: return "\"\(key)\": \(value)"
    }
  }
  print("{" + body.joined(separator: ", ") + "}")
}

/// Sum of close plus sum of volume: a cheap fingerprint of every row's values.
func checksum(_ frame: Frame) throws -> Double {
  let close = try frame.column("close"), volume = try frame.column("volume")
  var sum = KahanSum()
  for i in 0..<frame.rowCount { sum.add(close[i]); sum.add(volume[i]) }
  return sum.value
}

/// The sum of the non-NaN values, with eight independent accumulators (so the adds pipeline
/// and vectorize instead of waiting on one another): the cheap consumer of the SMA benchmark.
func finiteSum(_ x: UnsafeBufferPointer<Double>) -> Double {
  var acc = SIMD8<Double>()
  var k = 0
  while k + 8 <= x.count {
    var v = SIMD8<Double>(UnsafeBufferPointer(rebasing: x[k..<(k + 8)]))
    v.replace(with: 0, where: v .!= v)
    acc += v
    k += 8
  }
  var sum = acc.sum()
  while k < x.count { if !x[k].isNaN { sum += x[k] }; k += 1 }
  return sum
}

func fileSize(_ path: String) -> Double {
  ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? NSNumber)?.doubleValue ?? .nan
}

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
  FileHandle.standardError.write(Data("usage: KairosBenchmarks blas | csv_read FILE | resample_1d FILE | csv_write FILE [REPEATS]\n".utf8))
  exit(2)
}
let benchCase = arguments[1]
let repeats = Int(ProcessInfo.processInfo.environment["KAIROS_BENCH_REPEATS"] ?? "") ?? 5

do {
  switch benchCase {
  case "blas":
    emit([("case", "blas"), ("library", "kairos (Debian OpenBLAS via LAPACKE)"), ("config", BLASConfiguration.description),
          ("core", BLASConfiguration.coreName), ("threads", BLASConfiguration.threadCount)])
  case "csv_read":
    let path = arguments[2]
    _ = try CSVReader.readOHLCV(path: path)  // warm the page cache
    let (median, best, frame) = try measure(repeats) { try CSVReader.readOHLCV(path: path) }
    emit([("case", "csv_read"), ("impl", "kairos"), ("rows", frame.rowCount), ("seconds", median), ("min_seconds", best),
          ("throughput", Double(frame.rowCount) / median), ("bytes_per_second", fileSize(path) / median),
          ("peak_rss_mb", peakRSSMegabytes()), ("checksum", try checksum(frame))])
  case "resample_1d":
    let path = arguments[2]
    let frame = try CSVReader.readOHLCV(path: path)
    let interval = try BarInterval(parsing: "1d")
    let (median, best, daily) = measure(repeats) { frame.resampled(to: interval) }
    emit([("case", "resample_1d"), ("impl", "kairos"), ("rows", frame.rowCount), ("bars", daily.rowCount), ("seconds", median),
          ("min_seconds", best), ("throughput", Double(frame.rowCount) / median),
          ("peak_rss_mb", peakRSSMegabytes()), ("checksum", try checksum(daily))])
  case "csv_write":
    let path = arguments[2]
    let frame = try CSVReader.readOHLCV(path: path)
    let out = FileManager.default.temporaryDirectory.appendingPathComponent("kairos-bench-write.csv").path
    let (median, best, _) = try measure(repeats) { try CSVWriter.write(frame, to: out) }
    let back = try CSVReader.readOHLCV(path: out)
    try? FileManager.default.removeItem(atPath: out)
    emit([("case", "csv_write"), ("impl", "kairos"), ("rows", frame.rowCount), ("seconds", median), ("min_seconds", best),
          ("throughput", Double(frame.rowCount) / median), ("peak_rss_mb", peakRSSMegabytes()), ("checksum", try checksum(back))])
  case "memory_bandwidth":
    let n = 64 << 20  // 512 MB of doubles
    let source = [Double](repeating: 1.5, count: n)
    var target = [Double](repeating: 0, count: n)
    let (median, best, _) = measure(repeats) {
      target.withUnsafeMutableBufferPointer { t in source.withUnsafeBufferPointer { s in t.baseAddress!.update(from: s.baseAddress!, count: n) } }
    }
    emit([("case", "memory_bandwidth"), ("impl", "kairos"), ("seconds", median), ("min_seconds", best),
          ("bytes_per_second", Double(2 * 8 * n) / best), ("throughput", Double(2 * 8 * n) / best),
          ("peak_rss_mb", peakRSSMegabytes()), ("checksum", target[n - 1])])
  case "features_all":
    let frame = try CSVReader.readOHLCV(path: arguments[2])
    let spec = try FeatureSpec.load(path: arguments[3])
    BLASConfiguration.setThreadCount(1)
    let (median, best, features) = try measure(repeats) { try spec.compute(on: frame) }
    var sum = KahanSum()
    for (_, column) in features.columns { for v in column where !v.isNaN { sum.add(v) } }
    let inputBytes = Double(frame.rowCount * 5 * 8), outputBytes = Double(features.rowCount * features.columnNames.count * 8)
    emit([("case", "features_all"), ("impl", "kairos"), ("rows", frame.rowCount), ("features", features.columnNames.count),
          ("seconds", median), ("min_seconds", best), ("throughput", Double(frame.rowCount) / median),
          ("bytes_per_second", (inputBytes + outputBytes) / median), ("peak_rss_mb", peakRSSMegabytes()), ("checksum", sum.value)])
  case "features_profile":
    let frame = try CSVReader.readOHLCV(path: arguments[2])
    let spec = try FeatureSpec.load(path: arguments[3])
    for (k, feature) in spec.features.enumerated() {
      let (median, _, _) = try measure(repeats) { try feature.compute(on: frame, index: k) }
      print("\(feature.kind)\t\(feature.window ?? feature.periods ?? 0)\t\(String(format: "%.1f", median * 1000)) ms")
    }
  case "sweep_sma", "sweep_sma_minutes", "sweep_sma_full", "sweep_sma_risk":
    // The issue-4 grid: fast 5–100 × slow 10–300 (step 5, or 1 for the full grid), fast < slow,
    // on 10 assets × 5,000 daily bars; or a 10 × 10 grid on 1,000,000 minute bars.
    let threads = Int(ProcessInfo.processInfo.environment["KAIROS_BENCH_THREADS"] ?? "2") ?? 2
    let minutes = benchCase == "sweep_sma_minutes"
    let frames: [(String, Frame)]
    if minutes {
      frames = [("SYN1", try CSVReader.readOHLCV(path: arguments[2]))]
    } else {
      frames = try (1...10).map { k in ("SYN\(k)", try CSVReader.readOHLCV(path: URL(fileURLWithPath: arguments[2]).appendingPathComponent("SYN\(k < 10 ? "0" : "")\(k).csv").path)) }
    }
    let grid = minutes ? try ParameterGrid(["fast=5:50:5", "slow=60:150:10"], where: "fast<slow")
      : try ParameterGrid(["fast=5:100", benchCase == "sweep_sma_full" ? "slow=10:300" : "slow=10:300:5"], where: "fast<slow")
    var config = BacktestConfiguration()
    config.fee = 0.001
    if benchCase == "sweep_sma_risk" {
      // The risk manager on: a 2 % per-trade risk at a 2 ATR stop and a 20 % drawdown halt.
      config.stopLoss = .atrMultiple(2)
      config.risk = RiskRules(maxRiskPerTrade: 0.02, maxDrawdown: 0.2, resume: .afterBars(20))
    }
    let sweep = try SweepRunner(runner: StrategyRunner(kind: .smaCross, configuration: config), grid: grid)
    let markets = try frames.map { try MarketSeries(name: $0.0, frame: $0.1) }
    // Rows are consumed per asset (as `kairos sweep` streams them to its CSV): only the checksum is kept.
    let (median, best, checksum) = try measure(repeats) { () throws -> KahanSum in
      var checksum = KahanSum()
      try sweep.run(caches: markets.map { IndicatorCache(market: $0) }, threads: threads) { chunk in
        for k in stride(from: 0, to: chunk.metrics.count, by: Metrics.names.count) { checksum.add(chunk.metrics[k]); checksum.add(chunk.metrics[k + 14]) }
      }
      return checksum
    }
    let barCombinations = Double(markets.reduce(0) { $0 + $1.count } * grid.combinations.count)
    emit([("case", benchCase), ("impl", "kairos-\(threads)t"), ("combinations", grid.combinations.count), ("assets", markets.count),
          ("seconds", median), ("min_seconds", best), ("throughput", barCombinations / median),
          ("peak_rss_mb", peakRSSMegabytes()), ("checksum", checksum.value)])
  case "paper_replay":
    // The live path bar by bar: each event taken by its symbol's session (strategy, engine
    // core, SQLite commit with fsync, events.jsonl), timed from its arrival to its committed
    // decision. Several symbols: one portfolio session (one account), the bars interleaved by
    // time as a feed delivers them, one thread.
    let symbols = Int(arguments[3]) ?? 1, bars = Int(arguments[4]) ?? 5000
    let whole = try CSVReader.readOHLCV(path: arguments[2])
    let frame = whole.rows(at: Array(0..<Swift.min(bars, whole.rowCount)))
    var c = BacktestConfiguration(); c.fee = 0.0005
    c = c.resolved(for: frame.index.timestamps)
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("kairos-bench-paper-\(getpid())").path
    defer { try? FileManager.default.removeItem(atPath: root) }
    var latencies: [Double] = []
    var orders = 0
    let (median, best, _) = try measure(Swift.min(repeats, 3)) { () throws -> Int in
      try? FileManager.default.removeItem(atPath: root)
      let names = (0..<symbols).map { "S\($0)" }
      let session: any PaperTrading = symbols == 1
        ? try PaperSession(folder: root, symbol: names[0], runner: StrategyRunner(kind: .smaCross, configuration: c), parameters: ["fast": 10, "slow": 40], configuration: c)
        : try PortfolioPaperSession(folder: root, symbols: names, runner: StrategyRunner(kind: .smaCross, configuration: c),
                                    parameters: ["fast": 10, "slow": 40], configuration: c)
      let (o, h, l, cl, v) = (try frame.column("open"), try frame.column("high"), try frame.column("low"), try frame.column("close"), try frame.column("volume"))
      latencies.removeAll(keepingCapacity: true)
      for t in 0..<frame.rowCount {
        for name in names {
          let event = FeedEvent.bar(symbol: name, start: frame.index[t], OHLCVBar(open: o[t], high: h[t], low: l[t], close: cl[t], volume: v[t]))
          let start = now()
          try session.take(event)
          latencies.append(now() - start)
        }
      }
      orders = try session.status.orders
      return orders
    }
    latencies.sort()
    let total = Double(symbols * frame.rowCount)
    emit([("case", "paper_replay"), ("impl", "kairos"), ("symbols", symbols), ("bars", total), ("seconds", median), ("min_seconds", best),
          ("throughput", total / median), ("latency_median_us", latencies[latencies.count / 2] * 1e6),
          ("latency_p99_us", latencies[latencies.count * 99 / 100] * 1e6), ("orders", orders), ("peak_rss_mb", peakRSSMegabytes())])
  case "walkforward":
    // 5 folds × 20 λ × 10 thresholds on 10 assets × 5,000 daily bars (issue 5).
    let spec = FeatureSpec(features: [FeatureDefinition(kind: "log_returns"), FeatureDefinition(kind: "rsi"),
                                      FeatureDefinition(kind: "zscore", window: 20), FeatureDefinition(kind: "efficiency_ratio")],
                           target: .nextReturnSign(horizon: 1))
    let frames = try (1...10).map { k in try CSVReader.readOHLCV(path: URL(fileURLWithPath: arguments[2]).appendingPathComponent("SYN\(k < 10 ? "0" : "")\(k).csv").path) }
    var settings = WalkForward.Settings()
    settings.folds = 5
    settings.penalties = (0..<20).map { pow(10, -2 + 4 * Double($0) / 19) }
    settings.thresholds = (0..<10).map { 0.5 + 0.005 * Double($0) }
    settings.smoothing = [1]
    settings.configuration.fee = 0.0005
    settings.threads = 2
    let (median, best, total) = try measure(repeats) { () throws -> Double in
      var sum = KahanSum()
      for frame in frames {
        let folds = try WalkForward(settings: settings).run(prices: frame, set: try FeatureSet(spec: spec, frame: frame))
        for f in folds { sum.add(f.testSummary.growth) }
      }
      return sum.value
    }
    emit([("case", "walkforward"), ("impl", "kairos"), ("assets", 10), ("folds", 5), ("penalties", 20), ("thresholds", 10),
          ("seconds", median), ("min_seconds", best), ("throughput", 10 * 5 * 200 / median), ("peak_rss_mb", peakRSSMegabytes()), ("checksum", total)])
  case "sma_300", "sma_300_materialized":
    let close = try CSVReader.readOHLCV(path: arguments[2]).column("close")
    let windows = Array(2...301)
    let materialize = benchCase == "sma_300_materialized"
    let (median, best, total) = measure(repeats) { () -> Double in
      let bank = MovingAverageBank(close)
      var sum = 0.0
      if materialize {
        for column in bank.movingAverages(windows: windows) { sum += column.withUnsafeBufferPointer(finiteSum) }
        return sum
      }
      // Time blocks × all windows: the block of values stays in cache (the sweep's access pattern).
      let block = 4096
      var buffer = [Double](repeating: 0, count: block)
      var start = 0
      while start < bank.count {
        let rows = start..<min(bank.count, start + block)
        for w in windows {
          buffer.withUnsafeMutableBufferPointer { out in
            bank.fill(window: w, rows: rows, into: out)
            sum += finiteSum(UnsafeBufferPointer(rebasing: out[0..<rows.count]))
          }
        }
        start += block
      }
      return sum
    }
    emit([("case", "sma_300"), ("impl", materialize ? "kairos-materialized" : "kairos"), ("rows", close.count), ("windows", windows.count),
          ("seconds", median), ("min_seconds", best), ("throughput", Double(close.count * windows.count) / median),
          ("peak_rss_mb", peakRSSMegabytes()), ("checksum", total)])
  case "make_design":
    try Design.write(to: arguments[2])
    print("{\"case\": \"make_design\", \"rows\": \(Design.rows), \"columns\": \(Design.columns)}")
  case "ridge":
    let design = try Design.read(from: arguments[2])
    let (median, best, fit) = try measure(repeats) { try RidgeRegression(l2: 1, threads: 2).fit(design.x, design.y) }
    emit([("case", "ridge"), ("impl", "kairos"), ("rows", Design.rows), ("seconds", median), ("min_seconds", best),
          ("throughput", Double(Design.rows) / median), ("peak_rss_mb", peakRSSMegabytes()),
          ("checksum", fit.coefficients.reduce(fit.intercept, +))])
  case "ridge_path_100":
    let design = try Design.read(from: arguments[2])
    let penalties = (0..<100).map { pow(10, -3 + 6 * Double($0) / 99) }
    let (median, best, path) = try measure(repeats) { try RidgePath(design.x, design.y, penalties: penalties, threads: 2) }
    let atOne = try RidgeRegression(l2: penalties[50], threads: 2).fit(design.x, design.y)
    let agreement = zip(path.fits[50].coefficients, atOne.coefficients).map { abs($0 - $1) }.max()!
    emit([("case", "ridge_path_100"), ("impl", "kairos"), ("rows", Design.rows), ("penalties", 100), ("seconds", median),
          ("min_seconds", best), ("throughput", 100 / median), ("peak_rss_mb", peakRSSMegabytes()),
          ("max_difference_vs_single_fit", agreement), ("checksum", path.fits.map { $0.coefficients.reduce(0, +) }.reduce(0, +))])
  case "logistic":
    let design = try Design.read(from: arguments[2])
    let (median, best, fit) = try measure(repeats) { try LogisticRegression(l2: 1, tolerance: 1e-10, threads: 2).fit(design.x, design.labels) }
    emit([("case", "logistic"), ("impl", "kairos"), ("rows", Design.rows), ("seconds", median), ("min_seconds", best),
          ("throughput", Double(Design.rows) / median), ("peak_rss_mb", peakRSSMegabytes()), ("iterations", fit.iterations),
          ("objective", fit.objective), ("checksum", fit.coefficients.reduce(fit.intercept, +))])
  case "ridge_batch_256":
    let design = try Design.read(from: arguments[2])
    let tasks = (0..<256).map { k -> TrainingTask in
      let rows = Design.batchRows(k)
      var values = [Double](repeating: 0, count: rows.count * Design.columns)
      for j in 0..<Design.columns { for (r, i) in rows.enumerated() { values[r + j * rows.count] = design.x[i, j] } }
      let set = FeatureSet(names: (0..<Design.columns).map { "x\($0)" }, timestamps: rows.map { Int64($0) * 60_000_000_000 },
                           matrix: Matrix(rows: rows.count, columns: Design.columns, columnMajor: values), target: rows.map { design.y[$0] })
      return TrainingTask(kind: .ridge, set: set, l2: 1)
    }
    let (median, best, results) = measure(repeats) { BatchTrainer.fit(tasks, threads: 2) }
    let checksum = try results.map { try $0.get().coefficients.reduce($0.get().intercept, +) }.reduce(0, +)
    emit([("case", "ridge_batch_256"), ("impl", "kairos"), ("fits", 256), ("seconds", median), ("min_seconds", best),
          ("throughput", 256 / median), ("peak_rss_mb", peakRSSMegabytes()), ("checksum", checksum)])
  default:
    FileHandle.standardError.write(Data("unknown case \(benchCase)\n".utf8))
    exit(2)
  }
} catch {
  FileHandle.standardError.write(Data("KairosBenchmarks: \(error)\n".utf8))
  exit(1)
}
