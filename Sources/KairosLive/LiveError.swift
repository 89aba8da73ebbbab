/// Errors of a live session, each a sentence a user can act on.
public enum LiveError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The state folder cannot be used (another schema, another session's settings).
  case state(folder: String, reason: String)
  /// The book rebuilt from the stored bars does not give the stored orders: the session stops
  /// instead of trading on a state it cannot explain.
  case brokenBook(folder: String, reason: String)

  public var description: String {
    switch self {
    case let .state(folder, reason): return "\(folder): the state folder cannot be used: \(reason)"
    case let .brokenBook(folder, reason): return "\(folder): the stored state does not replay to itself (\(reason)); not trading"
    }
  }
}
