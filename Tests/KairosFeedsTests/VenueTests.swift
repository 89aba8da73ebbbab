import Foundation
import KairosBacktest
import KairosCore
import KairosFeeds
import KairosLive
import Testing

/// The venues' messages as their documentation gives them (Alpaca market data v2, Binance
/// kline streams): the handshake, bars, corrections, errors, the REST pages.
@Suite struct VenueTests {
  static let credentials = ["APCA_API_KEY_ID": "k", "APCA_API_SECRET_KEY": "s"]
  static let minute = UTCCalendar.nanosecondsPerMinute

  @Test func alpacaHandshakeBarsCorrectionsAndErrors() throws {
    let v = try AlpacaVenue(symbols: ["AAPL"], interval: Self.minute, environment: Self.credentials)
    #expect(try v.decode(#"[{"T":"success","msg":"connected"}]"#) == [.send(#"{"action":"auth","key":"k","secret":"s"}"#)])
    #expect(try v.decode(#"[{"T":"success","msg":"authenticated"}]"#) == [.send(#"{"action":"subscribe","bars":["AAPL"],"updatedBars":["AAPL"]}"#)])
    #expect(try v.decode(#"[{"T":"subscription","trades":[],"bars":["AAPL"],"updatedBars":["AAPL"]}]"#) == [.subscribed])
    let t = UTCCalendar.parseTimestamp("2024-07-24T07:56:00Z")!
    let bar = OHLCVBar(open: 132.65, high: 136, low: 132.12, close: 134.65, volume: 205)
    // Data may be batched: a bar and a correction of another in one frame.
    #expect(try v.decode(#"[{"T":"b","S":"AAPL","o":132.65,"h":136,"l":132.12,"c":134.65,"v":205,"t":"2024-07-24T07:56:00Z","n":16,"vw":133.7},{"T":"u","S":"AAPL","o":132.65,"h":136,"l":132.12,"c":134.65,"v":205,"t":"2024-07-24T07:56:00Z"}]"#)
            == [.bar(symbol: "AAPL", start: t, bar), .correction(symbol: "AAPL", start: t, bar)])
    let messages = try v.decode(#"[{"T":"error","code":402,"msg":"auth failed"}]"#)
    guard case let .error(error) = messages.first else { Issue.record("no error"); return }
    #expect(error.isFatal && "\(error)" == "alpaca: error 402: auth failed (check APCA_API_KEY_ID and APCA_API_SECRET_KEY)")
    guard case let .error(slow) = try v.decode(#"[{"T":"error","code":407,"msg":"slow client"}]"#).first else { Issue.record("no error"); return }
    #expect(!slow.isFatal)  // a reconnect helps
    #expect(throws: FeedError.self) { try v.decode("{not json") }
    #expect(throws: FeedError.self) { try v.decode(#"[{"T":"b","S":"AAPL","o":1}]"#) }  // a bar without its time
    #expect(throws: FeedError.missingCredentials(venue: "alpaca", variables: ["APCA_API_KEY_ID", "APCA_API_SECRET_KEY"])) {
      try AlpacaVenue(symbols: ["AAPL"], interval: Self.minute, environment: [:])
    }
  }

