/// Errors of feature specs and feature computation.
public enum FeatureError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The spec file could not be read or is not valid YAML.
  case unreadableSpec(file: String, reason: String)
  /// A feature kind the library does not know.
  case unknownFeature(kind: String, index: Int, known: [String])
  /// A parameter outside its domain (`window: 0`, `span: -1`, …).
  case invalidParameter(feature: String, name: String, reason: String)
  /// A column the feature needs is missing from the data.
  case missingColumn(name: String, feature: String, available: [String])
  /// Two features produce the same column name.
  case duplicateName(String)
  /// The spec or a target is malformed.
  case invalidSpec(String)

  public var description: String {
    switch self {
    case let .unreadableSpec(file, reason): return "\(file): cannot read the feature spec: \(reason)"
    case let .unknownFeature(kind, index, known):
      return "feature \(index + 1): unknown kind '\(kind)'; expected one of \(known.joined(separator: ", "))"
    case let .invalidParameter(feature, name, reason): return "feature '\(feature)': \(name) \(reason)"
    case let .missingColumn(name, feature, available):
      return "feature '\(feature)' needs column '\(name)'; the data has \(available.joined(separator: ", "))"
    case let .duplicateName(name): return "two features are named '\(name)'; give one a different 'name:'"
    case let .invalidSpec(reason): return "invalid feature spec: \(reason)"
    }
  }
}
