// A local exchange for the live tests (README.md beside this file): serves the bars of a CSV
// over loopback as Alpaca's market data v2 stream and bars endpoint and as Binance's kline
// streams and klines endpoint, with faults on request. Bars are published at `--rate` per
// second from the first subscription on; a connection streams the bars published after it
// subscribed, the REST endpoints serve every bar published so far.
import Foundation
import Hummingbird
import HummingbirdWebSocket
import KairosCore
import KairosFrame
import KairosIO
import Logging
import NIOCore
import Synchronization

struct Options {
  var data = "", symbol: String? = nil, port = 0, rate = 2000.0, portFile: String? = nil
  var faults: [String: Int] = [:]
  var key = "test-key", secret = "test-secret"
  var exitAfter = 300.0
  /// The server pings every connection this often and closes one whose pong does not come back.
  var pingMilliseconds = 30_000

  init(_ arguments: [String]) {
    var i = 0
    func value() -> String {
      i += 1
      guard i < arguments.count else { fail("\(arguments[i - 1]) needs a value") }
      return arguments[i]
    }
    while i < arguments.count {
      switch arguments[i] {
      case "--data": data = value()
      case "--symbol": symbol = value()
      case "--port": port = Int(value()) ?? 0
      case "--port-file": portFile = value()
      case "--rate": rate = Double(value()) ?? 2000
      case "--key": key = value()
      case "--secret": secret = value()
      case "--exit-after": exitAfter = Double(value()) ?? 300
      case "--ping-ms": pingMilliseconds = Int(value()) ?? 30_000
      case "--faults":
        for item in value().split(separator: ",") {
          let parts = item.split(separator: ":")
          faults[String(parts[0])] = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
        }
      default: fail("unknown argument \(arguments[i])")
      }
      i += 1
    }
    guard !data.isEmpty else { fail("give --data FILE.csv") }
  }
}

func fail(_ message: String) -> Never {
  FileHandle.standardError.write(Data("exchange-simulator: \(message)\n".utf8))
  exit(2)
}

let known: Set = ["duplicate", "correction", "correct-new", "missing", "gap", "reorder", "drop", "auth-fail", "slow", "stale"]
let options = Options(Array(CommandLine.arguments.dropFirst()))
for name in options.faults.keys where !known.contains(name) { fail("unknown fault \(name); known: \(known.sorted().joined(separator: ", "))") }

struct Bar: Sendable { let symbol: String; let start: Int64; let o, h, l, c, v: Double }

/// The exchange's bars and its clock.
final class Exchange: Sendable {
  let symbols: [String]
  /// Every symbol's bars merged by time (the files' order within a time).
  let bars: [Bar]
  let rate: Double
  let faults: [String: Int]
  let startedAt = Mutex<Double?>(nil)

  init(options: Options) throws {
    let paths = options.data.split(separator: ",").map(String.init)
    symbols = options.symbol.map { $0.split(separator: ",").map(String.init) }
      ?? paths.map { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent }
    guard symbols.count == paths.count else { fail("give one --symbol per --data file") }
    var bars: [Bar] = []
    let missing = options.faults["missing"]
    for (path, symbol) in zip(paths, symbols) {
      let frame = try CSVReader.readOHLCV(path: path)
      let (o, h, l, c, v) = (frame["open"]!, frame["high"]!, frame["low"]!, frame["close"]!, frame["volume"]!)
      for t in 0..<frame.rowCount {
        // "missing:K": every K-th bar never traded: neither streamed nor served.
        if let k = missing, k > 0, t % k == k - 1 { continue }
        bars.append(Bar(symbol: symbol, start: frame.index[t], o: o[t], h: h[t], l: l[t], c: c[t], v: v[t]))
      }
    }
    let order = Dictionary(uniqueKeysWithValues: symbols.enumerated().map { ($1, $0) })
    self.bars = bars.sorted { ($0.start, order[$0.symbol]!) < ($1.start, order[$1.symbol]!) }
    rate = options.rate
    faults = options.faults
  }

