import KairosBacktest

/// What a feed delivers (docs/DESIGN.md §10): completed bars labelled by their start, a
/// correction of a bar already delivered (same start), a gap it could not fill, a heartbeat,
/// and changes of its connection state (for the log and `kairos paper status`).
public enum FeedEvent: Sendable, Equatable {
  case bar(symbol: String, start: Int64, OHLCVBar)
  case correction(symbol: String, start: Int64, OHLCVBar)
  case gap(symbol: String, from: Int64, to: Int64)
  case heartbeat(at: Int64)
  case state(FeedState, detail: String)
}

/// The state of a feed's connection, as `status` shows it. Only `live` is healthy: a feed that
/// is connecting, reconnecting or stale is never shown as healthy.
public enum FeedState: String, Sendable, Equatable {
  /// Opening the connection, authenticating, subscribing, backfilling.
  case connecting
  /// Subscribed, bars arriving.
  case live
  /// The connection dropped (or the venue asked to reconnect): waiting out the backoff.
  case reconnecting
  /// No bar for the stale interval while the symbol's calendar is open: no new entries.
  case stale
  /// The feed has no more bars (a replay reached its end).
  case ended
}

/// A source of feed events: the replay of a file, or a venue's stream (`KairosFeeds`).
public protocol BarFeed: Sendable {
  /// The events, in the order the session must take them; the stream ends when the feed does
  /// and throws when it cannot go on (an authentication refused, say).
  func events() -> AsyncThrowingStream<FeedEvent, any Error>
}
