#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import KairosCore
import KairosLinalg

/// Binary logistic regression with an L2 penalty, fitted by Newton's method (IRLS).
///
/// Minimizes the penalized log-loss, intercept `b` unpenalized:
/// ```
/// f(w, b) = Σ sᵢ [log(1 + e^{zᵢ}) − yᵢ zᵢ] + λ/2 ‖w‖²,   zᵢ = b + xᵢᵀw,  yᵢ ∈ {0, 1}
/// ```
/// This is scikit-learn's `LogisticRegression(C=1/λ, penalty="l2")` objective
/// (`C·Σ loss + ½‖w‖²`, divided by `C`), so with `λ = 1/C` the optimum is the same; compare with
/// `solver="newton-cholesky"` at a tight `tol`.
///
/// Each iteration forms the gradient and the Hessian `[X 1]ᵀ diag(s·p(1−p)) [X 1] + λI′` in one
/// blocked pass (`dsyrk` on weighted row blocks), solves the Newton step by Cholesky, and backs
/// off along it until the Armijo condition holds (the step's effect on `z` is computed once, so
/// the line search never rereads the design). It stops when the largest gradient component of
/// the mean objective `f / Σs` is at most `tolerance`.
///
/// With λ = 0, classes that a hyperplane separates have no finite optimum: the fit stops with
/// `ModelError.separable` as soon as the iterate separates them, rather than diverging.
public struct LogisticRegression: Sendable {
  public var l2: Double
  /// Convergence: `max |∇f| / Σs ≤ tolerance`.
  public var tolerance: Double
  public var maxIterations: Int
  /// Threads for the accumulation pass (BLAS runs single-threaded inside it).
  public var threads: Int

  public init(l2: Double, tolerance: Double = 1e-10, maxIterations: Int = 100, threads: Int = 1) {
    self.l2 = l2
    self.tolerance = tolerance
    self.maxIterations = maxIterations
    self.threads = max(1, threads)
  }

