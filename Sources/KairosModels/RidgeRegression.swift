import KairosCore
import KairosLinalg

/// Ridge regression: least squares with an L2 penalty on the coefficients, intercept unpenalized.
///
/// Minimizes `Σ sᵢ (yᵢ − b − xᵢᵀw)² + λ‖w‖²` (sample weights `s`, default 1), exactly
/// scikit-learn's `Ridge(alpha=λ, solver="cholesky")`: the intercept is left out of the penalty
/// by centring `X` and `y` on their weighted means, then `(XcᵀSXc + λI) w = XcᵀS yc` is solved by
/// Cholesky (`dposv`) and `b = ȳ − x̄ᵀw`.
///
/// `XcᵀSXc` comes from `dsyrk` over cache-sized blocks of centred, weighted rows (see
/// `_BlockedNormalEquations`): one pass over the design. When `XcᵀSXc + λI` is not positive
/// definite (λ = 0 with collinear features), the fit falls back to the minimum-norm
/// least-squares solution by SVD (`dgelsd`) and says so in `RidgeFit.solver`; so does a matrix
/// that factors but is numerically singular (reciprocal condition below p·ε, from `dpocon`),
/// which is what exactly collinear columns give after rounding.
public struct RidgeRegression: Sendable {
  /// The penalty λ ≥ 0 (scikit-learn's `alpha`).
  public var l2: Double
  /// Threads for the accumulation pass (BLAS runs single-threaded inside it).
  public var threads: Int

  public init(l2: Double, threads: Int = 1) {
    self.l2 = l2
    self.threads = max(1, threads)
  }

  /// The fitted coefficients.
  public func fit(_ x: Matrix, _ y: [Double], weights: [Double]? = nil, names: [String]? = nil) throws(ModelError) -> RidgeFit {
    try DesignValidation.check(x, y, weights: weights, l2: l2, names: names)
    let system = Self.normalEquations(x, y, weights: weights, threads: threads)
    return try system.solve(l2: l2, x: x, y: y, weights: weights)
  }

  /// The centred normal equations `XcᵀSXc`, `XcᵀS yc` and the weighted means.
  static func normalEquations(_ x: Matrix, _ y: [Double], weights: [Double]?, threads: Int) -> CenteredNormalEquations {
    let n = x.rows, p = x.columns
    // Shift by the first row: sums of (x − K) stay small, so the centring correction below
    // loses no precision (K is close to the data, unlike 0).
    let shift = (0..<p).map { x[0, $0] }, yShift = y[0]
    let engine = _BlockedNormalEquations(columns: p, extras: 2 + p)
    let sums = withSingleThreadedBLAS(if: threads > 1) {
      x.withUnsafeBufferPointer { xs in
        nonisolated(unsafe) let xp = xs.baseAddress!
        return engine.accumulate(rows: n, threads: threads) { range, block, r, _, extras in
          let rows = range.count, r0 = range.lowerBound
          for (k, i) in range.enumerated() {
            let root = weights.map { $0[i].squareRoot() } ?? 1
            let dy = root * (y[i] - yShift)
            r[k] = dy
            extras[0] += root * root
            extras[1] += root * dy
          }
          for j in 0..<p {
            let source = xp + j * n + r0, target = block + j * rows
            let k0 = shift[j]
            var s = 0.0
            if let weights {
              for k in 0..<rows {
                let root = weights[r0 + k].squareRoot()
                let z = root * (source[k] - k0)
                target[k] = z
                s += root * z
              }
            } else {
              for k in 0..<rows { let z = source[k] - k0; target[k] = z; s += z }
            }
            extras[2 + j] += s
          }
          return false
        }
      }
    }
    let totalWeight = sums.extras[0], ySum = sums.extras[1]
    let xSums = Array(sums.extras[2...])
    var gram = sums.gram, rhs = sums.rhs
    for j in 0..<p {
      for i in 0..<p { gram[i + j * p] -= xSums[i] * xSums[j] / totalWeight }
      rhs[j] -= xSums[j] * ySum / totalWeight
    }
    return CenteredNormalEquations(
      gram: Matrix(rows: p, columns: p, columnMajor: gram), rhs: rhs,
      xMean: (0..<p).map { shift[$0] + xSums[$0] / totalWeight }, yMean: yShift + ySum / totalWeight, rows: n)
  }
}

/// How a ridge fit was solved.
public enum RidgeSolver: Sendable, Equatable {
  /// Cholesky on `XcᵀXc + λI` (`dposv`), the normal case.
  case cholesky
  /// The matrix was not positive definite; minimum-norm least squares by SVD (`dgelsd`), with
  /// the effective rank of the (augmented) design.
  case minimumNormLeastSquares(rank: Int)
  /// From the eigendecomposition of `XcᵀXc` (a ridge path).
  case eigen
}

