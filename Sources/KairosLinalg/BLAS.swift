internal import CKairosOpenBLAS

/// Whether an operand is used as stored or transposed.
public enum Transpose: Sendable {
  case none, transpose
  var _cblas: CBLAS_TRANSPOSE { self == .none ? CblasNoTrans : CblasTrans }
}

/// Thin, shape-checked wrappers over the BLAS routines the engine uses (OpenBLAS, column-major).
public enum BLAS {
  /// `C ← alpha · op(A) · op(B) + beta · C` (`dgemm`).
  /// - Throws: `LinalgError.shapeMismatch` when the shapes do not fit.
  public static func gemm(
    alpha: Double = 1, _ a: Matrix, _ b: Matrix,
    transposeA: Transpose = .none, transposeB: Transpose = .none,
    beta: Double = 0, into c: inout Matrix
  ) throws(LinalgError) {
    let (m, k) = transposeA == .none ? (a.rows, a.columns) : (a.columns, a.rows)
    let (kb, n) = transposeB == .none ? (b.rows, b.columns) : (b.columns, b.rows)
    guard k == kb else {
      throw .shapeMismatch(expected: "op(B) with \(k) rows to match op(A)'s \(k) columns", found: "\(kb) rows")
    }
    guard c.rows == m, c.columns == n else {
      throw .shapeMismatch(expected: "C of \(m)×\(n)", found: "\(c.rows)×\(c.columns)")
    }
    if m == 0 || n == 0 { return }
    a.withUnsafeBufferPointer { pa in
      b.withUnsafeBufferPointer { pb in
        c.withUnsafeMutableBufferPointer { pc in
          cblas_dgemm(CblasColMajor, transposeA._cblas, transposeB._cblas,
                      Int32(m), Int32(n), Int32(k), alpha,
                      pa.baseAddress, Int32(max(1, a.rows)), pb.baseAddress, Int32(max(1, b.rows)),
                      beta, pc.baseAddress, Int32(max(1, m)))
        }
      }
    }
  }

  /// Returns `op(A) · op(B)` (`dgemm`).
  public static func multiply(
    _ a: Matrix, _ b: Matrix, transposeA: Transpose = .none, transposeB: Transpose = .none
  ) throws(LinalgError) -> Matrix {
    let m = transposeA == .none ? a.rows : a.columns
    let n = transposeB == .none ? b.columns : b.rows
    var c = Matrix(rows: m, columns: n)
    try gemm(a, b, transposeA: transposeA, transposeB: transposeB, into: &c)
    return c
  }

  /// Returns `alpha · op(A) · x` (`dgemv`).
  public static func gemv(
    alpha: Double = 1, _ a: Matrix, _ x: [Double], transpose: Transpose = .none
  ) throws(LinalgError) -> [Double] {
    let (m, n) = transpose == .none ? (a.rows, a.columns) : (a.columns, a.rows)
    guard x.count == n else { throw .shapeMismatch(expected: "x of length \(n)", found: "length \(x.count)") }
    var y = [Double](repeating: 0, count: m)
    if m == 0 { return y }
    if n == 0 { return y }
    a.withUnsafeBufferPointer { pa in
      cblas_dgemv(CblasColMajor, transpose._cblas, Int32(a.rows), Int32(a.columns), alpha,
                  pa.baseAddress, Int32(max(1, a.rows)), x, 1, 0, &y, 1)
    }
    return y
  }

  /// Returns the Gram matrix `op(A)ᵀ · op(A)`: `AᵀA` for `.transpose` (columns × columns, the
  /// normal-equations matrix), `AAᵀ` for `.none` (`dsyrk`). Both triangles are filled.
  public static func syrk(alpha: Double = 1, _ a: Matrix, transpose: Transpose = .transpose) -> Matrix {
    let (n, k) = transpose == .transpose ? (a.columns, a.rows) : (a.rows, a.columns)
    var c = Matrix(rows: n, columns: n)
    if n == 0 { return c }
    a.withUnsafeBufferPointer { pa in
      c.withUnsafeMutableBufferPointer { pc in
        cblas_dsyrk(CblasColMajor, CblasUpper, transpose._cblas, Int32(n), Int32(k), alpha,
                    pa.baseAddress, Int32(max(1, a.rows)), 0, pc.baseAddress, Int32(n))
        // Mirror the upper triangle into the lower one.
        for j in 0..<n { for i in (j + 1)..<n { pc[i + j * n] = pc[j + i * n] } }
      }
    }
    return c
  }

  /// Returns `xᵀy` (`ddot`).
  public static func dot(_ x: [Double], _ y: [Double]) throws(LinalgError) -> Double {
    guard x.count == y.count else { throw .shapeMismatch(expected: "vectors of equal length \(x.count)", found: "length \(y.count)") }
    return cblas_ddot(Int32(x.count), x, 1, y, 1)
  }

  /// `y ← alpha · x + y` (`daxpy`).
  public static func axpy(_ alpha: Double, _ x: [Double], _ y: inout [Double]) throws(LinalgError) {
    guard x.count == y.count else { throw .shapeMismatch(expected: "vectors of equal length \(x.count)", found: "length \(y.count)") }
    cblas_daxpy(Int32(x.count), alpha, x, 1, &y, 1)
  }
}

extension BLAS {
  /// Pointer-level BLAS for hot loops that reuse their own buffers (blocked accumulation in the
  /// model fits). Column-major; the caller guarantees the sizes. Prefer the `Matrix` API elsewhere.
  /// Not `@inlinable`: the C modules are imported `internal` (they are no part of the API), and
  /// a call costs nothing next to the BLAS routine behind it.
  public enum Unsafe {
    /// `C ← alpha · AᵀA + beta · C` on the upper triangle of the `n × n` matrix `C`, for the
    /// `k × n` matrix `A` (`dsyrk`, upper, transposed).
    public static func syrkTransposed(
      n: Int, k: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int, beta: Double,
      c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
      cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, Int32(n), Int32(k), alpha, a, Int32(lda), beta, c, Int32(ldc))
    }

    /// Single-precision `dsyrk` (`ssyrk`): `C ← alpha · AᵀA + beta · C`, upper triangle. For
    /// approximate Hessians, where half the precision costs half the time and changes no optimum.
    public static func syrkTransposed(
      n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int, beta: Float,
      c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
      cblas_ssyrk(CblasColMajor, CblasUpper, CblasTrans, Int32(n), Int32(k), alpha, a, Int32(lda), beta, c, Int32(ldc))
    }

    /// `y ← alpha · op(A)·x + beta · y` for the `m × n` matrix `A` (`dgemv`).
    public static func gemv(
      transpose: Transpose, m: Int, n: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int,
      x: UnsafePointer<Double>, beta: Double, y: UnsafeMutablePointer<Double>
    ) {
      cblas_dgemv(CblasColMajor, transpose._cblas, Int32(m), Int32(n), alpha, a, Int32(lda), x, 1, beta, y, 1)
    }
  }
}
