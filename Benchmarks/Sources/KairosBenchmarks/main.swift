// kairos-bench: one benchmark case per invocation, so peak RSS is the case's own.
//
//   KairosBenchmarks blas                         the BLAS configuration, as one JSON line
//   KairosBenchmarks csv_read FILE [REPEATS]      read an OHLCV CSV into a Frame
//   KairosBenchmarks resample_1d FILE [REPEATS]   resample minute bars to days (file read untimed)
//   KairosBenchmarks csv_write FILE [REPEATS]     write the frame read from FILE as CSV
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

func fileSize(_ path: String) -> Double {
  ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? NSNumber)?.doubleValue ?? .nan
}

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
  FileHandle.standardError.write(Data("usage: KairosBenchmarks blas | csv_read FILE | resample_1d FILE | csv_write FILE [REPEATS]\n".utf8))
  exit(2)
}
let benchCase = arguments[1]
let repeats = arguments.count >= 4 ? Int(arguments[3]) ?? 5 : 5

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
    let (median, best, daily) = try measure(repeats) { frame.resampled(to: interval) }
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
  default:
    FileHandle.standardError.write(Data("unknown case \(benchCase)\n".utf8))
    exit(2)
  }
} catch {
  FileHandle.standardError.write(Data("KairosBenchmarks: \(error)\n".utf8))
  exit(1)
}
