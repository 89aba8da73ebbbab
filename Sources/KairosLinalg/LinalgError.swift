/// Errors of the BLAS/LAPACK wrappers: LAPACK `info` codes and shape checks, as typed cases.
public enum LinalgError: Error, Equatable, Sendable, CustomStringConvertible {
  /// Cholesky failed: the leading minor of this order (1-based) is not positive definite.
  case notPositiveDefinite(leadingMinor: Int)
  /// The matrix is exactly singular (a zero pivot or diagonal of the triangular factor), so
  /// the system has no unique solution.
  case singular
  /// Operand shapes do not fit the operation.
  case shapeMismatch(expected: String, found: String)
  /// LAPACK rejected argument number `position` (a bug in the wrapper, reported rather than hidden).
  case illegalArgument(routine: String, position: Int)
  /// An iterative LAPACK routine (SVD, eigen) did not converge; `info` is LAPACK's count.
  case noConvergence(routine: String, info: Int)
  /// The input has a `NaN` or an infinity, which LAPACK would silently propagate.
  case nonFiniteInput(routine: String)

  public var description: String {
    switch self {
    case let .notPositiveDefinite(minor):
      return "matrix is not positive definite (leading minor of order \(minor) is not positive)"
    case .singular:
      return "matrix is singular (no unique solution); try a minimum-norm least-squares solve or a penalty"
    case let .shapeMismatch(expected, found):
      return "shape mismatch: expected \(expected), was \(found)"
    case let .illegalArgument(routine, position):
      return "\(routine): illegal value in argument \(position)"
    case let .noConvergence(routine, info):
      return "\(routine) did not converge (info \(info))"
    case let .nonFiniteInput(routine):
      return "\(routine): input contains NaN or infinity"
    }
  }
}
