/// Errors of a venue feed, each a sentence a user can act on. `isFatal`: reconnecting cannot
/// help (credentials refused, a subscription the account lacks); the session stops with exit 1.
public enum FeedError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The venue answered with an error code (Alpaca's 400–500, Binance's `code`).
  case venue(venue: String, code: Int, message: String)
  /// The stream could not be opened at all (refused, no such host, not a websocket).
  case unreachable(url: String, reason: String)
  /// A message the client cannot read (the venue changed its format, or a wrong URL).
  case malformed(venue: String, reason: String)
  /// Credentials missing from the environment.
  case missingCredentials(venue: String, variables: [String])
  /// The REST backfill failed.
  case backfill(url: String, reason: String)
  /// A setting the venue does not offer (a bar interval it has no stream for).
  case unsupported(venue: String, reason: String)

  public var isFatal: Bool {
    switch self {
    case let .venue(venue, code, _):
      // Alpaca: 407 slow client and 500 internal error are worth a reconnect; the rest say the
      // request itself is refused. Binance's codes answer our own requests: fatal.
      return !(venue == "alpaca" && (code == 407 || code >= 500))
    case .missingCredentials, .malformed, .unsupported: return true
    case .unreachable, .backfill: return false
    }
  }

  public var description: String {
    switch self {
    case let .venue(venue, code, message):
      let hint: String
      switch (venue, code) {
      case ("alpaca", 401): hint = " (not authenticated: the subscription came before the authentication)"
      case ("alpaca", 402): hint = " (check APCA_API_KEY_ID and APCA_API_SECRET_KEY)"
      case ("alpaca", 404): hint = " (authentication not sent within 10 s)"
      case ("alpaca", 405): hint = " (too many symbols for this plan)"
      case ("alpaca", 406): hint = " (another connection of this account is open: one per account on most plans)"
      case ("alpaca", 409): hint = " (the account's plan does not include this feed: try --feed-url …/v2/iex)"
      case ("alpaca", 410): hint = " (this feed does not take that subscription)"
      default: hint = ""
      }
      return "\(venue): error \(code): \(message)\(hint)"
    case let .unreachable(url, reason): return "cannot open the stream \(url): \(reason)"
    case let .malformed(venue, reason): return "\(venue): unreadable message: \(reason)"
    case let .missingCredentials(venue, variables): return "\(venue) needs \(variables.joined(separator: " and ")) in the environment"
    case let .backfill(url, reason): return "backfill \(url): \(reason)"
    case let .unsupported(venue, reason): return "\(venue): \(reason)"
    }
  }
}
