import AsyncHTTPClient
import Foundation
import HummingbirdWSClient
import KairosBacktest
import KairosCore
import KairosLive
import Logging
import Synchronization

/// A venue's bar stream as a `BarFeed` (docs/DESIGN.md §10), the same for every venue:
///
/// - **connect**: open the websocket, say the venue's greeting, answer its handshake
///   (authentication, subscription); then **catch up**: the REST bars from the last bar taken
///   (or `from`) to now, before any bar of the stream;
/// - **de-duplicate** by (symbol, bar start): a bar at or before the last one delivered for its
///   symbol is dropped, so a bar from the stream that a backfill already gave, a repeated bar
///   or a late one never reaches the session twice;
/// - **gaps**: a bar more than one interval after the last one → the REST bars in between are
///   delivered first (none when the venue had no trade: a missing minute is not an outage);
/// - **reconnect** when the connection drops or the venue asks (Alpaca 407, Binance's
///   shutdown and 24-hour limit), after a backoff that doubles up to `maxBackoff` with ±50 %
///   jitter; the catch-up then fills what was missed. The first connection must succeed within
///   `connectAttempts` tries: a URL that refuses is an error, not a wait;
/// - **stale**: no bar for `staleAfter` seconds of open market (`StaleWatch`) → `.state(.stale)`.
public struct VenueFeed: BarFeed {
  public struct Settings: Sendable {
    /// The bar interval (ns).
    public var interval: Int64
    /// The last bar start the session holds, per symbol (resume after it).
    public var resumeAfter: [String: Int64]
    /// A fresh session's first bar start: the catch-up starts here (nil: at the stream's first bar).
    public var from: Int64?
    public var staleAfter: Double
    public var calendar: TradingCalendar
    public var connectAttempts = 3
    public var maxBackoff = 30.0

    public init(interval: Int64, resumeAfter: [String: Int64] = [:], from: Int64? = nil, staleAfter: Double, calendar: TradingCalendar) {
      self.interval = interval; self.resumeAfter = resumeAfter; self.from = from; self.staleAfter = staleAfter; self.calendar = calendar
    }
  }

  public let venue: any BarVenue
  public let settings: Settings
  public let symbols: [String]

  public init(venue: any BarVenue, symbols: [String], settings: Settings) {
    self.venue = venue; self.symbols = symbols; self.settings = settings
  }

  public func events() -> AsyncThrowingStream<FeedEvent, any Error> {
    AsyncThrowingStream { continuation in
      let task = Task { await run(continuation) }
      continuation.onTermination = { _ in task.cancel() }
    }
  }

  typealias Output = AsyncThrowingStream<FeedEvent, any Error>.Continuation

  /// What the connection handler and the stale watch share.
  final class Shared: Sendable {
    struct State {
      var last: [String: Int64]
      var watch: StaleWatch
      var caughtUp = false
    }
    let state: Mutex<State>
    init(_ s: State) { state = Mutex(s) }
  }

  struct Reconnect: Error, CustomStringConvertible { let description: String }

