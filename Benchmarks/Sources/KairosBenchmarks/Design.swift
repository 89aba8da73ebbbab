import Foundation
import Kairos

/// The regression benchmark's design: 1,000,000 × 32 standard normal features (seeded), a
/// continuous target `y = Xβ + ε` and labels `1{Xβ + logistic noise > 0}`. Written once as raw
/// little-endian float64 (X column-major, then y, then labels) so the Python peers read the
/// very same numbers with `numpy.fromfile`.
enum Design {
  static let rows = 1_000_000
  static let columns = 32

  /// Rows of batch fit `k` (256 overlapping windows of 5,000 rows).
  static func batchRows(_ k: Int) -> Range<Int> { (k * 3_900)..<(k * 3_900 + 5_000) }

  struct Data { let x: Matrix; let y: [Double]; let labels: [Double] }

  static func path(_ directory: String) -> String { URL(fileURLWithPath: directory).appendingPathComponent("design_1m_32.f64").path }

  static func write(to directory: String) throws {
    var random = SplitMix64(seed: 2026)
    let n = rows, p = columns
    var values = [Double](repeating: 0, count: n * p + 2 * n)
    for k in 0..<(n * p) { values[k] = random.nextNormal() }
    let beta = (0..<p).map { Double($0 % 7) / 7 - 0.4 }
    for i in 0..<n {
      var z = 0.0
      for j in 0..<p { z += values[i + j * n] * beta[j] }
      values[n * p + i] = z + random.nextNormal()
      let u = Swift.max(random.nextUniform(), 1e-12)
      values[n * p + n + i] = z + log(u / (1 - u)) > 0 ? 1 : 0
    }
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    try values.withUnsafeBytes { try Foundation.Data($0).write(to: URL(fileURLWithPath: path(directory))) }
  }

  static func read(from directory: String) throws -> Data {
    let bytes = try Foundation.Data(contentsOf: URL(fileURLWithPath: path(directory)))
    let values = bytes.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
    let n = rows, p = columns
    return Data(x: Matrix(rows: n, columns: p, columnMajor: Array(values[0..<(n * p)])),
                y: Array(values[(n * p)..<(n * p + n)]), labels: Array(values[(n * p + n)...]))
  }
}