  /// How many bars are published now (the clock starts at the first subscription).
  var published: Int {
    guard let t0 = startedAt.withLock({ $0 }) else { return 0 }
    let n = Swift.min(bars.count, Int((Date().timeIntervalSince1970 - t0) * rate))
    if let k = faults["stale"] { return Swift.min(n, k) }  // "stale:K": nothing after K bars
    return n
  }

  func subscribed() -> Int {
    startedAt.withLock { if $0 == nil { $0 = Date().timeIntervalSince1970 } }
    return published
  }

  /// Waits until bar `i` is published (false when the task is cancelled).
  func waitFor(_ i: Int) async -> Bool {
    while published <= i {
      if Task.isCancelled { return false }
      try? await Task.sleep(nanoseconds: 1_000_000)
    }
    return true
  }

  /// The order the stream sends bars in, with the stream-only faults: "gap:K" skips every K-th
  /// bar (the REST endpoint has it), "reorder:K" swaps every K-th bar with the next.
  func streamOrder(from first: Int) -> [Int] {
    var order = Array(first..<bars.count)
    if let k = faults["gap"], k > 0 { order.removeAll { $0 % k == k - 1 } }
    if let k = faults["reorder"], k > 0 {
      var j = 0
      while j + 1 < order.count { if order[j] % k == k - 1 { order.swapAt(j, j + 1); j += 2 } else { j += 1 } }
    }
    return order
  }
}

func number(_ x: Double) -> String { x.isNaN ? "null" : CSVWriter.format(x) }
func quoted(_ x: Double) -> String { "\"\(x.isNaN ? "NaN" : CSVWriter.format(x))\"" }

func alpacaBar(_ b: Bar, _ symbol: String, type: String = "b", closeFactor: Double = 1) -> String {
  #"{"T":"\#(type)","S":"\#(symbol)","o":\#(number(b.o)),"h":\#(number(Swift.max(b.h, b.c * closeFactor))),"l":\#(number(b.l)),"c":\#(number(b.c * closeFactor)),"v":\#(number(b.v)),"t":"\#(UTCCalendar.iso8601(b.start))","n":1,"vw":\#(number(b.c))}"#
}

func binanceKline(_ b: Bar, _ symbol: String, closed: Bool, interval: String) -> String {
  let t = b.start / 1_000_000
  return #"{"stream":"\#(symbol.lowercased())@kline_\#(interval)","data":{"e":"kline","E":\#(t),"s":"\#(symbol)","k":{"t":\#(t),"T":\#(t + 59_999),"s":"\#(symbol)","i":"\#(interval)","f":1,"L":2,"o":\#(quoted(b.o)),"c":\#(quoted(closed ? b.c : b.o)),"h":\#(quoted(b.h)),"l":\#(quoted(b.l)),"v":\#(quoted(closed ? b.v : 0)),"n":1,"x":\#(closed),"q":"0","V":"0","Q":"0","B":"0"}}}"#
}

let exchange: Exchange
do { exchange = try Exchange(options: options) } catch { fail("\(error)") }

