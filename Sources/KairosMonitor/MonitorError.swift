/// What stops the dashboard or the alert channels from starting, said so a user can act on it.
public enum MonitorError: Error, CustomStringConvertible, Equatable {
  case badURL(String, expected: String)
  case badAddress(String, expected: String)
  /// A non-loopback address without `--dashboard-allow-remote`.
  case remoteNotAllowed(String)
  case token(path: String, reason: String)
  case cannotListen(String, reason: String)

  public var description: String {
    switch self {
    case let .badURL(url, expected): "'\(url)' is not a webhook URL: expected \(expected)"
    case let .badAddress(text, expected): "'\(text)' is not a listening address: expected \(expected)"
    case let .remoteNotAllowed(host):
      "the dashboard listens on loopback only; \(host) is not a loopback address: pass --dashboard-allow-remote to listen there (anyone who can reach it and holds the token sees the session)"
    case let .token(path, reason): "\(path): \(reason)"
    case let .cannotListen(address, reason): "cannot listen on \(address): \(reason)"
    }
  }
}
