import Foundation
import KairosBacktest
import KairosCore
import KairosIO

/// Alpaca market data v2 (docs/DESIGN.md §10): `wss://stream.data.alpaca.markets/v2/iex`.
///
/// The server sends JSON arrays. `[{"T":"success","msg":"connected"}]` → we send
/// `{"action":"auth","key":…,"secret":…}` → `authenticated` → we subscribe `bars` and
/// `updatedBars` → `subscription` → bars `{"T":"b","S":"AAPL","o":…,"h":…,"l":…,"c":…,"v":…,
/// "t":"2024-07-24T07:56:00Z"}` labelled by their start; `"T":"u"` is a correction of a bar
/// already sent (same `t`). No bar is sent for a minute without a trade. Errors
/// `{"T":"error","code":402,"msg":"auth failed"}`. Backfill: `GET {rest}/v2/stocks/{symbol}/bars`.
public struct AlpacaVenue: BarVenue {
  public let name = "alpaca"
  public let streamURL: String
  public let restURL: String
  public let symbols: [String]
  let key: String, secret: String
  /// The REST timeframe of the bar interval (`1Min`, `1Hour`, `1Day`, …).
  let timeframe: String
  /// The REST `feed` parameter: the stream's last path component (`iex`, `sip`, `test`).
  let feedName: String

  public static let defaultStreamURL = "wss://stream.data.alpaca.markets/v2/iex"
  public static let defaultRestURL = "https://data.alpaca.markets"

  /// - Throws: `FeedError.missingCredentials` when the key variables are not set.
  public init(symbols: [String], interval: Int64, streamURL: String? = nil, restURL: String? = nil,
              environment: [String: String] = ProcessInfo.processInfo.environment) throws(FeedError) {
    guard let key = environment["APCA_API_KEY_ID"], !key.isEmpty, let secret = environment["APCA_API_SECRET_KEY"], !secret.isEmpty else {
      throw .missingCredentials(venue: "alpaca", variables: ["APCA_API_KEY_ID", "APCA_API_SECRET_KEY"])
    }
    // Alpaca streams one-minute bars (`bars`); its daily bars (`dailyBars`) are partial and
    // change during the day, so they are not completed bars. Other intervals need a server
    // that streams bars of that interval (the local exchange of the tests does).
    if streamURL == nil && interval != UTCCalendar.nanosecondsPerMinute {
      throw .unsupported(venue: "alpaca", reason: "its stream carries one-minute bars: use --interval 1m (or --feed-url for a server that streams bars of another interval)")
    }
    self.key = key; self.secret = secret
    self.symbols = symbols
    self.streamURL = streamURL ?? Self.defaultStreamURL
    self.restURL = (restURL ?? Self.defaultRestURL).trimmingSuffix("/")
    feedName = self.streamURL.split(separator: "/").last.map(String.init) ?? "iex"
    let minute = UTCCalendar.nanosecondsPerMinute, hour = UTCCalendar.nanosecondsPerHour, day = UTCCalendar.nanosecondsPerDay
    switch interval {
    case let i where i % day == 0 && i / day == 7: timeframe = "1Week"
    case let i where i % day == 0: timeframe = "\(i / day)Day"
    case let i where i % hour == 0: timeframe = "\(i / hour)Hour"
    default: timeframe = "\(Swift.max(1, interval / minute))Min"
    }
  }

  public var greeting: [String] { [] }
  public var subscribedOnConnect: Bool { false }

  struct Message: Decodable {
    let T: String
    let msg: String?, code: Int?
    let S: String?, t: String?
    let o: Double?, h: Double?, l: Double?, c: Double?, v: Double?
  }

  public func decode(_ text: String) throws(FeedError) -> [VenueMessage] {
    let messages: [Message]
    do { messages = try JSONDecoder().decode([Message].self, from: Data(text.utf8)) } catch {
      throw .malformed(venue: name, reason: "expected a JSON array of messages: \(String(text.prefix(120)))")
    }
    return try messages.map { m throws(FeedError) -> VenueMessage in
      switch m.T {
      case "success" where m.msg == "connected": return .send(auth)
      case "success" where m.msg == "authenticated": return .send(subscription)
      case "success": return .ignored
      case "subscription": return .subscribed
      case "error": return .error(.venue(venue: name, code: m.code ?? 0, message: m.msg ?? "?"))
      case "b", "u":
        guard let s = m.S, let t = m.t, let start = UTCCalendar.parseTimestamp(t) else {
          throw .malformed(venue: name, reason: "a bar without S or an RFC 3339 t: \(String(text.prefix(120)))")
        }
        let bar = OHLCVBar(open: m.o ?? .nan, high: m.h ?? .nan, low: m.l ?? .nan, close: m.c ?? .nan, volume: m.v ?? .nan)
        return m.T == "b" ? .bar(symbol: s, start: start, bar) : .correction(symbol: s, start: start, bar)
      default: return .ignored  // trades, quotes, daily bars, statuses: not subscribed
      }
    }
  }

  var auth: String { #"{"action":"auth","key":\#(JSONText.quoted(key)),"secret":\#(JSONText.quoted(secret))}"# }
  var subscription: String {
    let list = "[" + symbols.map(JSONText.quoted).joined(separator: ",") + "]"
    return #"{"action":"subscribe","bars":\#(list),"updatedBars":\#(list)}"#
  }

  public func backfillRequest(symbol: String, from: Int64, to: Int64, token: String?) -> (url: String, headers: [(String, String)]) {
    var url = "\(restURL)/v2/stocks/\(symbol)/bars?timeframe=\(timeframe)&start=\(UTCCalendar.iso8601(from))&end=\(UTCCalendar.iso8601(to))"
      + "&limit=10000&adjustment=raw&feed=\(feedName)"
    if let token { url += "&page_token=\(token.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? token)" }
    return (url, [("APCA-API-KEY-ID", key), ("APCA-API-SECRET-KEY", secret)])
  }

  struct Page: Decodable {
    let bars: [Message]?
    let next_page_token: String?
  }

  public func decodeBackfill(_ body: [UInt8], symbol: String, from: Int64, to: Int64) throws(FeedError) -> (bars: [(start: Int64, bar: OHLCVBar)], next: String?) {
    let page: Page
    do { page = try JSONDecoder().decode(Page.self, from: Data(body)) } catch {
      throw .malformed(venue: name, reason: "expected {\"bars\": [...], \"next_page_token\": ...} from the bars endpoint")
    }
    var bars: [(Int64, OHLCVBar)] = []
    for m in page.bars ?? [] {
      guard let t = m.t, let start = UTCCalendar.parseTimestamp(t) else { throw .malformed(venue: name, reason: "a REST bar without t") }
      guard start >= from && start <= to else { continue }
      bars.append((start, OHLCVBar(open: m.o ?? .nan, high: m.h ?? .nan, low: m.l ?? .nan, close: m.c ?? .nan, volume: m.v ?? .nan)))
    }
    return (bars, page.next_page_token)
  }
}

extension String {
  func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}
