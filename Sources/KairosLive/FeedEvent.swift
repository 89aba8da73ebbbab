import KairosBacktest

/// What a feed delivers (docs/DESIGN.md §10): completed bars labelled by their start, a
/// correction of a bar already delivered (same start), a gap it could not fill, a heartbeat.
public enum FeedEvent: Sendable, Equatable {
  case bar(symbol: String, start: Int64, OHLCVBar)
  case correction(symbol: String, start: Int64, OHLCVBar)
  case gap(symbol: String, from: Int64, to: Int64)
  case heartbeat(at: Int64)
}
