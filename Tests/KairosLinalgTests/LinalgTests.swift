import Foundation
import KairosLinalg
import KairosTestSupport
import Testing

func values(_ m: Matrix) -> [Double] { m.columnMajorValues }

@Suite struct MatrixTests {
  @Test func layoutViewsAndCopyOnWrite() {
    let m = Matrix([[1, 2, 3], [4, 5, 6]])
    #expect(m.rows == 2 && m.columns == 3)
    #expect(values(m) == [1, 4, 2, 5, 3, 6])  // column-major
    let view = m.columns(1..<3)
    #expect(values(view) == [2, 5, 3, 6])
    m.withUnsafeBufferPointer { p in view.withUnsafeBufferPointer { v in #expect(v.baseAddress == p.baseAddress! + 2) } }
    var copy = view
    copy[0, 0] = 99
    #expect(m[0, 1] == 2 && copy[0, 0] == 99)
    #expect(Array(m.column(2)) == [3, 6])
    #expect(values(m.transposed) == [1, 2, 3, 4, 5, 6])
  }
}

@Suite struct BLASTests {
  @Test(arguments: [(3, 4, 5), (1, 1, 1), (17, 9, 33)])
  func gemmMatchesNaiveLoops(m: Int, k: Int, n: Int) throws {
    var random = RandomData(seed: UInt64(m * 100 + n))
    let a = random.normalMatrix(rows: m, columns: k), b = random.normalMatrix(rows: k, columns: n)
    #expect(allClose(values(try BLAS.multiply(a, b)), values(NaiveLinalg.multiply(a, b)), rtol: 1e-12, atol: 1e-12))
    let at = a.transposed, bt = b.transposed
    #expect(allClose(values(try BLAS.multiply(at, bt, transposeA: .transpose, transposeB: .transpose)), values(NaiveLinalg.multiply(a, b)), rtol: 1e-12, atol: 1e-12))
    var c = random.normalMatrix(rows: m, columns: n)
    let expected = zip(values(NaiveLinalg.multiply(a, b)), values(c)).map { 2 * $0 + 0.5 * $1 }
    try BLAS.gemm(alpha: 2, a, b, beta: 0.5, into: &c)
    #expect(allClose(values(c), expected, rtol: 1e-12, atol: 1e-12))
  }

  @Test func gemmRejectsMismatchedShapes() {
    #expect(throws: LinalgError.self) { try BLAS.multiply(Matrix(rows: 2, columns: 3), Matrix(rows: 2, columns: 3)) }
  }

  @Test func gemvSyrkDotAxpy() throws {
    var random = RandomData(seed: 9)
    let a = random.normalMatrix(rows: 7, columns: 4)
    let x = random.normalVector(4), y = random.normalVector(7)
    let naiveAx = (0..<7).map { i in (0..<4).reduce(0.0) { $0 + a[i, $1] * x[$1] } }
    #expect(allClose(try BLAS.gemv(a, x), naiveAx, rtol: 1e-12, atol: 1e-14))
    let naiveATy = (0..<4).map { j in (0..<7).reduce(0.0) { $0 + a[$1, j] * y[$1] } }
    #expect(allClose(try BLAS.gemv(a, y, transpose: .transpose), naiveATy, rtol: 1e-12, atol: 1e-14))
    #expect(allClose(values(BLAS.syrk(a)), values(NaiveLinalg.multiply(a, transposeA: true, a)), rtol: 1e-12, atol: 1e-14))
    #expect(allClose(values(BLAS.syrk(a, transpose: .none)), values(NaiveLinalg.multiply(a, a, transposeB: true)), rtol: 1e-12, atol: 1e-14))
    #expect(isClose(try BLAS.dot(x, x), x.reduce(0) { $0 + $1 * $1 }, rtol: 1e-14))
    var z = x
    try BLAS.axpy(3, x, &z)
    #expect(allClose(z, x.map { 4 * $0 }, rtol: 1e-15))
    #expect(throws: LinalgError.self) { try BLAS.dot(x, y) }
    #expect(throws: LinalgError.self) { try BLAS.gemv(a, y) }
  }
}

@Suite struct LAPACKTests {
  /// A random symmetric positive-definite matrix `AᵀA + n·I`.
  func spd(_ n: Int, seed: UInt64) -> Matrix {
    var random = RandomData(seed: seed)
    let a = random.normalMatrix(rows: n + 3, columns: n)
    var g = NaiveLinalg.multiply(a, transposeA: true, a)
    for i in 0..<n { g[i, i] += Double(n) }
    return g
  }

  @Test func choleskyReconstructs() throws {
    let a = spd(6, seed: 1)
    let l = try LAPACK.cholesky(a)
    for i in 0..<6 { for j in (i + 1)..<6 { #expect(l[i, j] == 0) } }
    #expect(allClose(values(NaiveLinalg.multiply(l, l, transposeB: true)), values(a), rtol: 1e-12, atol: 1e-12))
  }

  @Test func notPositiveDefiniteNamesTheMinor() {
    // Leading 1×1 and 2×2 minors are positive; the 3×3 one is not.
    let a = Matrix([[4, 2, 0], [2, 2, 0], [0, 0, -1]])
    #expect(throws: LinalgError.notPositiveDefinite(leadingMinor: 3)) { try LAPACK.cholesky(a) }
    #expect(throws: LinalgError.notPositiveDefinite(leadingMinor: 2)) { try LAPACK.solvePositiveDefinite(Matrix([[1, 2], [2, 1]]), Matrix([[1], [1]])) }
    #expect(throws: LinalgError.nonFiniteInput(routine: "dpotrf")) { try LAPACK.cholesky(Matrix([[Double.nan]])) }
    #expect(throws: LinalgError.self) { try LAPACK.cholesky(Matrix(rows: 2, columns: 3)) }
  }

  @Test func positiveDefiniteSolveMatchesGaussianElimination() throws {
    let a = spd(8, seed: 2)
    var random = RandomData(seed: 3)
    let b = random.normalVector(8)
    let x = try LAPACK.solvePositiveDefinite(a, Matrix(rows: 8, columns: 1, columnMajor: b))
    #expect(allClose(values(x), NaiveLinalg.solve(a, b), rtol: 1e-10, atol: 1e-12))
  }

  @Test func leastSquaresMatchesNormalEquations() throws {
    var random = RandomData(seed: 4)
    let a = random.normalMatrix(rows: 30, columns: 5), b = random.normalVector(30)
    let x = try LAPACK.leastSquares(a, Matrix(rows: 30, columns: 1, columnMajor: b))
    let normal = NaiveLinalg.solve(NaiveLinalg.multiply(a, transposeA: true, a), (0..<5).map { j in (0..<30).reduce(0.0) { $0 + a[$1, j] * b[$1] } })
    #expect(x.rows == 5)
    #expect(allClose(values(x), normal, rtol: 1e-9, atol: 1e-12))
    let svd = try LAPACK.minimumNormLeastSquares(a, Matrix(rows: 30, columns: 1, columnMajor: b))
    #expect(svd.rank == 5)
    #expect(allClose(values(svd.solution), normal, rtol: 1e-9, atol: 1e-12))
  }

  @Test func rankDeficientDesign() throws {
    // Third column = first + second: QR reports singular, SVD gives the minimum-norm solution.
    var random = RandomData(seed: 5)
    let c0 = random.normalVector(20), c1 = random.normalVector(20)
    let a = Matrix(rows: 20, columns: 3, columnMajor: c0 + c1 + zip(c0, c1).map(+))
    let b = Matrix(rows: 20, columns: 1, columnMajor: zip(c0, c1).map { 2 * $0 - $1 })
    let svd = try LAPACK.minimumNormLeastSquares(a, b)
    #expect(svd.rank == 2)
    // Exact fit b = 2·c0 − c1 = x0·c0 + x1·c1 + x2·(c0 + c1); minimum norm: x = (5/3, −4/3, 1/3).
    #expect(allClose(values(svd.solution), [5.0 / 3, -4.0 / 3, 1.0 / 3], rtol: 1e-9, atol: 1e-12))
    // dgels reports only an exactly zero diagonal of R (a zero column), not near-singularity.
    let exactlySingular = Matrix([[1, 0], [2, 0], [3, 0]])
    #expect(throws: LinalgError.singular) { try LAPACK.leastSquares(exactlySingular, Matrix([[1], [2], [3]])) }
  }

  @Test func illConditionedHilbertSystem() throws {
    // The 10×10 Hilbert matrix has condition number ~1.6e13. A solve by Cholesky still gives
    // a small residual (backward stable), though the solution itself is only loosely known.
    let n = 10
    var h = Matrix(rows: n, columns: n)
    for i in 0..<n { for j in 0..<n { h[i, j] = 1 / Double(i + j + 1) } }
    let ones = [Double](repeating: 1, count: n)
    let b = (0..<n).map { i in (0..<n).reduce(0.0) { $0 + h[i, $1] } }
    let x = try LAPACK.solvePositiveDefinite(h, Matrix(rows: n, columns: 1, columnMajor: b))
    let residual = (0..<n).map { i in (0..<n).reduce(0.0) { $0 + h[i, $1] * x[$1, 0] } - b[i] }
    #expect(residual.map(abs).max()! < 1e-12)
    #expect(maxRelativeError(values(x), ones) < 1e-2)
    let eigen = try LAPACK.symmetricEigen(h)
    #expect(eigen.values.last! / eigen.values.first! > 1e12)
  }

  @Test func symmetricEigenReconstructs() throws {
    let a = spd(7, seed: 6)
    let (w, v) = try LAPACK.symmetricEigen(a)
    #expect(w == w.sorted())
    var vd = v
    for j in 0..<7 { for i in 0..<7 { vd[i, j] *= w[j] } }
    #expect(allClose(values(NaiveLinalg.multiply(vd, v, transposeB: true)), values(a), rtol: 1e-10, atol: 1e-10))
    #expect(allClose(values(NaiveLinalg.multiply(v, transposeA: true, v)), values(Matrix.identity(7)), rtol: 0, atol: 1e-12))
  }

  @Test func blasConfigurationIsReported() {
    #expect(BLASConfiguration.description.contains("OpenBLAS"))
    let before = BLASConfiguration.threadCount
    BLASConfiguration.setThreadCount(1)
    #expect(BLASConfiguration.threadCount == 1)
    BLASConfiguration.setThreadCount(before)
  }

  /// In a process of its own (OpenBLAS's shutdown must not meet another test's BLAS call): the
  /// pool OpenBLAS started at load time is gone after `stopIdleThreads` (its `blas_server_avail`
  /// flag, read by name), and a product large enough to be threaded gives the naive loop's
  /// values and brings the pool back — also after a second stop.
  @Test func stoppingIdleThreadsKeepsBLASWorking() async {
    await #expect(processExitsWith: .success) {
      guard let flag = dlsym(nil, "blas_server_avail")?.assumingMemoryBound(to: Int32.self) else { exit(2) }
      let pooled = BLASConfiguration.threadCount > 1  // one core: OpenBLAS starts no pool
      guard flag.pointee == (pooled ? 1 : 0) else { exit(3) }
      let n = 300
      let a = Matrix(rows: n, columns: n, columnMajor: (0..<(n * n)).map { Double($0 % 17) - 8.5 })
      let b = Matrix(rows: n, columns: n, columnMajor: (0..<(n * n)).map { Double($0 % 13) * 0.25 })
      let expected = values(NaiveLinalg.multiply(a, b))
      for _ in 0..<2 {
        BLASConfiguration.stopIdleThreads()
        guard flag.pointee == 0 else { exit(4) }
        guard let product = try? BLAS.multiply(a, b), allClose(values(product), expected, rtol: 1e-12, atol: 1e-9) else { exit(5) }
        guard flag.pointee == (pooled ? 1 : 0) else { exit(6) }
      }
    }
  }
}
