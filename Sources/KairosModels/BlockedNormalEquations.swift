import Dispatch
import KairosLinalg

/// Accumulates `ZᵀZ` and `Zᵀr` (and a few scalar sums) over a design, one cache-sized block of
/// rows at a time, without ever materializing the transformed design.
///
/// The model fits need `ZᵀZ` for some row-wise transform `Z` of the data (centred, weighted,
/// with an intercept column, scaled by IRLS weights …). Building `Z` in full would copy the
/// whole design through memory; instead each block of `blockRows` rows is written into a small
/// buffer that stays in cache and handed to `dsyrk`/`dgemv` with `beta = 1`.
///
/// Rows are split into chunks of `chunkRows` that depend only on the row count, each chunk
/// accumulates into its own partial sums, and the partials are added in chunk order, so the
/// result has the same bits whatever the number of threads.
struct _BlockedNormalEquations {
  static let blockRows = 1024
  static let chunkRows = 65_536

  /// Columns of `Z` (and length of `r`'s gradient).
  let columns: Int
  /// Form `ZᵀZ` of each block in single precision (`ssyrk`), adding the block results in double.
  /// Twice as fast; for Newton Hessians, whose rounding changes the path, never the optimum.
  var singlePrecisionGram = false
  /// Number of scalar accumulators `fill` may add to.
  let extras: Int

  struct Sums {
    /// `ZᵀZ`, full symmetric, column-major `columns × columns`.
    var gram: [Double]
    /// `Zᵀr`.
    var rhs: [Double]
    var extras: [Double]
  }

  /// What `fill` writes for the rows `range` (block-local index `i − range.lowerBound`):
  /// - `block`: `Z` rows, column-major with leading dimension `range.count`;
  /// - `r`: the vector whose `Zᵀr` is accumulated (computed before scaling);
  /// - `scale`: if `fill` returns `true`, each row of the block is multiplied by `scale[i]`
  ///   after `Zᵀr` and before `ZᵀZ` (IRLS weights); otherwise the block is used as written;
  /// - `extras`: scalar sums to add to.
  typealias Fill = @Sendable (
    _ range: Range<Int>, _ block: UnsafeMutablePointer<Double>, _ r: UnsafeMutablePointer<Double>,
    _ scale: UnsafeMutablePointer<Double>, _ extras: UnsafeMutablePointer<Double>
  ) -> Bool

  /// - Parameter gram: `false` skips `ZᵀZ` (the result's `gram` is then all zeros): a pass that
  ///   needs only `Zᵀr` and the scalar sums costs much less.
  func accumulate(rows n: Int, threads: Int, gram computeGram: Bool = true, _ fill: @escaping Fill) -> Sums {
    let q = columns
    let chunkCount = max(1, (n + Self.chunkRows - 1) / Self.chunkRows)
    var partials = [Sums](repeating: Sums(gram: [], rhs: [], extras: []), count: chunkCount)
    let extras = self.extras
    let single = singlePrecisionGram
    let work: @Sendable (Int) -> Sums = { chunk in
      let lower = chunk * Self.chunkRows, upper = min(n, lower + Self.chunkRows)
      var gram = [Double](repeating: 0, count: q * q), rhs = [Double](repeating: 0, count: q)
      var sums = [Double](repeating: 0, count: extras)
      let block = UnsafeMutablePointer<Double>.allocate(capacity: Self.blockRows * q)
      let r = UnsafeMutablePointer<Double>.allocate(capacity: Self.blockRows)
      let scale = UnsafeMutablePointer<Double>.allocate(capacity: Self.blockRows)
      let floatBlock = UnsafeMutablePointer<Float>.allocate(capacity: single ? Self.blockRows * q : 0)
      let floatGram = UnsafeMutablePointer<Float>.allocate(capacity: single ? q * q : 0)
      defer { block.deallocate(); r.deallocate(); scale.deallocate(); floatBlock.deallocate(); floatGram.deallocate() }
      gram.withUnsafeMutableBufferPointer { g in
        rhs.withUnsafeMutableBufferPointer { b in
          sums.withUnsafeMutableBufferPointer { e in
            var start = lower
            while start < upper {
              let end = min(upper, start + Self.blockRows), rows = end - start
              let scaled = fill(start..<end, block, r, scale, e.baseAddress!)
              BLAS.Unsafe.gemv(transpose: .transpose, m: rows, n: q, alpha: 1, a: block, lda: rows, x: r, beta: 1, y: b.baseAddress!)
              if computeGram && single {
                for j in 0..<q {
                  let column = block + j * rows, target = floatBlock + j * rows
                  if scaled { for i in 0..<rows { target[i] = Float(column[i] * scale[i]) } } else {
                    for i in 0..<rows { target[i] = Float(column[i]) }
                  }
                }
                BLAS.Unsafe.syrkTransposed(n: q, k: rows, alpha: 1, a: floatBlock, lda: rows, beta: 0, c: floatGram, ldc: q)
                for j in 0..<q { for i in 0...j { g[i + j * q] += Double(floatGram[i + j * q]) } }
              } else if computeGram {
                if scaled {
                  for j in 0..<q {
                    let column = block + j * rows
                    for i in 0..<rows { column[i] *= scale[i] }
                  }
                }
                BLAS.Unsafe.syrkTransposed(n: q, k: rows, alpha: 1, a: block, lda: rows, beta: 1, c: g.baseAddress!, ldc: q)
              }
              start = end
            }
          }
        }
      }
      return Sums(gram: gram, rhs: rhs, extras: sums)
    }
    let workers = max(1, min(threads, chunkCount))
    if workers == 1 {
      for c in 0..<chunkCount { partials[c] = work(c) }
    } else {
      partials.withUnsafeMutableBufferPointer { buffer in
        nonisolated(unsafe) let out = buffer  // each chunk index is written by exactly one worker
        DispatchQueue.concurrentPerform(iterations: workers) { w in
          var c = w
          while c < chunkCount { out[c] = work(c); c += workers }
        }
      }
    }
    // Add the partials in chunk order (deterministic), then mirror the upper triangle.
    var total = partials[0]
    for c in 1..<chunkCount {
      for k in 0..<(q * q) { total.gram[k] += partials[c].gram[k] }
      for k in 0..<q { total.rhs[k] += partials[c].rhs[k] }
      for k in 0..<extras { total.extras[k] += partials[c].extras[k] }
    }
    for j in 0..<q { for i in (j + 1)..<q { total.gram[i + j * q] = total.gram[j + i * q] } }
    return total
  }
}

/// Runs `body` with OpenBLAS at one thread when our own threads fan out (they would
/// oversubscribe the cores otherwise), restoring the previous setting after.
func withSingleThreadedBLAS<R>(if condition: Bool, _ body: () throws -> R) rethrows -> R {
  guard condition else { return try body() }
  let previous = BLASConfiguration.threadCount
  BLASConfiguration.setThreadCount(1)
  defer { BLASConfiguration.setThreadCount(previous) }
  return try body()
}
