import Foundation
import KairosBacktest
import KairosFeatures
import KairosModels
import KairosIO
import KairosLive
import KairosTestSupport
import Testing

/// A file replayed through a paper session gives the backtest's files byte for byte, whether
/// the session runs through or is closed and reopened part way; a state folder whose bars no
/// longer replay to its orders stops the session.
@Suite struct PaperSessionTests {
  static let aapl = TestPaths.sample(SampleData.aaplDailyUnadjusted)

  static func configurations() -> [(String, BacktestConfiguration)] {
    var fees = BacktestConfiguration(); fees.fee = 0.001; fees.fixedFee = 1
    var stops = BacktestConfiguration(); stops.stopLoss = .atrMultiple(2); stops.takeProfit = .atrMultiple(3); stops.allowShort = true
    var lots = BacktestConfiguration(); lots.lotSize = 10; lots.trigger = .cross; lots.fee = 0.002; lots.allowShort = true
    var close = BacktestConfiguration(); close.fill = .nextClose; close.slippage = 0.0005; close.impact = 0.2
    return [("fees", fees), ("stops and shorts", stops), ("lots and cross", lots), ("next close, impact", close)]
  }

  static func backtestFiles(_ kind: StrategyKind, _ p: [String: Double], _ c: BacktestConfiguration) throws -> [(String, [UInt8])] {
    let market = try MarketSeries(name: "aapl", frame: try CSVReader.readOHLCV(path: aapl))
    return try backtest(kind, parameters: p, on: market, configuration: c).files()
  }

  static func session(_ folder: String, _ kind: StrategyKind, _ p: [String: Double], _ c: BacktestConfiguration) throws -> PaperSession {
    let frame = try CSVReader.readOHLCV(path: aapl)
    return try PaperSession(folder: folder, symbol: "aapl", runner: StrategyRunner(kind: kind, configuration: c), parameters: p,
                            configuration: c.resolved(for: frame.index.timestamps))
  }

