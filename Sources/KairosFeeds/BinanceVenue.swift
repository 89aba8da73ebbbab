import Foundation
import KairosBacktest
import KairosCore
import KairosIO

/// Binance spot kline streams (docs/DESIGN.md §10): the combined stream
/// `wss://data-stream.binance.vision/stream?streams=btcusdt@kline_1m/…`, subscribed by its URL,
/// no authentication. Each message is `{"stream":…,"data":{"e":"kline","s":"BTCUSDT","k":{"t":
/// open ms,"T":close ms,"o":"…","h":"…","l":"…","c":"…","v":"…","x":closed,…}}}` with prices as
/// strings, sent many times per candle: only `x:true` (the closed kline) is a bar. The server
/// pings every 20 s (the websocket client answers) and closes a connection after 24 h (the
/// feed reconnects and backfills). Backfill: `GET {rest}/api/v3/klines`.
public struct BinanceVenue: BarVenue {
  public let name = "binance"
  public let streamURL: String
  public let restURL: String
  public let symbols: [String]
  /// Binance's interval name (`1m`, `1h`, `1d`, …).
  let interval: String

  public static let defaultStreamURL = "wss://data-stream.binance.vision"
  public static let defaultRestURL = "https://data-api.binance.vision"
  /// The intervals Binance streams, by length in seconds.
  static let intervals: [Int64: String] = [
    1: "1s", 60: "1m", 180: "3m", 300: "5m", 900: "15m", 1800: "30m", 3600: "1h", 7200: "2h", 14400: "4h",
    21600: "6h", 28800: "8h", 43200: "12h", 86400: "1d", 259200: "3d", 604800: "1w"]

  public init(symbols: [String], interval: Int64, streamURL: String? = nil, restURL: String? = nil) throws(FeedError) {
    guard interval % UTCCalendar.nanosecondsPerSecond == 0, let name = Self.intervals[interval / UTCCalendar.nanosecondsPerSecond] else {
      throw .unsupported(venue: "binance", reason: "no kline stream for bars of \(interval / UTCCalendar.nanosecondsPerSecond) s; "
                         + "it streams \(Self.intervals.keys.sorted().map { Self.intervals[$0]! }.joined(separator: ", "))")
    }
    self.interval = name
    self.symbols = symbols
    let base = (streamURL ?? Self.defaultStreamURL).trimmingSuffix("/")
    let streams = symbols.map { "\($0.lowercased())@kline_\(name)" }.joined(separator: "/")
    self.streamURL = base.contains("?") ? base : "\(base)/stream?streams=\(streams)"
    self.restURL = (restURL ?? Self.defaultRestURL).trimmingSuffix("/")
  }

  public var greeting: [String] { [] }
  public var subscribedOnConnect: Bool { true }

  struct Kline: Decodable {
    let t: Int64, s: String, o: String, h: String, l: String, c: String, v: String, x: Bool
  }
  struct Payload: Decodable {
    let e: String?
    let k: Kline?
    let code: Int?, msg: String?
  }
  struct Envelope: Decodable {
    let stream: String?
    let data: Payload?
    let e: String?, k: Kline?
    let code: Int?, msg: String?
  }

  public func decode(_ text: String) throws(FeedError) -> [VenueMessage] {
    let m: Envelope
    do { m = try JSONDecoder().decode(Envelope.self, from: Data(text.utf8)) } catch {
      throw .malformed(venue: name, reason: "expected a kline event: \(String(text.prefix(120)))")
    }
    if let code = m.code { return [.error(.venue(venue: name, code: code, message: m.msg ?? "?"))] }
    let (event, kline) = m.data.map { ($0.e, $0.k) } ?? (m.e, m.k)
    if event == "serverShutdown" { return [.reconnect("the server announced its shutdown")] }
    guard event == "kline", let k = kline else { return [.ignored] }
    guard k.x else { return [.ignored] }  // a candle still forming
    return [.bar(symbol: k.s, start: try Self.nanoseconds(milliseconds: k.t), try bar(k.o, k.h, k.l, k.c, k.v))]
  }

  func bar(_ fields: String...) throws(FeedError) -> OHLCVBar {
    var values: [Double] = []
    for f in fields {
      guard let x = CSVReader.parseDecimal(f) else { throw .malformed(venue: name, reason: "'\(f)' is not a decimal price or volume") }
      values.append(x)
    }
    return OHLCVBar(open: values[0], high: values[1], low: values[2], close: values[3], volume: values[4])
  }

  static func nanoseconds(milliseconds ms: Int64) throws(FeedError) -> Int64 {
    let (t, overflow) = ms.multipliedReportingOverflow(by: 1_000_000)
    guard !overflow else { throw .malformed(venue: "binance", reason: "the time \(ms) ms is out of range") }
    return t
  }

  public func backfillRequest(symbol: String, from: Int64, to: Int64, token: String?) -> (url: String, headers: [(String, String)]) {
    let start = token ?? String(from / 1_000_000)
    return ("\(restURL)/api/v3/klines?symbol=\(symbol.uppercased())&interval=\(interval)&startTime=\(start)&endTime=\(to / 1_000_000)&limit=1000", [])
  }

  /// Rows `[open ms, "o", "h", "l", "c", "v", close ms, …]`. A page of 1,000 asks for the next
  /// (from the last open + 1 ms). A kline whose close time is still ahead is forming: dropped.
  public func decodeBackfill(_ body: [UInt8], symbol: String, from: Int64, to: Int64) throws(FeedError) -> (bars: [(start: Int64, bar: OHLCVBar)], next: String?) {
    guard let rows = try? JSONSerialization.jsonObject(with: Data(body)) as? [[Any]] else {
      throw .malformed(venue: name, reason: "expected the klines array from /api/v3/klines: \(String(decoding: body.prefix(120), as: UTF8.self))")
    }
    let now = Int64(Date().timeIntervalSince1970 * 1000)
    var bars: [(Int64, OHLCVBar)] = []
    var lastOpen: Int64 = 0
    for row in rows {
      guard row.count >= 7, let open = (row[0] as? NSNumber)?.int64Value, let close = (row[6] as? NSNumber)?.int64Value,
            let fields = row[1...5].map({ $0 as? String }) as [String?]?, fields.allSatisfy({ $0 != nil }) else {
        throw .malformed(venue: name, reason: "a kline row is not [open time, \"o\", \"h\", \"l\", \"c\", \"v\", close time, …]")
      }
      lastOpen = open
      guard close < now else { continue }
      let start = try Self.nanoseconds(milliseconds: open)
      guard start >= from && start <= to else { continue }
      bars.append((start, try bar(fields[0]!, fields[1]!, fields[2]!, fields[3]!, fields[4]!)))
    }
    return (bars, rows.count == 1000 ? String(lastOpen + 1) : nil)
  }
}