/// Streams bars from the first published after the subscription, with the faults.
/// `send` writes one bar (and its extras); returns false when the connection must end.
func stream(_ outbound: WebSocketOutboundWriter, alpaca: Bool, interval: String, symbols: Set<String>) async throws {
  let first = exchange.subscribed()
  var sent = 0
  for i in exchange.streamOrder(from: first) {
    // A reordered pair: the later bar goes first, so wait for the later of the two.
    guard await exchange.waitFor(i) else { return }
    let b = exchange.bars[i], symbol = b.symbol
    guard symbols.contains(symbol.uppercased()) || symbols.contains("*") else { continue }
    var frames: [String]
    if alpaca {
      frames = ["[" + alpacaBar(b, symbol) + "]"]
      if let k = exchange.faults["duplicate"], k > 0, i % k == 0 { frames.append(frames[0]) }
      if let k = exchange.faults["correction"], k > 0, i % k == 0 { frames.append("[" + alpacaBar(b, symbol, type: "u") + "]") }
      if let k = exchange.faults["correct-new"], i == k { frames.append("[" + alpacaBar(b, symbol, type: "u", closeFactor: 1.01) + "]") }
    } else {
      // Binance sends a candle many times while it forms (x:false) and once closed (x:true).
      frames = [binanceKline(b, symbol, closed: false, interval: interval), binanceKline(b, symbol, closed: true, interval: interval)]
      if let k = exchange.faults["duplicate"], k > 0, i % k == 0 { frames.append(frames[1]) }
    }
    for f in frames { try await outbound.write(.text(f)) }
    sent += 1
    if let k = exchange.faults["drop"], k > 0, sent % k == 0 { return }  // "drop:K": close after K bars
    if alpaca, let k = exchange.faults["slow"], k > 0, sent % k == 0 {
      try await outbound.write(.text(#"[{"T":"error","code":407,"msg":"slow client"}]"#))
      return
    }
  }
  // The file is exhausted: stay connected and silent, like a market with no trades.
  while !Task.isCancelled { try? await Task.sleep(nanoseconds: 100_000_000) }
}

func alpacaSession(_ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter) async throws {
  try await outbound.write(.text(#"[{"T":"success","msg":"connected"}]"#))
  var messages = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
  guard case let .text(auth)? = try await messages.next() else { return }
  let object = (try? JSONSerialization.jsonObject(with: Data(auth.utf8))) as? [String: Any] ?? [:]
  guard object["action"] as? String == "auth" else {
    try await outbound.write(.text(#"[{"T":"error","code":401,"msg":"not authenticated"}]"#)); return
  }
  guard exchange.faults["auth-fail"] == nil, object["key"] as? String == options.key, object["secret"] as? String == options.secret else {
    try await outbound.write(.text(#"[{"T":"error","code":402,"msg":"auth failed"}]"#)); return
  }
  try await outbound.write(.text(#"[{"T":"success","msg":"authenticated"}]"#))
  guard case let .text(subscribe)? = try await messages.next(),
        let request = (try? JSONSerialization.jsonObject(with: Data(subscribe.utf8))) as? [String: Any],
        request["action"] as? String == "subscribe" else {
    try await outbound.write(.text(#"[{"T":"error","code":400,"msg":"invalid syntax"}]"#)); return
  }
  let bars = request["bars"] as? [String] ?? [], updated = request["updatedBars"] as? [String] ?? []
  func list(_ s: [String]) -> String { "[" + s.map { "\"\($0)\"" }.joined(separator: ",") + "]" }
  try await outbound.write(.text(#"[{"T":"subscription","trades":[],"quotes":[],"bars":\#(list(bars)),"updatedBars":\#(list(updated)),"dailyBars":[],"statuses":[],"lulds":[],"corrections":[],"cancelErrors":[]}]"#))
  // Read (and ignore) what the client sends while we stream.
  let reader = Task { while (try? await messages.next()) != nil {} }
  defer { reader.cancel() }
  try await stream(outbound, alpaca: true, interval: "", symbols: Set(bars.map { $0.uppercased() }))
}

let router = Router()
/// Alpaca: GET /v2/stocks/{symbol}/bars?timeframe=&start=&end=&limit=&page_token=
router.get("/v2/stocks/:symbol/bars") { request, context -> Response in
  let symbol = context.parameters.get("symbol") ?? ""
  func header(_ name: String) -> String? { request.headers.first { $0.name.canonicalName == name }?.value }
  guard header("apca-api-key-id") == options.key, header("apca-api-secret-key") == options.secret else {
    return Response(status: .forbidden, body: .init(byteBuffer: ByteBuffer(string: #"{"message":"forbidden."}"#)))
  }
  let q = request.uri.queryParameters
  let start = q["start"].flatMap { UTCCalendar.parseTimestamp(String($0)) } ?? .min
  let end = q["end"].flatMap { UTCCalendar.parseTimestamp(String($0)) } ?? .max
  let limit = Swift.min(1000, q["limit"].flatMap { Int(String($0)) } ?? 1000)
  let from = q["page_token"].flatMap { Int(String($0)) } ?? 0
  let n = exchange.published
  let matching = exchange.bars[..<n].indices.filter {
    exchange.bars[$0].symbol == symbol && exchange.bars[$0].start >= start && exchange.bars[$0].start <= end && $0 >= from
  }
  let page = matching.prefix(limit)
  let next = matching.count > limit ? "\"\(matching[limit])\"" : "null"
  let json = #"{"bars":[\#(page.map { alpacaBar(exchange.bars[$0], symbol) }.joined(separator: ","))],"symbol":"\#(symbol)","next_page_token":\#(next)}"#
  return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json)))
}
/// Binance: GET /api/v3/klines?symbol=&interval=&startTime=&endTime=&limit=
router.get("/api/v3/klines") { request, context -> Response in
  let q = request.uri.queryParameters
  guard let symbol = exchange.symbols.first(where: { $0.uppercased() == q["symbol"].map(String.init)?.uppercased() }) else {
    return Response(status: .badRequest, body: .init(byteBuffer: ByteBuffer(string: #"{"code":-1121,"msg":"Invalid symbol."}"#)))
  }
  let start = (q["startTime"].flatMap { Int64(String($0)) } ?? 0) * 1_000_000
  let end = q["endTime"].flatMap { Int64(String($0)) }.map { $0 * 1_000_000 } ?? .max
  let limit = Swift.min(1000, q["limit"].flatMap { Int(String($0)) } ?? 500)
  let n = exchange.published
  let rows = exchange.bars[..<n].filter { $0.symbol == symbol && $0.start >= start && $0.start <= end }.prefix(limit).map { b in
    let t = b.start / 1_000_000
    return "[\(t),\(quoted(b.o)),\(quoted(b.h)),\(quoted(b.l)),\(quoted(b.c)),\(quoted(b.v)),\(t + 59_999),\"0\",1,\"0\",\"0\",\"0\"]"
  }
  return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "[" + rows.joined(separator: ",") + "]")))
}

var logger = Logger(label: "exchange-simulator")
logger.logLevel = .error
let app = Application(
  router: router,
  server: .http1WebSocketUpgrade(configuration: .init(autoPing: .enabled(timePeriod: .milliseconds(options.pingMilliseconds)))) { request, _, _ in
    let path = request.path ?? ""
    if path.hasPrefix("/v2/") {
      return .upgrade([:]) { inbound, outbound, _ in try await alpacaSession(inbound, outbound) }
    }
    if path.hasPrefix("/stream") || path.hasPrefix("/ws/") {
      // The symbols and interval from the stream names: …?streams=aapl@kline_1d/msft@kline_1d
      let names = (path.components(separatedBy: "streams=").last ?? path.components(separatedBy: "/ws/").last ?? "").split(separator: "/")
      let symbols = Set(names.map { String($0.split(separator: "@").first ?? "").uppercased() })
      let interval = path.components(separatedBy: "@kline_").last?.split(separator: "/").first.map(String.init) ?? "1m"
      return .upgrade([:]) { inbound, outbound, _ in
        // Read what the client sends (its close frame, say) while streaming.
        let reader = Task { for try await _ in inbound {} }
        defer { reader.cancel() }
        try await stream(outbound, alpaca: false, interval: interval, symbols: symbols)
      }
    }
    return .dontUpgrade
  },
  configuration: .init(address: .hostname("127.0.0.1", port: options.port)),
  onServerRunning: { channel in
    let port = channel.localAddress?.port ?? 0
    if let file = options.portFile {
      try? "\(port)\n".write(toFile: file + ".tmp", atomically: false, encoding: .utf8)
      rename(file + ".tmp", file)
    }
    FileHandle.standardOutput.write(Data("listening on 127.0.0.1:\(port)\n".utf8))
  },
  logger: logger)

// Bounded: a forgotten simulator stops by itself.
Task {
  try? await Task.sleep(nanoseconds: UInt64(options.exitAfter * 1e9))
  exit(0)
}
try await app.runService()
