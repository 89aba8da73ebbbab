internal import CKairosLAPACKE

/// Thin, checked wrappers over the LAPACK routines the engine uses (LAPACKE, column-major).
///
/// Every routine checks shapes and finiteness first (LAPACK would propagate a `NaN` silently)
/// and turns LAPACK's `info` into a `LinalgError`.
public enum LAPACK {
  /// The Cholesky factor `L` (lower triangular, `A = L·Lᵀ`) of a symmetric positive-definite
  /// matrix (`dpotrf`). Only the lower triangle of `a` is read.
  /// - Throws: `.notPositiveDefinite(leadingMinor:)` with LAPACK's order of the failing minor.
  public static func cholesky(_ a: Matrix) throws(LinalgError) -> Matrix {
    try requireSquare(a, "dpotrf")
    try requireFinite(a, "dpotrf")
    var l = a
    let n = a.rows
    if n == 0 { return l }
    let info = l.withUnsafeMutableBufferPointer { p in
      LAPACKE_dpotrf(LAPACK_COL_MAJOR, lower, Int32(n), p.baseAddress, Int32(n))
    }
    try check(info, "dpotrf") { .notPositiveDefinite(leadingMinor: Int($0)) }
    for j in 0..<n { for i in 0..<j { l[i, j] = 0 } }
    return l
  }

  /// Solves `A·X = B` for a symmetric positive-definite `A` by Cholesky (`dposv`).
  /// - Throws: `.notPositiveDefinite(leadingMinor:)` when `A` is not positive definite.
  public static func solvePositiveDefinite(_ a: Matrix, _ b: Matrix) throws(LinalgError) -> Matrix {
    try requireSquare(a, "dposv")
    guard b.rows == a.rows else { throw .shapeMismatch(expected: "B with \(a.rows) rows", found: "\(b.rows) rows") }
    try requireFinite(a, "dposv"); try requireFinite(b, "dposv")
    var factor = a, x = b
    let n = a.rows
    if n == 0 || b.columns == 0 { return x }
    let info = factor.withUnsafeMutableBufferPointer { pa in
      x.withUnsafeMutableBufferPointer { pb in
        LAPACKE_dposv(LAPACK_COL_MAJOR, lower, Int32(n), Int32(b.columns), pa.baseAddress, Int32(n), pb.baseAddress, Int32(n))
      }
    }
    try check(info, "dposv") { .notPositiveDefinite(leadingMinor: Int($0)) }
    return x
  }

  /// Solves `A·X = B` for a symmetric positive-definite `A` by Cholesky (`dpotrf` + `dpotrs`),
  /// refusing a numerically singular `A`: LAPACK's estimate of the reciprocal condition number
  /// (`dpocon`, 1-norm) must be at least `minimumReciprocalCondition` (default `n·ε`), else
  /// `.singular`. Rounding can make an exactly singular Gram matrix (collinear columns)
  /// factor without error; this catches it.
  public static func solvePositiveDefinite(
    _ a: Matrix, _ b: Matrix, minimumReciprocalCondition: Double
  ) throws(LinalgError) -> (solution: Matrix, reciprocalCondition: Double) {
    try requireSquare(a, "dpotrf")
    guard b.rows == a.rows else { throw .shapeMismatch(expected: "B with \(a.rows) rows", found: "\(b.rows) rows") }
    try requireFinite(a, "dpotrf"); try requireFinite(b, "dpotrs")
    let n = a.rows
    if n == 0 || b.columns == 0 { return (b, 1) }
    var norm = 0.0  // 1-norm: the largest absolute column sum
    for j in 0..<n {
      var sum = 0.0
      for i in 0..<n { sum += Swift.abs(a[i, j]) }
      norm = Swift.max(norm, sum)
    }
    var factor = a, x = b
    let info = factor.withUnsafeMutableBufferPointer { p in
      LAPACKE_dpotrf(LAPACK_COL_MAJOR, lower, Int32(n), p.baseAddress, Int32(n))
    }
    try check(info, "dpotrf") { .notPositiveDefinite(leadingMinor: Int($0)) }
    var rcond = 0.0
    let conditionInfo = factor.withUnsafeMutableBufferPointer { p in
      LAPACKE_dpocon(LAPACK_COL_MAJOR, lower, Int32(n), p.baseAddress, Int32(n), norm, &rcond)
    }
    try check(conditionInfo, "dpocon") { _ in .singular }
    if rcond < minimumReciprocalCondition { throw .singular }
    let solveInfo = factor.withUnsafeMutableBufferPointer { pa in
      x.withUnsafeMutableBufferPointer { pb in
        LAPACKE_dpotrs(LAPACK_COL_MAJOR, lower, Int32(n), Int32(b.columns), pa.baseAddress, Int32(n), pb.baseAddress, Int32(n))
      }
    }
    try check(solveInfo, "dpotrs") { _ in .singular }
    return (x, rcond)
  }

