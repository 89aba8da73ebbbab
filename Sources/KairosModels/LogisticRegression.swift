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
/// Each iteration is one blocked pass over the design: it applies the last Newton step to
/// `z = Xw + b` block by block, and forms the objective, the gradient and the Hessian
/// `[X 1]ᵀ diag(s·p(1−p)) [X 1] + λI′` there (`ssyrk` on weighted row blocks: the Hessian only
/// steers the iteration, so single precision halves its cost without moving the optimum; the
/// fit switches to `dsyrk` when progress is poor or the Hessian fails to factor, and stops
/// recomputing it near the optimum, where it hardly changes). If the full step
/// failed the Armijo condition, the fit backs off along it (a line search over `z` only, never
/// rereading the design) and evaluates again; otherwise it solves the next step by Cholesky. It
/// stops when the largest gradient component of the mean objective `f / Σs` is at most
/// `tolerance`.
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
    // z = Xw + b of the accepted iterate, and of the trial iterate (beta + step) that the next
    // pass evaluates: the pass applies the step to z itself, block by block, so the design is
    // read once per iteration (no separate X·Δ pass).
    var accepted = [Double](repeating: 0, count: n), trial = accepted
    var step = [Double](repeating: 0, count: q)
    var pending: (objective: Double, slope: Double, negligible: Bool)? = nil
    var lastGradientNorm = Double.nan
    // Near the optimum the Hessian hardly changes between iterations: reusing the last one
    // (a "modified Newton" step) keeps the same fixed point and skips the pass's dsyrk, its
    // costliest part. It is recomputed whenever the gradient is not yet small or stops falling fast.
    var hessian = Matrix(rows: q, columns: q)
    var needHessian = true
    var engine = _BlockedNormalEquations(columns: q, extras: 1)
    engine.singlePrecisionGram = true
    let penalty = l2
    var iteration = 0
    while iteration < maxIterations {
      // The loss is needed for the Armijo test of the last step; once steps are negligible
      // (quadratic convergence) it is skipped and computed once at the end.
      let needLoss = pending.map { !$0.negligible } ?? true
      let sums = withSingleThreadedBLAS(if: threads > 1) {
        x.withUnsafeBufferPointer { xs in
          accepted.withUnsafeBufferPointer { zOld in
            trial.withUnsafeMutableBufferPointer { zNew in
              nonisolated(unsafe) let xp = xs.baseAddress!, old = zOld.baseAddress!, new = zNew.baseAddress!
              nonisolated(unsafe) let yp = y.withUnsafeBufferPointer { $0.baseAddress! }
              nonisolated(unsafe) let sp = sampleWeights.withUnsafeBufferPointer { $0.baseAddress! }
              let direction = step
              return engine.accumulate(rows: n, threads: threads, gram: needHessian) { range, block, r, scale, extras in
                let rows = range.count, r0 = range.lowerBound
                for j in 0..<p { (block + j * rows).update(from: xp + j * n + r0, count: rows) }
                for k in 0..<rows { block[k + p * rows] = 1 }
                // z_trial = z_accepted + [X 1]·step for these rows (r is scratch here).
                direction.withUnsafeBufferPointer { d in
                  BLAS.Unsafe.gemv(transpose: .none, m: rows, n: q, alpha: 1, a: block, lda: rows, x: d.baseAddress!, beta: 0, y: r)
                }
                var loss = 0.0
                for k in 0..<rows {
                  let i = r0 + k, s = sp[i], label = yp[i]
                  let zi = old[i] + r[k]
                  new[i] = zi
                  // One exponential serves the loss and the probability.
                  let e = exp(-Swift.abs(zi))
                  let prob = zi >= 0 ? 1 / (1 + e) : e / (1 + e)
                  if needLoss { loss += s * (Swift.max(zi, 0) + log1p(e) - label * zi) }
                  r[k] = s * (prob - label)
                  scale[k] = (s * prob * (1 - prob)).squareRoot()
                }
                extras[0] += loss
                return true
              }
            }
          }
        }
      }
      var normSquared = 0.0
      for j in 0..<p { let w = beta[j] + step[j]; normSquared += w * w }
      let objective = sums.extras[0] + penalty / 2 * normSquared
      if let last = pending, !last.negligible, objective > last.objective + 1e-4 * last.slope {
        // The full Newton step did not decrease f enough: back off along it from the accepted
        // iterate (u = z_trial − z_accepted), then evaluate again there.
        let u = (0..<n).map { trial[$0] - accepted[$0] }
        var t = 0.5
        while t >= 1e-10 {
          let f = Self.objective(z: accepted, u: u, t: t, y: y, weights: sampleWeights, beta: beta, step: step, l2: penalty, features: p)
          if f <= last.objective + 1e-4 * t * last.slope { break }
          t /= 2
        }
        for k in 0..<q { step[k] *= t }
        pending = nil
        iteration += 1
        continue
      }
      // Accept the trial iterate.
      for k in 0..<q { beta[k] += step[k] }
      swap(&accepted, &trial)
      if penalty == 0 && Self.separates(accepted, y, sampleWeights) { throw .separable }
      var gradient = sums.rhs
      for j in 0..<p { gradient[j] += penalty * beta[j] }
      if needHessian {
        hessian = Matrix(rows: q, columns: q, columnMajor: sums.gram)
        for j in 0..<p { hessian[j, j] += penalty }
      }
      let gradientNorm = gradient.map(Swift.abs).max()! / totalWeight
      // Keep the Hessian only once the gradient is small and still falls by 100× per step. A
      // single-precision Hessian that makes poor progress (ill-conditioned designs) is replaced
      // by a double-precision one from then on.
      if engine.singlePrecisionGram && !lastGradientNorm.isNaN && gradientNorm > lastGradientNorm / 2 {
        engine.singlePrecisionGram = false
      }
      needHessian = !(gradientNorm < 1e-5 && (lastGradientNorm.isNaN || gradientNorm < lastGradientNorm / 100))
      lastGradientNorm = gradientNorm
      if gradientNorm <= tolerance {
        let final = needLoss ? objective
          : Self.objective(z: accepted, u: accepted, t: 0, y: y, weights: sampleWeights, beta: beta, step: step, l2: penalty, features: p)
        return LogisticFit(l2: l2, intercept: beta[p], coefficients: Array(beta[0..<p]), iterations: iteration, objective: final, gradientNorm: gradientNorm)
      }
      do {
        step = try LAPACK.solvePositiveDefinite(hessian, Matrix(rows: q, columns: 1, columnMajor: gradient.map { -$0 })).columnMajorValues
      } catch {
        if penalty == 0 && Self.separates(accepted, y, sampleWeights) { throw .separable }
        guard engine.singlePrecisionGram || !needHessian else { throw .linalg(error) }
        // A rounded or stale Hessian failed to factor: evaluate again here in double precision.
        engine.singlePrecisionGram = false
        needHessian = true
        step = [Double](repeating: 0, count: q)
        pending = nil
        iteration += 1
        continue
      }
      let slope = zip(gradient, step).reduce(0.0) { $0 + $1.0 * $1.1 }
      // Near the optimum the predicted decrease falls below the rounding noise of f itself;
      // Armijo would then reject every step, so the full Newton step is taken (it converges
      // quadratically there).
      pending = (objective, slope, -slope <= 1e-13 * Swift.max(1, Swift.abs(objective)))
      iteration += 1
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