  public func fit(_ x: Matrix, _ y: [Double], weights: [Double]? = nil, names: [String]? = nil) throws(ModelError) -> LogisticFit {
    try DesignValidation.check(x, y, weights: weights, l2: l2, names: names)
    if let i = y.firstIndex(where: { $0 != 0 && $0 != 1 }) { throw .nonBinaryLabels(row: i, value: y[i]) }
    let n = x.rows, p = x.columns, q = p + 1
    let sampleWeights = weights ?? [Double](repeating: 1, count: n)
    let positives = zip(y, sampleWeights).reduce(0.0) { $0 + ($1.1 > 0 ? $1.0 : 0) }
    let counted = sampleWeights.reduce(0.0) { $0 + ($1 > 0 ? 1 : 0) }
    if positives == 0 || positives == counted { throw .singleClass(label: positives == 0 ? 0 : 1) }
    let totalWeight = sampleWeights.reduce(0, +)
    var beta = [Double](repeating: 0, count: q)  // w…, b
    var z = [Double](repeating: 0, count: n)
    var lastGradientNorm = Double.nan
    let engine = _BlockedNormalEquations(columns: q, extras: 1)
    let penalty = l2
    for iteration in 0..<maxIterations {
      let sums = withSingleThreadedBLAS(if: threads > 1) {
        x.withUnsafeBufferPointer { xs in
          nonisolated(unsafe) let xp = xs.baseAddress!
          let zs = z
          return engine.accumulate(rows: n, threads: threads) { range, block, r, scale, extras in
            let rows = range.count, r0 = range.lowerBound
            var loss = 0.0
            for k in 0..<rows {
              let i = r0 + k, zi = zs[i], s = sampleWeights[i]
              let prob = Self.sigmoid(zi)
              r[k] = s * (prob - y[i])
              scale[k] = (s * prob * (1 - prob)).squareRoot()
              loss += s * (Self.softplus(zi) - y[i] * zi)
              block[k + p * rows] = 1
            }
            for j in 0..<p { (block + j * rows).update(from: xp + j * n + r0, count: rows) }
            extras[0] += loss
            return true
          }
        }
      }
      var gradient = sums.rhs
      var hessian = Matrix(rows: q, columns: q, columnMajor: sums.gram)
      var normSquared = 0.0
      for j in 0..<p {
        gradient[j] += penalty * beta[j]
        hessian[j, j] += penalty
        normSquared += beta[j] * beta[j]
      }
      let objective = sums.extras[0] + penalty / 2 * normSquared
      let gradientNorm = gradient.map(Swift.abs).max()! / totalWeight
      lastGradientNorm = gradientNorm
      if gradientNorm <= tolerance {
        return LogisticFit(l2: l2, intercept: beta[p], coefficients: Array(beta[0..<p]), iterations: iteration, objective: objective, gradientNorm: gradientNorm)
      }
      let step: [Double]
      do {
        step = try LAPACK.solvePositiveDefinite(hessian, Matrix(rows: q, columns: 1, columnMajor: gradient.map { -$0 })).columnMajorValues
      } catch {
        if penalty == 0 && Self.separates(z, y, sampleWeights) { throw .separable }
        throw .linalg(error)
      }
      // The step's effect on z: u = X·Δw + Δb (one pass over the design).
      var u: [Double]
      do { u = try BLAS.gemv(x, Array(step[0..<p])) } catch { throw .linalg(error) }
      for i in 0..<n { u[i] += step[p] }
      let slope = zip(gradient, step).reduce(0.0) { $0 + $1.0 * $1.1 }
      var t = 1.0
      // Near the optimum the predicted decrease falls below the rounding noise of f itself;
      // Armijo would then reject every step, so take the full Newton step (it converges
      // quadratically there).
      let negligible = -slope <= 1e-13 * Swift.max(1, Swift.abs(objective))
      while !negligible {
        let trial = Self.objective(z: z, u: u, t: t, y: y, weights: sampleWeights, beta: beta, step: step, l2: penalty, features: p)
        if trial <= objective + 1e-4 * t * slope || t < 1e-10 { break }
        t /= 2
      }
      for k in 0..<q { beta[k] += t * step[k] }
      for i in 0..<n { z[i] += t * u[i] }
      if penalty == 0 && Self.separates(z, y, sampleWeights) { throw .separable }
    }
    throw .didNotConverge(iterations: maxIterations, gradientNorm: lastGradientNorm)
  }

  /// `true` when every (weighted) row lies strictly on its class's side of `z = 0`.
  static func separates(_ z: [Double], _ y: [Double], _ weights: [Double]) -> Bool {
    for i in 0..<z.count where weights[i] > 0 {
      if y[i] == 1 ? z[i] <= 0 : z[i] >= 0 { return false }
    }
    return true
  }

  static func objective(z: [Double], u: [Double], t: Double, y: [Double], weights: [Double], beta: [Double], step: [Double], l2: Double, features p: Int) -> Double {
    var loss = 0.0
    for i in 0..<z.count {
      let zi = z[i] + t * u[i]
      loss += weights[i] * (softplus(zi) - y[i] * zi)
    }
    var norm = 0.0
    for j in 0..<p { let w = beta[j] + t * step[j]; norm += w * w }
    return loss + l2 / 2 * norm
  }

  /// `log(1 + eᶻ)` without overflow.
  @inline(__always) static func softplus(_ z: Double) -> Double {
    Swift.max(z, 0) + log1p(exp(-Swift.abs(z)))
  }

  /// `1 / (1 + e⁻ᶻ)` without overflow.
  @inline(__always) static func sigmoid(_ z: Double) -> Double {
    if z >= 0 { return 1 / (1 + exp(-z)) }
    let e = exp(z)
    return e / (1 + e)
  }
}

/// A fitted logistic model.
public struct LogisticFit: Sendable {
  public let l2: Double
  public let intercept: Double
  public let coefficients: [Double]
  /// Newton iterations taken.
  public let iterations: Int
  /// `Σ sᵢ·log-loss + λ/2‖w‖²` at the solution.
  public let objective: Double
  /// `max |∇f| / Σs` at the solution.
  public let gradientNorm: Double
}