  static func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1e9) }

  func run(_ out: Output) async {
    var last: [String: Int64] = [:]
    for s in symbols { last[Self.key(s)] = settings.resumeAfter[s] }
    let shared = Shared(.init(last: last, watch: StaleWatch(interval: settings.staleAfter, calendar: settings.calendar, now: Self.now())))
    let watcher = Task {
      let tick = UInt64(Swift.min(0.25, settings.staleAfter / 4) * 1e9)
      while !Task.isCancelled {
        try? await Task.sleep(nanoseconds: tick)
        if shared.state.withLock({ $0.watch.check(now: Self.now()) }) {
          out.yield(.state(.stale, detail: "no bar for \(DurationText.seconds(settings.staleAfter)) of open market"))
        }
      }
    }
    defer { watcher.cancel() }
    var logger = Logger(label: "kairos.feed")
    logger.logLevel = .critical
    var failures = 0, attempt = 0
    while !Task.isCancelled {
      out.yield(.state(.connecting, detail: venue.streamURL))
      let reason: String
      do {
        // A short close timeout: a connection we give up on is not worth waiting for.
        try await WebSocketClient.connect(url: venue.streamURL, configuration: .init(maxFrameSize: 1 << 22, closeTimeout: .seconds(2)), logger: logger) { inbound, outbound, _ in
          var subscribed = false
          for text in venue.greeting { try await outbound.write(.text(text)) }
          if venue.subscribedOnConnect { subscribed = true; try await catchUp(out, shared) }
          for try await message in inbound.messages(maxSize: 1 << 24) {
            guard case let .text(text) = message else { continue }
            for m in try venue.decode(text) {
              switch m {
              case let .send(text): try await outbound.write(.text(text))
              case .subscribed where !subscribed: subscribed = true; try await catchUp(out, shared)
              case .subscribed, .ignored: break
              case let .bar(symbol, start, bar): try await deliver(symbol, start, bar, out, shared)
              case let .correction(symbol, start, bar): out.yield(.correction(symbol: name(symbol), start: start, bar))
              case let .error(error): throw error
              case let .reconnect(why): throw Reconnect(description: why)
              }
            }
          }
        }
        reason = "the server closed the connection"
      } catch let error as FeedError where error.isFatal {
        out.finish(throwing: error); return
      } catch {
        reason = "\(error)"
      }
      if Task.isCancelled { break }
      // Reached live once: reconnect for as long as it takes. Never: give up after a few tries.
      if shared.state.withLock({ $0.caughtUp }) { failures = 0 } else {
        failures += 1
        if failures >= settings.connectAttempts {
          out.finish(throwing: FeedError.unreachable(url: venue.streamURL, reason: reason)); return
        }
      }
      shared.state.withLock { $0.caughtUp = false }
      attempt = failures > 0 ? failures : attempt + 1
      let delay = Swift.min(settings.maxBackoff, 0.1 * pow(2, Double(Swift.min(attempt, 20)))) * Double.random(in: 0.5...1.5)
      out.yield(.state(.reconnecting, detail: "\(reason); again in \(DurationText.seconds(delay))"))
      try? await Task.sleep(nanoseconds: UInt64(delay * 1e9))
    }
    out.finish()
  }

  /// Symbols are matched without case (Binance sends `BTCUSDT` for the stream `btcusdt@…`).
  static func key(_ symbol: String) -> String { symbol.uppercased() }

  /// The session's spelling of a venue's symbol.
  func name(_ symbol: String) -> String { symbols.first { Self.key($0) == Self.key(symbol) } ?? symbol }

  /// The REST bars from the last one taken (or `from`) to now, for every symbol; then live.
  func catchUp(_ out: Output, _ shared: Shared) async throws {
    let now = Self.now()
    for symbol in symbols {
      let last = shared.state.withLock { $0.last[Self.key(symbol)] }
      guard let from = last.map({ $0 + 1 }) ?? settings.from else { continue }
      try await backfill(symbol, from: from, to: now, out, shared)
    }
    if !shared.state.withLock({ $0.caughtUp = true; return $0.watch.isStale }) { out.yield(.state(.live, detail: "subscribed and caught up")) }
  }

  /// Delivers a stream bar: dropped when already delivered; the gap before it filled first.
  func deliver(_ symbol: String, _ start: Int64, _ bar: OHLCVBar, _ out: Output, _ shared: Shared) async throws {
    let key = Self.key(symbol)
    guard symbols.contains(where: { Self.key($0) == key }) else { return }
    let last = shared.state.withLock { $0.last[key] }
    if let last, start <= last { return }
    if let last, start - last > settings.interval {
      // Nothing from REST either: the venue has no bar there (no trade), said as a gap.
      if try await backfill(name(symbol), from: last + 1, to: start - 1, out, shared) == 0 {
        out.yield(.gap(symbol: name(symbol), from: last + settings.interval, to: start))
      }
    } else if last == nil, let from = settings.from, start > from {
      try await backfill(name(symbol), from: from, to: start - 1, out, shared)
    }
    emit(name(symbol), start, bar, out, shared)
  }

  @discardableResult
  func emit(_ symbol: String, _ start: Int64, _ bar: OHLCVBar, _ out: Output, _ shared: Shared) -> Bool {
    let (fresh, wasStale) = shared.state.withLock { s -> (Bool, Bool) in
      let key = Self.key(symbol)
      if let last = s.last[key], start <= last { return (false, false) }
      s.last[key] = start
      return (true, s.watch.barArrived(now: Self.now()))
    }
    guard fresh else { return false }
    out.yield(.bar(symbol: symbol, start: start, bar))
    if wasStale { out.yield(.state(.live, detail: "bars arrive again")) }
    return true
  }

  /// The REST bars of `symbol` starting in `[from, to]`, page by page, delivered in order;
  /// returns how many were new.
  @discardableResult
  func backfill(_ symbol: String, from: Int64, to: Int64, _ out: Output, _ shared: Shared) async throws -> Int {
    guard to >= from else { return 0 }
    var delivered = 0
    var token: String? = nil
    repeat {
      let (url, headers) = venue.backfillRequest(symbol: symbol, from: from, to: to, token: token)
      var request = HTTPClientRequest(url: url)
      for (name, value) in headers { request.headers.add(name: name, value: value) }
      let body: [UInt8]
      do {
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(20))
        let buffer = try await response.body.collect(upTo: 64 << 20)
        body = Array(buffer.readableBytesView)
        guard response.status.code == 200 else {
          throw FeedError.backfill(url: url, reason: "HTTP \(response.status.code): \(String(decoding: body.prefix(200), as: UTF8.self))")
        }
      } catch let error as FeedError { throw error } catch { throw FeedError.backfill(url: url, reason: "\(error)") }
      let page = try venue.decodeBackfill(body, symbol: symbol, from: from, to: to)
      for (start, bar) in page.bars.sorted(by: { $0.start < $1.start }) where emit(symbol, start, bar, out, shared) { delivered += 1 }
      token = page.next
    } while token != nil
    return delivered
  }
}

/// Seconds for people: `0.5 s`, `12 s`, `3 min`.
enum DurationText {
  static func seconds(_ s: Double) -> String {
    s < 10 ? String(format: "%.1f s", s) : s < 120 ? String(format: "%.0f s", s) : String(format: "%.0f min", s / 60)
  }
}