  @Test(arguments: 0..<4)
  func replayThroughTheSessionGivesTheBacktestsFiles(option: Int) async throws {
    let (name, c) = Self.configurations()[option]
    for (kind, p) in [(StrategyKind.smaCross, ["fast": 10.0, "slow": 40.0]), (.donchianBreakout, ["window": 20.0])] {
      let expected = try Self.backtestFiles(kind, p, c)
      let folder = TestPaths.temporaryDirectory().path
      let session = try Self.session(folder, kind, p, c)
      let frame = try CSVReader.readOHLCV(path: Self.aapl)
      for await event in try ReplayFeed(symbol: "aapl", frame: frame).events() { try session.take(event) }
      let files = try session.files()
      #expect(files.map(\.0) == expected.map(\.0))
      for (a, b) in zip(files, expected) { #expect(a.1 == b.1, "\(name) \(kind.rawValue): \(a.0) differs") }
    }
  }

  @Test func aSessionReopenedPartWayResumesWithTheSameBits() async throws {
    let (_, c) = Self.configurations()[2]
    let p = ["fast": 10.0, "slow": 40.0]
    let expected = try Self.backtestFiles(.smaCross, p, c)
    let folder = TestPaths.temporaryDirectory().path
    let frame = try CSVReader.readOHLCV(path: Self.aapl)
    var events: [FeedEvent] = []
    for await event in try ReplayFeed(symbol: "aapl", frame: frame).events() { events.append(event) }
    // Three sessions on one folder, each taking a part (the feed replays from the start each
    // time, as after a crash: what is stored is dropped as duplicate).
    for cut in [900, 2200, events.count] {
      let session = try Self.session(folder, .smaCross, p, c)
      var dropped = 0
      for event in events.prefix(cut) { if case .dropped = try session.take(event) { dropped += 1 } }
      #expect(session.processed == cut)
      if cut == events.count {
        for (a, b) in zip(try session.files(), expected) { #expect(a.1 == b.1, "\(a.0) differs after two restarts") }
      }
      #expect(dropped == (cut == 900 ? 0 : (cut == 2200 ? 900 : 2200)))
    }
    // Other settings on the same folder are refused, not mixed in.
    var other = c; other.fee = 0.01
    #expect(throws: LiveError.self) { _ = try Self.session(folder, .smaCross, p, other) }
  }

  @Test func aStateThatDoesNotReplayToItselfStopsTheSession() async throws {
    let c = BacktestConfiguration(), p = ["fast": 10.0, "slow": 40.0]
    let folder = TestPaths.temporaryDirectory().path
    let frame = try CSVReader.readOHLCV(path: Self.aapl)
    let session = try Self.session(folder, .smaCross, p, c)
    var taken = 0
    for await event in try ReplayFeed(symbol: "aapl", frame: frame).events() {
      try session.take(event)
      taken += 1
      if taken == 500 { break }
    }
    // An order the bars cannot explain (a fill recorded by something else, a lost bar…).
    let store = try SessionStore(folder: folder)
    try store.commit(seq: 500, symbol: "aapl", start: frame.index[500], bar: OHLCVBar(open: 1, high: 1, low: 1, close: 1, volume: 1),
                     orders: [("forged", 10_000, OrderRecord(bar: 500, side: 1, units: 5, price: 1, fee: 0, reason: .entry, status: .filled, clip: .none))])
    #expect(throws: LiveError.self) { _ = try Self.session(folder, .smaCross, p, c) }
    do { _ = try Self.session(folder, .smaCross, p, c) } catch { #expect("\(error)".contains("does not replay to itself")) }
  }

  @Test func eventsAndStatusDescribeWhatWasStored() async throws {
    let c = BacktestConfiguration(), p = ["fast": 10.0, "slow": 40.0]
    let folder = TestPaths.temporaryDirectory().path
    let frame = try CSVReader.readOHLCV(path: Self.aapl)
    let session = try Self.session(folder, .smaCross, p, c)
    for await event in try ReplayFeed(symbol: "aapl", frame: frame).events() { try session.take(event) }
    try session.take(.bar(symbol: "aapl", start: frame.index[10], OHLCVBar(open: 1, high: 1, low: 1, close: 1, volume: 1)))  // late
    let expected = try backtest(.smaCross, parameters: p, on: try MarketSeries(name: "aapl", frame: frame), configuration: c)
    let lines = try String(contentsOfFile: folder + "/events.jsonl", encoding: .utf8).split(separator: "\n")
    #expect(lines.first?.contains("\"kind\": \"session_started\"") == true)
    #expect(lines.filter { $0.contains("\"kind\": \"fill\"") }.count == expected.recording.orders.filter { $0.status == .filled }.count)
    #expect(lines.last?.contains("\"kind\": \"bar_dropped\"") == true)
    let status = try PaperSession.reopen(folder: folder).status
    #expect(status.bars == frame.rowCount && status.equity == expected.recording.equity.last! && status.trades == expected.recording.trades.count)
    // A look at the state writes no event.
    #expect(try String(contentsOfFile: folder + "/events.jsonl", encoding: .utf8).split(separator: "\n").count == lines.count)
  }

  /// The model strategy: each bar scored as it arrives (features streamed) gives the backtest
  /// on the batch probabilities, byte for byte, and survives a reopen from the folder alone.
  @Test func theModelStrategyScoresEachBarAsItArrives() async throws {
    let frame = try CSVReader.readOHLCV(path: Self.aapl)
    let yaml = "features:\n  - kind: log_returns\n  - kind: zscore\n    window: 20\n  - kind: rsi\n    period: 14\ntarget:\n  kind: next_return_sign\n"
    let spec = try FeatureSpec.parse(yaml: yaml)
    let model = try LinearModel.fit(.logistic, on: try FeatureSet(spec: spec, frame: frame), l2: 1, standardize: true)
    var c = BacktestConfiguration(); c.fee = 0.0005
    let p = ["threshold": 0.51, "smoothing": 3.0]
    let expected = try backtest(.model, parameters: p, on: try MarketSeries(name: "aapl", frame: frame), configuration: c,
                                probabilities: try model.probabilities(on: frame, spec: spec)).files()
    let folder = TestPaths.temporaryDirectory().path
    let session = try PaperSession(folder: folder, symbol: "aapl", runner: StrategyRunner(kind: .model, configuration: c), parameters: p,
                                   configuration: c.resolved(for: frame.index.timestamps), model: (model, yaml))
    for await event in try ReplayFeed(symbol: "aapl", frame: frame).events() { try session.take(event) }
    #expect(session.status.trades > 10)
    for (a, b) in zip(try session.files(), expected) { #expect(a.1 == b.1, "\(a.0) differs") }
    for (a, b) in zip(try PaperSession.reopen(folder: folder).files(), expected) { #expect(a.1 == b.1, "\(a.0) differs after a reopen") }
  }
}
