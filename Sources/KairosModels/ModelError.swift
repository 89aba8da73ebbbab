import KairosCore
import KairosLinalg

/// Errors of model fitting, prediction and model files, with messages a user can act on.
public enum ModelError: Error, Equatable, Sendable, CustomStringConvertible {
  case notEnoughRows(rows: Int, features: Int)
  case negativePenalty(Double)
  case nonBinaryLabels(row: Int, value: Double)
  case nonFinite(row: Int, column: String)
  /// A feature table row with a missing value (the CLI's --drop-nan leaves such rows out).
  case missingValue(row: Int, timestamp: String, column: String)
  case shapeMismatch(String)
  /// A training table whose only column is the label.
  case noFeatures(label: String)
  /// The label column listed among the features.
  case labelAsFeature(label: String)
  /// Unpenalized logistic regression on classes a hyperplane separates: no finite optimum.
  case separable
  /// Every (weighted) label is the same: there is nothing to separate.
  case singleClass(label: Double)
  case didNotConverge(iterations: Int, gradientNorm: Double)
  case linalg(LinalgError)
  case featureMismatch(expected: [String], found: [String])
  case unreadableModel(file: String, reason: String)

  public var description: String {
    switch self {
    case let .notEnoughRows(rows, features):
      return "\(rows) rows for \(features) features: a fit needs more rows than features"
    case let .negativePenalty(l2): return "the L2 penalty must be >= 0, was \(l2)"
    case let .nonBinaryLabels(row, value):
      return "logistic regression needs labels 0 or 1; row \(row + 1) has \(value)"
    case let .nonFinite(row, column):
      return "row \(row + 1) has NaN or infinity in '\(column)'; drop such rows (--drop-nan) or fill them"
    case let .missingValue(row, timestamp, column):
      return "data row \(row + 1) (\(timestamp)) has NaN or infinity in '\(column)'; use --drop-nan to leave such rows out, or fill them"
    case let .labelAsFeature(label): return "the label '\(label)' is also listed as a feature (--features): a model would learn the answer, not a signal"
    case let .noFeatures(label): return "no feature columns: the table has only '\(label)'"
    case let .shapeMismatch(what): return "shape mismatch: \(what)"
    case .separable:
      return "the classes are perfectly separable, so unpenalized logistic regression has no finite solution; use an L2 penalty > 0"
    case let .singleClass(label):
      return "every label is \(label == 0 ? 0 : 1): logistic regression needs both classes"
    case let .didNotConverge(iterations, gradientNorm):
      return "did not converge in \(iterations) iterations (gradient norm \(gradientNorm)); raise the penalty or the iteration limit"
    case let .linalg(error): return "linear algebra: \(error)"
    case let .featureMismatch(expected, found):
      return "the model expects features \(expected.joined(separator: ",")); the data has \(found.joined(separator: ","))"
    case let .unreadableModel(file, reason): return "\(file): cannot read the model: \(reason)"
    }
  }
}