/// A fitted ridge model.
public struct RidgeFit: Sendable {
  public let l2: Double
  public let intercept: Double
  public let coefficients: [Double]
  public let solver: RidgeSolver
}

/// `XcᵀSXc w = XcᵀS yc` plus the means needed to recover the intercept.
struct CenteredNormalEquations: Sendable {
  let gram: Matrix
  let rhs: [Double]
  let xMean: [Double]
  let yMean: Double
  let rows: Int

  func intercept(for w: [Double]) -> Double {
    var b = yMean
    for j in 0..<w.count { b -= xMean[j] * w[j] }
    return b
  }

  func solve(l2: Double, x: Matrix, y: [Double], weights: [Double]?) throws(ModelError) -> RidgeFit {
    let p = rhs.count
    var a = gram
    for i in 0..<p { a[i, i] += l2 }
    do {
      let threshold = Double(p) * Double.ulpOfOne
      let w = try LAPACK.solvePositiveDefinite(a, Matrix(rows: p, columns: 1, columnMajor: rhs), minimumReciprocalCondition: threshold)
        .solution.columnMajorValues
      return RidgeFit(l2: l2, intercept: intercept(for: w), coefficients: w, solver: .cholesky)
    } catch .notPositiveDefinite, .singular {
      // Fallback: min ‖[√S Xc; √λ I] w − [√S yc; 0]‖ by SVD, on the materialized design.
      let n = x.rows
      var design = Matrix(rows: n + p, columns: p)
      var target = [Double](repeating: 0, count: n + p)
      for i in 0..<n {
        let root = weights.map { $0[i].squareRoot() } ?? 1
        target[i] = root * (y[i] - yMean)
        for j in 0..<p { design[i, j] = root * (x[i, j] - xMean[j]) }
      }
      for j in 0..<p { design[n + j, j] = l2.squareRoot() }
      do {
        // numpy.linalg.lstsq's default cut-off: singular values below max(rows, columns)·ε·σ_max.
        let rcond = Double(Swift.max(n + p, p)) * Double.ulpOfOne
        let solution = try LAPACK.minimumNormLeastSquares(design, Matrix(rows: n + p, columns: 1, columnMajor: target), rcond: rcond)
        let w = solution.solution.columnMajorValues
        return RidgeFit(l2: l2, intercept: intercept(for: w), coefficients: w, solver: .minimumNormLeastSquares(rank: solution.rank))
      } catch { throw .linalg(error) }
    } catch { throw .linalg(error) }
  }
}

/// Ridge coefficients for many penalties from one eigendecomposition.
///
/// With `XcᵀXc = V diag(d) Vᵀ` (`dsyevd`), `w(λ) = V diag(1 / (d + λ)) Vᵀ Xcᵀyc`: after the
/// one accumulation pass and one p × p eigendecomposition, each λ costs O(p²), so 100
/// penalties cost about one fit.
public struct RidgePath: Sendable {
  public let fits: [RidgeFit]

  public init(_ x: Matrix, _ y: [Double], penalties: [Double], weights: [Double]? = nil, names: [String]? = nil, threads: Int = 1) throws(ModelError) {
    guard !penalties.isEmpty else { throw .shapeMismatch("the ridge path needs at least one penalty") }
    for l2 in penalties where !(l2 >= 0 && l2.isFinite) { throw .negativePenalty(l2) }
    try DesignValidation.check(x, y, weights: weights, l2: 0, names: names)
    let system = RidgeRegression.normalEquations(x, y, weights: weights, threads: max(1, threads))
    let p = system.rhs.count
    let eigen: (values: [Double], vectors: Matrix)
    do { eigen = try LAPACK.symmetricEigen(system.gram) } catch { throw .linalg(error) }
    let projected: [Double]
    do { projected = try BLAS.gemv(eigen.vectors, system.rhs, transpose: .transpose) } catch { throw .linalg(error) }
    var fits: [RidgeFit] = []
    for l2 in penalties {
      let smallest = eigen.values.min() ?? 0
      if smallest + l2 <= 0 {
        // Singular for this λ: the regular solver (with its SVD fallback) handles it.
        fits.append(try system.solve(l2: l2, x: x, y: y, weights: weights))
        continue
      }
      let scaled = (0..<p).map { projected[$0] / (eigen.values[$0] + l2) }
      let w: [Double]
      do { w = try BLAS.gemv(eigen.vectors, scaled) } catch { throw .linalg(error) }
      fits.append(RidgeFit(l2: l2, intercept: system.intercept(for: w), coefficients: w, solver: .eigen))
    }
    self.fits = fits
  }
}