  /// Least squares `min ‖A·X − B‖` for a full-rank `A` by QR (`dgels`); for `rows < columns`
  /// the minimum-norm solution of the underdetermined system. Returns `columns × B.columns`.
  /// - Throws: `.singular` when `A` is rank deficient (use `minimumNormLeastSquares`).
  public static func leastSquares(_ a: Matrix, _ b: Matrix) throws(LinalgError) -> Matrix {
    guard b.rows == a.rows else { throw .shapeMismatch(expected: "B with \(a.rows) rows", found: "\(b.rows) rows") }
    try requireFinite(a, "dgels"); try requireFinite(b, "dgels")
    let (m, n, nrhs) = (a.rows, a.columns, b.columns)
    let ldb = max(1, m, n)
    var work = a
    var rhs = paddedRows(b, to: ldb)
    if m == 0 || n == 0 || nrhs == 0 { return Matrix(rows: n, columns: nrhs) }
    let info = work.withUnsafeMutableBufferPointer { pa in
      rhs.withUnsafeMutableBufferPointer { pb in
        LAPACKE_dgels(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "N")), Int32(m), Int32(n), Int32(nrhs),
                      pa.baseAddress, Int32(max(1, m)), pb.baseAddress, Int32(ldb))
      }
    }
    try check(info, "dgels") { _ in .singular }
    return topRows(rhs, n)
  }

  /// The result of a minimum-norm least-squares solve.
  public struct MinimumNormSolution: Sendable {
    /// `columns × B.columns`.
    public let solution: Matrix
    /// The effective rank: singular values above `rcond × σ_max` count.
    public let rank: Int
    /// Singular values of `A`, descending.
    public let singularValues: [Double]
  }

  /// Minimum-norm least squares by SVD (`dgelsd`), for any `A`, rank deficient or not.
  /// - Parameter rcond: Singular values `≤ rcond × σ_max` are treated as zero; a negative value
  ///   means machine precision.
  public static func minimumNormLeastSquares(
    _ a: Matrix, _ b: Matrix, rcond: Double = -1
  ) throws(LinalgError) -> MinimumNormSolution {
    guard b.rows == a.rows else { throw .shapeMismatch(expected: "B with \(a.rows) rows", found: "\(b.rows) rows") }
    try requireFinite(a, "dgelsd"); try requireFinite(b, "dgelsd")
    let (m, n, nrhs) = (a.rows, a.columns, b.columns)
    let ldb = max(1, m, n)
    var work = a
    var rhs = paddedRows(b, to: ldb)
    var s = [Double](repeating: 0, count: max(1, min(m, n)))
    var rank: Int32 = 0
    if m == 0 || n == 0 || nrhs == 0 {
      return MinimumNormSolution(solution: Matrix(rows: n, columns: nrhs), rank: 0, singularValues: [])
    }
    let info = work.withUnsafeMutableBufferPointer { pa in
      rhs.withUnsafeMutableBufferPointer { pb in
        LAPACKE_dgelsd(LAPACK_COL_MAJOR, Int32(m), Int32(n), Int32(nrhs), pa.baseAddress, Int32(max(1, m)),
                       pb.baseAddress, Int32(ldb), &s, rcond, &rank)
      }
    }
    try check(info, "dgelsd") { .noConvergence(routine: "dgelsd", info: Int($0)) }
    return MinimumNormSolution(solution: topRows(rhs, n), rank: Int(rank), singularValues: Array(s.prefix(min(m, n))))
  }

  /// Eigenvalues (ascending) and orthonormal eigenvectors (as columns) of a symmetric matrix
  /// (`dsyevd`, divide and conquer). Only the lower triangle of `a` is read.
  public static func symmetricEigen(_ a: Matrix) throws(LinalgError) -> (values: [Double], vectors: Matrix) {
    try requireSquare(a, "dsyevd")
    try requireFinite(a, "dsyevd")
    let n = a.rows
    var vectors = a
    var values = [Double](repeating: 0, count: n)
    if n == 0 { return (values, vectors) }
    let info = vectors.withUnsafeMutableBufferPointer { p in
      LAPACKE_dsyevd(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "V")), lower, Int32(n), p.baseAddress, Int32(n), &values)
    }
    try check(info, "dsyevd") { .noConvergence(routine: "dsyevd", info: Int($0)) }
    return (values, vectors)
  }

  // MARK: - Helpers

  private static let lower = CChar(UInt8(ascii: "L"))

  private static func requireSquare(_ a: Matrix, _ routine: String) throws(LinalgError) {
    guard a.rows == a.columns else { throw .shapeMismatch(expected: "a square matrix for \(routine)", found: "\(a.rows)×\(a.columns)") }
  }

  private static func requireFinite(_ a: Matrix, _ routine: String) throws(LinalgError) {
    guard a.isFinite else { throw .nonFiniteInput(routine: routine) }
  }

  private static func check(
    _ info: Int32, _ routine: String, positive: (Int32) -> LinalgError
  ) throws(LinalgError) {
    if info < 0 { throw .illegalArgument(routine: routine, position: Int(-info)) }
    if info > 0 { throw positive(info) }
  }

  /// `b` with its rows padded with zeros to `rows` (LAPACK writes an n-row solution into B).
  private static func paddedRows(_ b: Matrix, to rows: Int) -> Matrix {
    if b.rows == rows { return b }
    var out = Matrix(rows: rows, columns: b.columns)
    for j in 0..<b.columns { for i in 0..<b.rows { out[i, j] = b[i, j] } }
    return out
  }

  private static func topRows(_ b: Matrix, _ rows: Int) -> Matrix {
    if b.rows == rows { return b }
    var out = Matrix(rows: rows, columns: b.columns)
    for j in 0..<b.columns { for i in 0..<rows { out[i, j] = b[i, j] } }
    return out
  }
}