  @Test func alpacaBackfillPagesAndTimeframes() throws {
    let v = try AlpacaVenue(symbols: ["AAPL"], interval: Self.minute, streamURL: "wss://x/v2/sip", restURL: "http://r/", environment: Self.credentials)
    let (url, headers) = v.backfillRequest(symbol: "AAPL", from: 0, to: Self.minute, token: "abc")
    #expect(url == "http://r/v2/stocks/AAPL/bars?timeframe=1Min&start=1970-01-01T00:00:00Z&end=1970-01-01T00:01:00Z&limit=10000&adjustment=raw&feed=sip&page_token=abc")
    #expect(headers.map(\.0) == ["APCA-API-KEY-ID", "APCA-API-SECRET-KEY"])
    let page = try v.decodeBackfill(Array(#"{"bars":[{"T":"b","t":"1970-01-01T00:01:00Z","o":1,"h":2,"l":0.5,"c":1.5,"v":10},{"T":"b","t":"1970-01-01T00:05:00Z","o":1,"h":1,"l":1,"c":1,"v":1}],"symbol":"AAPL","next_page_token":"n2"}"#.utf8), symbol: "AAPL", from: 0, to: 2 * Self.minute)
    #expect(page.bars.map(\.start) == [Self.minute] && page.next == "n2")  // the bar after `to` is left out
    // Alpaca's own stream has one-minute bars only; another server may stream other intervals.
    #expect(throws: FeedError.self) { try AlpacaVenue(symbols: ["AAPL"], interval: UTCCalendar.nanosecondsPerDay, environment: Self.credentials) }
    for (interval, name) in [(5 * Self.minute, "5Min"), (UTCCalendar.nanosecondsPerHour, "1Hour"), (UTCCalendar.nanosecondsPerDay, "1Day")] {
      let venue = try AlpacaVenue(symbols: ["AAPL"], interval: interval, streamURL: "ws://127.0.0.1:1/v2/test", environment: Self.credentials)
      #expect(venue.backfillRequest(symbol: "AAPL", from: 0, to: 0, token: nil).url.contains("timeframe=\(name)&"))
    }
  }

  @Test func binanceActsOnClosedKlinesOnly() throws {
    let v = try BinanceVenue(symbols: ["BTCUSDT"], interval: Self.minute)
    #expect(v.streamURL == "wss://data-stream.binance.vision/stream?streams=btcusdt@kline_1m")
    let open = #"{"e":"kline","E":1672515782136,"s":"BNBBTC","k":{"t":1672515780000,"T":1672515839999,"s":"BNBBTC","i":"1m","f":100,"L":200,"o":"0.0010","c":"0.0020","h":"0.0025","l":"0.0015","v":"1000","n":100,"x":false,"q":"1.0000","V":"500","Q":"0.500","B":"123456"}}"#
    #expect(try v.decode(open) == [.ignored])
    let closed = open.replacingOccurrences(of: "\"x\":false", with: "\"x\":true")
    let bar = OHLCVBar(open: 0.001, high: 0.0025, low: 0.0015, close: 0.002, volume: 1000)
    #expect(try v.decode(closed) == [.bar(symbol: "BNBBTC", start: 1_672_515_780_000_000_000, bar)])
    #expect(try v.decode(#"{"stream":"bnbbtc@kline_1m","data":\#(closed)}"#) == [.bar(symbol: "BNBBTC", start: 1_672_515_780_000_000_000, bar)])
    #expect(try v.decode(#"{"result":null,"id":1}"#) == [.ignored])
    #expect(try v.decode(#"{"e":"serverShutdown","E":1}"#) == [.reconnect("the server announced its shutdown")])
    guard case let .error(error) = try v.decode(#"{"code":2,"msg":"Invalid request"}"#).first else { Issue.record("no error"); return }
    #expect(error.isFatal)
    #expect(throws: FeedError.self) { try v.decode(closed.replacingOccurrences(of: "\"0.0010\"", with: "\"x1\"")) }
    #expect(throws: FeedError.self) { try BinanceVenue(symbols: ["BTCUSDT"], interval: 7 * Self.minute) }
  }

  @Test func binanceBackfillDropsTheFormingKlineAndPages() throws {
    let v = try BinanceVenue(symbols: ["BTCUSDT"], interval: Self.minute, restURL: "http://r")
    #expect(v.backfillRequest(symbol: "btcusdt", from: 60_000_000_000, to: 120_000_000_000, token: nil).url
            == "http://r/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime=60000&endTime=120000&limit=1000")
    let future = Int64(Date().timeIntervalSince1970 * 1000) + 3_600_000
    let body = #"[[60000,"1.5","2","1","1.75","10",119999,"0",3,"0","0","0"],[\#(future),"1","1","1","1","1",\#(future + 59_999),"0",1,"0","0","0"]]"#
    let page = try v.decodeBackfill(Array(body.utf8), symbol: "BTCUSDT", from: 0, to: .max)
    #expect(page.bars.map(\.start) == [60_000_000_000] && page.bars[0].bar.close == 1.75 && page.next == nil)
    let full = "[" + (0..<1000).map { "[\($0 * 60000),\"1\",\"1\",\"1\",\"1\",\"1\",\($0 * 60000 + 59999),\"0\",1,\"0\",\"0\",\"0\"]" }.joined(separator: ",") + "]"
    #expect(try v.decodeBackfill(Array(full.utf8), symbol: "BTCUSDT", from: 0, to: .max).next == String(999 * 60000 + 1))
  }

  /// Stale means silent while the market is open: a weekend is not staleness.
  @Test func aClosureIsNotStaleness() {
    func at(_ text: String) -> Int64 { UTCCalendar.parseTimestamp(text)! }
    // Last bar Wednesday 15:59 New York; Thursday is Thanksgiving; Friday closes at 13:00.
    var watch = StaleWatch(interval: 180, calendar: .nyse, now: at("2026-11-25T20:59:00Z"))
    let onThanksgiving = watch.check(now: at("2026-11-26T15:00:00Z"))
    let onFriday = watch.check(now: at("2026-11-27T14:40:00Z"))  // Friday 09:40: ten minutes of session without a bar
    #expect(!onThanksgiving && onFriday)
    // Last bar Friday 12:59; silent over the weekend: stale only 3 min into Monday's session.
    var weekend = StaleWatch(interval: 180, calendar: .nyse, now: at("2026-11-27T17:59:00Z"))
    let sunday = weekend.check(now: at("2026-11-29T15:00:00Z"))
    let mondayEarly = weekend.check(now: at("2026-11-30T14:31:00Z"))  // 1 min Friday + 1 min Monday
    let monday = weekend.check(now: at("2026-11-30T14:32:00Z"))      // 1 + 2 = 3 min of open market
    #expect(!sunday && !mondayEarly && monday && weekend.isStale)
    let resumed = weekend.barArrived(now: at("2026-11-30T14:33:00Z"))
    #expect(resumed && !weekend.isStale)
    var crypto = StaleWatch(interval: 180, calendar: .always, now: 0)
    let early = crypto.check(now: 179_000_000_000), due = crypto.check(now: 180_000_000_000), again = crypto.check(now: 200_000_000_000)
    #expect(!early && due && !again)  // reported once
  }
}
