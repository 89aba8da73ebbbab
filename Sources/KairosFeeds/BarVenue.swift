import KairosBacktest

/// One venue's bar protocol (docs/DESIGN.md §10): where its stream is, what to send, how to
/// read what it sends, and its REST bars for a backfill. `VenueFeed` does the rest
/// (connection, reconnect, de-duplication, gaps, staleness) the same way for every venue.
public protocol BarVenue: Sendable {
  /// `alpaca`, `binance`: in messages and the log.
  var name: String { get }
  /// The websocket URL for the symbols.
  var streamURL: String { get }
  /// Messages to send as soon as the connection is open (none when the URL subscribes).
  var greeting: [String] { get }
  /// Whether the stream is subscribed once connected (before any reply).
  var subscribedOnConnect: Bool { get }
  /// Reads one text frame.
  func decode(_ text: String) throws(FeedError) -> [VenueMessage]
  /// The REST request for the completed bars of `symbol` starting in `[from, to]` (ns), page
  /// `token` (nil: the first); `decodeBackfill` reads its answer.
  func backfillRequest(symbol: String, from: Int64, to: Int64, token: String?) -> (url: String, headers: [(String, String)])
  func decodeBackfill(_ body: [UInt8], symbol: String, from: Int64, to: Int64) throws(FeedError) -> (bars: [(start: Int64, bar: OHLCVBar)], next: String?)
}

/// What a venue's frame says.
public enum VenueMessage: Sendable, Equatable {
  /// Send this text (the authentication after `connected`, the subscription after it).
  case send(String)
  /// Subscribed: bars follow.
  case subscribed
  case bar(symbol: String, start: Int64, OHLCVBar)
  case correction(symbol: String, start: Int64, OHLCVBar)
  case error(FeedError)
  /// The venue says it will close the connection (Binance's `serverShutdown`): reconnect now.
  case reconnect(String)
  /// Anything else (a non-final kline, a reply to a list request).
  case ignored
}
