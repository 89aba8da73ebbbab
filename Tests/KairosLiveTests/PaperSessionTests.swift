import Foundation
import GRDB
import KairosBacktest
import KairosFrame
import KairosFeatures
import KairosModels
import KairosIO
@testable import KairosLive
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

  /// A `kill -9` between two settings writes used to leave a folder with its settings line
  /// only, which could then never be reopened ("its settings are incomplete"); they are now
  /// written in one transaction, and such a folder gets the missing ones when a session opens it.
  @Test func aFolderWithItsSettingsLineOnlyIsCompletedWhenOpened() throws {
    let p: [String: Double] = ["fast": 10, "slow": 40]
    let complete = TestPaths.temporaryDirectory().path
    _ = try Self.session(complete, .smaCross, p, BacktestConfiguration())
    let line = try SessionStore(folder: complete).meta("settings")!
    let broken = TestPaths.temporaryDirectory().path
    try SessionStore(folder: broken).setMeta("settings", line)
    #expect(throws: LiveError.self) { try PaperSession.reopen(folder: broken) }
    _ = try Self.session(broken, .smaCross, p, BacktestConfiguration())
    #expect(try PaperSession.reopen(folder: broken).status.bars == 0)
  }

  /// A session creates its database, then writes its settings: a reader in between (`paper
  /// status` beside a session that is starting) is told there is no session yet — the words of
  /// a folder without one — not that a session is broken.
  @Test func aDatabaseWithoutSettingsIsNoSessionYet() throws {
    let folder = TestPaths.temporaryDirectory().path
    _ = try SessionStore(folder: folder)
    #expect(throws: LiveError.state(folder: folder, reason: "no session settings yet: not a paper session's folder, or one still being created")) {
      try PaperSessions.reopen(folder: folder)
    }
    _ = try Self.session(folder, .smaCross, ["fast": 10, "slow": 40], BacktestConfiguration())
    #expect(try PaperSessions.reopen(folder: folder).status.bars == 0)
  }

  @Test(arguments: 0..<4)
  func replayThroughTheSessionGivesTheBacktestsFiles(option: Int) async throws {
    let (name, c) = Self.configurations()[option]
    // Every rule strategy (with its defaults) and two with parameters set.
    let strategies: [(StrategyKind, [String: Double])] = StrategyKind.allCases.filter { $0 != .model }.map { ($0, [:]) }
      + [(.smaCross, ["fast": 10.0, "slow": 40.0]), (.donchianBreakout, ["window": 20.0])]
    for (kind, p) in strategies {
      let expected = try Self.backtestFiles(kind, p, c)
      let folder = TestPaths.temporaryDirectory().path
      let session = try Self.session(folder, kind, p, c)
      let frame = try CSVReader.readOHLCV(path: Self.aapl)
      for try await event in try ReplayFeed(symbol: "aapl", frame: frame).events() { try session.take(event) }
      let files = try session.files()
      #expect(files.map(\.0) == expected.map(\.0))
      for (a, b) in zip(files, expected) { #expect(a.1 == b.1, "\(name) \(kind.rawValue): \(a.0) differs") }
    }
  }

  /// What the dashboard and the report refresher do: read a running session (its files, its
  /// monitor snapshot) between two bars, many times. The session's own files stay the
  /// backtest's (a finished copy once overwrote the running accumulator's buffers).
  @Test func readingARunningSessionChangesNothingInIt() async throws {
    let (_, c) = Self.configurations()[1]
    let p = ["fast": 10.0, "slow": 40.0]
    let expected = try Self.backtestFiles(.smaCross, p, c)
    let session = try Self.session(TestPaths.temporaryDirectory().path, .smaCross, p, c)
    let frame = try CSVReader.readOHLCV(path: Self.aapl)
    var k = 0
    for try await event in try ReplayFeed(symbol: "aapl", frame: frame).events() {
      try session.take(event)
      k += 1
      if k % 97 == 0 { _ = try session.files(); _ = try session.monitor() }
    }
    for (a, b) in zip(try session.files(), expected) { #expect(a.1 == b.1, "\(a.0) differs after reads during the run") }
  }

  @Test func aSessionReopenedPartWayResumesWithTheSameBits() async throws {
    let (_, c) = Self.configurations()[2]
    let p = ["fast": 10.0, "slow": 40.0]
    let expected = try Self.backtestFiles(.smaCross, p, c)
    let folder = TestPaths.temporaryDirectory().path
    let frame = try CSVReader.readOHLCV(path: Self.aapl)
    let events = try await Self.bars(frame)
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
    for try await event in try ReplayFeed(symbol: "aapl", frame: frame).events() {
      try session.take(event)
      taken += 1
      if taken == 500 { break }
    }
    // An order the bars cannot explain (a fill recorded by something else, a lost bar…).
    let store = try SessionStore(folder: folder)
    try store.commit(.init(seq: 500, symbol: "aapl", start: frame.index[500], bar: OHLCVBar(open: 1, high: 1, low: 1, close: 1, volume: 1),
                           orders: [("forged", 10_000, OrderRecord(bar: 500, side: 1, units: 5, price: 1, fee: 0, reason: .entry, status: .filled, clip: .none))],
                           intents: [], book: (0, 100_000, 100_000)))
    #expect(throws: LiveError.self) { _ = try Self.session(folder, .smaCross, p, c) }
    do { _ = try Self.session(folder, .smaCross, p, c) } catch { #expect("\(error)".contains("does not replay to itself")) }
  }

  /// The feed's bar events of the AAPL file (without its end-of-feed state).
  static func bars(_ frame: Frame) async throws -> [FeedEvent] {
    var events: [FeedEvent] = []
    for try await event in try ReplayFeed(symbol: "aapl", frame: frame).events() {
      if case .bar = event { events.append(event) }
    }
    return events
  }

  /// A book that the fills do not rebuild (cash changed behind the session's back) stops it.
  @Test func aStoredBookThatTheFillsDoNotRebuildStopsTheSession() async throws {
    let c = BacktestConfiguration(), p = ["fast": 10.0, "slow": 40.0]
    let folder = TestPaths.temporaryDirectory().path
    let frame = try CSVReader.readOHLCV(path: Self.aapl)
    let session = try Self.session(folder, .smaCross, p, c)
    for event in try await Self.bars(frame).prefix(300) { try session.take(event) }
    let book = try #require(try SessionStore(folder: folder).snapshot().lastBook)
    try await SessionStore(folder: folder).database.write { try $0.execute(sql: "UPDATE positions SET cash = cash + 1 WHERE seq = 299") }
    do {
      _ = try Self.session(folder, .smaCross, p, c)
      Issue.record("a tampered book was accepted")
    } catch {
      #expect("\(error)".contains("the fills rebuild units \(CSVWriter.format(book.units)), cash \(CSVWriter.format(book.cash))"), "\(error)")
    }
  }

  /// Killed between an intent (decided at a close, committed) and its fill (the next bar):
  /// the reopened session fills it once, and the files are the backtest's.
  @Test func aKillBetweenAnIntentAndItsFillFillsItOnce() async throws {
    let (_, c) = Self.configurations()[0]
    let p = ["fast": 10.0, "slow": 40.0]
    let expected = try Self.backtestFiles(.smaCross, p, c)
    let folder = TestPaths.temporaryDirectory().path
    let frame = try CSVReader.readOHLCV(path: Self.aapl)
    let events = try await Self.bars(frame)
    var cuts = 0, session = try Self.session(folder, .smaCross, p, c)
    for event in events {
      try session.take(event)
      let store = try SessionStore(folder: folder)
      if let intent = try store.snapshot().intents.last, intent.seq == session.processed - 1, cuts < 5 {
        // The intent is durable, its fill is not made: drop the session (as a kill does).
        #expect(try store.snapshot().orders.allSatisfy { $0.seq <= intent.seq })
        session = try Self.session(folder, .smaCross, p, c)
        cuts += 1
      }
    }
    #expect(cuts == 5)
    for (a, b) in zip(try session.files(), expected) { #expect(a.1 == b.1, "\(a.0) differs after \(cuts) cuts between intent and fill") }
    let ids = try SessionStore(folder: folder).snapshot().orders.map(\.id)
    #expect(Set(ids).count == ids.count)
  }

  /// A correction that repeats the bar changes nothing; one with new values is logged, never
  /// rewrites what was traded, feeds the indicators from then on, and is replayed on a reopen.
  @Test func correctionsNeverRewriteADecision() async throws {
    let c = BacktestConfiguration(), p = ["fast": 10.0, "slow": 40.0]
    let frame = try CSVReader.readOHLCV(path: Self.aapl)
    let events = try await Self.bars(frame)
    let expected = try Self.backtestFiles(.smaCross, p, c)
    // Same values: the files are the backtest's.
    let same = TestPaths.temporaryDirectory().path
    var session = try Self.session(same, .smaCross, p, c)
    for event in events {
      try session.take(event)
      if case let .bar(s, start, bar) = event { #expect(try session.take(.correction(symbol: s, start: start, bar)) == .noted) }
    }
    for (a, b) in zip(try session.files(), expected) { #expect(a.1 == b.1, "\(a.0) differs after corrections with the same values") }
    // New values at bar 1,000: orders up to it are the backtest's; the state reopens.
    let changed = TestPaths.temporaryDirectory().path
    session = try Self.session(changed, .smaCross, p, c)
    for (k, event) in events.enumerated() {
      try session.take(event)
      if k == 1000, case let .bar(s, start, bar) = event {
        let raised = OHLCVBar(open: bar.open, high: bar.high * 1.5, low: bar.low, close: bar.close * 1.5, volume: bar.volume)
        try session.take(.correction(symbol: s, start: start, raised))
      }
    }
    let full = try backtest(.smaCross, parameters: p, on: try MarketSeries(name: "aapl", frame: frame), configuration: c)
    let before = full.recording.orders.filter { $0.bar <= 1000 }
    #expect(Array(session.core.recorder.orders.prefix(before.count)).map(\.price) == before.map(\.price))
    let log = try String(contentsOfFile: changed + "/events.jsonl", encoding: .utf8)
    #expect(log.contains("\"kind\": \"correction\"") && log.contains("decisions already made stand"))
    let reopened = try PaperSession.reopen(folder: changed)
    #expect(reopened.core.recorder.orders.map(\.price) == session.core.recorder.orders.map(\.price))
  }

  @Test func eventsAndStatusDescribeWhatWasStored() async throws {
    let c = BacktestConfiguration(), p = ["fast": 10.0, "slow": 40.0]
    let folder = TestPaths.temporaryDirectory().path
    let frame = try CSVReader.readOHLCV(path: Self.aapl)
    let session = try Self.session(folder, .smaCross, p, c)
    for try await event in try ReplayFeed(symbol: "aapl", frame: frame).events() { try session.take(event) }
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
    for try await event in try ReplayFeed(symbol: "aapl", frame: frame).events() { try session.take(event) }
    #expect(try session.status.trades > 10)
    for (a, b) in zip(try session.files(), expected) { #expect(a.1 == b.1, "\(a.0) differs") }
    for (a, b) in zip(try PaperSession.reopen(folder: folder).files(), expected) { #expect(a.1 == b.1, "\(a.0) differs after a reopen") }
  }
}

/// Several symbols on one account: the replay of two files through a portfolio session gives
/// `portfolioBacktest`'s files byte for byte (assets on the union of their timestamps), also
/// when reopened part way; a bar for a time already traded is dropped.
@Suite struct PortfolioPaperSessionTests {
  static func markets() throws -> [MarketSeries] {
    try ["nvda_daily", "orcl_daily"].map { try MarketSeries(name: $0, frame: try CSVReader.readOHLCV(path: try TestPaths.sharedData($0 + ".csv"))) }
  }

  static func events(_ markets: [MarketSeries]) async throws -> [FeedEvent] {
    var events: [FeedEvent] = []
    for try await event in try ReplayFeed(series: markets.map { ($0.name, $0.frame) }).events() { events.append(event) }
    return events
  }

  @Test(arguments: [false, true])
  func aReplayGivesThePortfolioBacktestsFiles(reopened: Bool) async throws {
    let markets = try Self.markets()
    var c = BacktestConfiguration(); c.fee = 0.001
    let p = ["fast": 10.0, "slow": 40.0, "stop_atr": 2, "max_dd": 0.3]
    let expected = try portfolioBacktest(.smaCross, parameters: p, on: markets, configuration: c, positionFraction: 0.4, maxGrossExposure: 0.9).files()
    let union = Array(Set(markets.flatMap(\.timestamps))).sorted()
    let folder = TestPaths.temporaryDirectory().path
    func open() throws -> PortfolioPaperSession {
      try PortfolioPaperSession(folder: folder, symbols: markets.map(\.name), runner: StrategyRunner(kind: .smaCross, configuration: c),
                                parameters: p, configuration: c.resolved(for: union), positionFraction: 0.4, maxGrossExposure: 0.9)
    }
    var session = try open()
    let events = try await Self.events(markets)
    for (k, event) in events.enumerated() {
      try session.take(event)
      if reopened && k % 2500 == 1249 { session = try open() }  // as after a kill: the folder alone
    }
    #expect(try session.status.trades > 20)
    let files = try session.files()
    #expect(files.map(\.0) == expected.map(\.0))
    for (a, b) in zip(files, expected) { #expect(a.1 == b.1, "\(a.0) differs\(reopened ? " after reopening" : "")") }
    for (a, b) in zip(try PaperSessions.reopen(folder: folder).files(), expected) { #expect(a.1 == b.1, "\(a.0) differs from the folder alone") }
    // Once a time is traded, a bar for it cannot change it.
    #expect(try session.take(.bar(symbol: "nvda_daily", start: union[100], OHLCVBar(open: 1, high: 1, low: 1, close: 1, volume: 1))) != .processed(orders: 0))
  }

  @Test func whatThePortfolioEngineRefusesIsRefusedLive() throws {
    let folder = TestPaths.temporaryDirectory().path
    var c = BacktestConfiguration(); c.periodsPerYear = 252
    #expect(throws: BacktestError.self) {
      _ = try PortfolioPaperSession(folder: folder, symbols: ["A", "B"], runner: StrategyRunner(kind: .smaCross, configuration: c),
                                    parameters: ["take_atr": 2], configuration: c)
    }
    #expect(throws: BacktestError.self) {
      _ = try PortfolioPaperSession(folder: folder, symbols: ["A"], runner: StrategyRunner(kind: .smaCross, configuration: c), parameters: [:], configuration: c)
    }
  }
}

/// The drawdown halt is an event of the log, at the bar that triggered it.
@Suite struct HaltEventTests {
  @Test func aHaltIsLoggedWhenItHappens() async throws {
    let folder = TestPaths.temporaryDirectory().path
    let frame = try CSVReader.readOHLCV(path: PaperSessionTests.aapl)
    let p = ["fast": 10.0, "slow": 40.0, "max_dd": 0.1]
    let session = try PaperSessionTests.session(folder, .smaCross, p, BacktestConfiguration())
    for event in try await PaperSessionTests.bars(frame) { try session.take(event) }
    let expected = try backtest(.smaCross, parameters: p, on: try MarketSeries(name: "aapl", frame: frame), configuration: BacktestConfiguration())
    let halts = expected.recording.orders.filter { $0.clip == .halted }.count
    let log = try String(contentsOfFile: folder + "/events.jsonl", encoding: .utf8)
    #expect(halts > 0 && log.contains("\"kind\": \"halt\""), "no halt logged (\(halts) orders refused by the halt)")
    #expect(try session.status.halted)
  }
}

/// A state folder written by a newer Kairos is refused, not read.
@Suite struct SchemaTests {
  @Test func aNewerSchemaIsRefusedWithAClearMessage() async throws {
    let folder = TestPaths.temporaryDirectory().path
    try await SessionStore(folder: folder).database.write { try $0.execute(sql: "UPDATE meta SET value = '99' WHERE key = 'schema_version'") }
    do {
      _ = try SessionStore(folder: folder)
      Issue.record("a newer schema was opened")
    } catch {
      #expect("\(error)".hasSuffix("its schema is version 99, this Kairos reads version \(SessionStore.schemaVersion): it was written by a newer Kairos; use that one"), "\(error)")
    }
  }
}

/// A resumed replay must be of the file the session took its bars from.
@Suite struct ReplaySourceTests {
  @Test func anotherFileIsRefusedAndTheSameFileExtendedIsTaken() async throws {
    let frame = try CSVReader.readOHLCV(path: PaperSessionTests.aapl)
    let folder = TestPaths.temporaryDirectory().path
    let session = try PaperSessionTests.session(folder, .smaCross, ["fast": 10, "slow": 40], BacktestConfiguration())
    for event in try await PaperSessionTests.bars(frame).prefix(100) { try session.take(event) }
    try session.checkReplaySource(frame)  // the same file, longer: fine
    var changed = frame
    var close = Array(try frame.column("close")); close[50] += 0.01
    try changed.setColumn("close", Column(close))
    do {
      try session.checkReplaySource(changed)
      Issue.record("another file was accepted")
    } catch {
      #expect("\(error)".contains("the file no longer holds the bars this session took: at 2000-05-11T00:00:00Z its close is 102.82000000000001, the session took 102.81"), "\(error)")
    }
    #expect(throws: LiveError.self) { try session.checkReplaySource(frame.rows(at: Array(0..<40))) }
  }
}
