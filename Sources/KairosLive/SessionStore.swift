import Foundation
import GRDB
import KairosBacktest

/// The durable state of a paper session (`state.sqlite` in the state folder; docs/DESIGN.md
/// §10): WAL, `synchronous=FULL`, the schema version stored. The session is event-sourced:
/// each processed bar is committed in one transaction with the orders it produced, so a kill at
/// any moment leaves either the whole bar or none of it; on restart the bars are replayed
/// through a fresh engine core (deterministic) and its orders must equal the stored ones.
public final class SessionStore {
  public static let schemaVersion = 2
  let database: DatabaseQueue

  /// Opens (or creates) `state.sqlite` in `folder`.
  ///
  /// - Throws: `LiveError.state` when the folder cannot be created or is read-only (no write
  ///   permission bit, also for root: a folder made read-only is meant to stay as it is).
  public init(folder: String) throws {
    do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
      throw LiveError.state(folder: folder, reason: "it cannot be created (\((error as NSError).localizedDescription))")
    }
    for path in [folder, URL(fileURLWithPath: folder).appendingPathComponent("state.sqlite").path] {
      var info = stat()
      if stat(path, &info) == 0 && info.st_mode & 0o222 == 0 {
        throw LiveError.state(folder: folder, reason: "\(path == folder ? "the folder" : "state.sqlite") is read-only; a session must write its state")
      }
    }
    var configuration = Configuration()
    // Another process may be reading or writing (`kairos paper status` beside a running
    // session): wait for its lock rather than fail.
    configuration.busyMode = .timeout(10)
    configuration.prepareDatabase { db in
      try db.execute(sql: "PRAGMA journal_mode = WAL")
      try db.execute(sql: "PRAGMA synchronous = FULL")
    }
    database = try DatabaseQueue(path: URL(fileURLWithPath: folder).appendingPathComponent("state.sqlite").path, configuration: configuration)
    // A folder that has its schema is only read here: a look at a running session writes nothing.
    let created = try database.read { db in try db.tableExists("meta") }
    if !created { try database.write { db in
      try db.execute(sql: """
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS bars (seq INTEGER PRIMARY KEY, symbol TEXT NOT NULL, start INTEGER NOT NULL,
          open REAL, high REAL, low REAL, close REAL, volume REAL, UNIQUE (symbol, start));
        CREATE TABLE IF NOT EXISTS orders (id TEXT PRIMARY KEY, ordinal INTEGER NOT NULL UNIQUE, seq INTEGER NOT NULL, side INTEGER NOT NULL, units REAL NOT NULL,
          price REAL NOT NULL, fee REAL NOT NULL, reason TEXT NOT NULL, status TEXT NOT NULL, clip TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS intents (id TEXT PRIMARY KEY, seq INTEGER NOT NULL, symbol TEXT NOT NULL, target INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS corrections (seq INTEGER NOT NULL, symbol TEXT NOT NULL, start INTEGER NOT NULL,
          open REAL, high REAL, low REAL, close REAL, volume REAL, PRIMARY KEY (seq, symbol, start));
        CREATE TABLE IF NOT EXISTS models (version INTEGER PRIMARY KEY, seq INTEGER NOT NULL, model TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS positions (seq INTEGER PRIMARY KEY, symbol TEXT NOT NULL, units REAL NOT NULL, cash REAL NOT NULL, equity REAL NOT NULL);
        """)
      try db.execute(sql: "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)", arguments: [String(Self.schemaVersion)])
    } }
    let version = try database.read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'schema_version'") }
    guard version == String(Self.schemaVersion) else {
      let newer = (version.flatMap { Int($0) } ?? 0) > Self.schemaVersion
      throw LiveError.state(folder: folder, reason: "its schema is version \(version ?? "?"), this Kairos reads version \(Self.schemaVersion)"
                              + (newer ? ": it was written by a newer Kairos; use that one" : ": export it with the Kairos that wrote it and start a new folder"))
    }
  }

  /// Bars stored so far (a dashboard polls it).
  public func barCount() throws -> Int {
    try database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM bars") ?? 0 }
  }

  /// A setting of the session (`session_id`, `settings`), or `nil`.
  public func meta(_ key: String) throws -> String? {
    try database.read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key]) }
  }

  public func setMeta(_ key: String, _ value: String) throws { try setMeta([(key, value)]) }

  /// Several settings in one transaction: a kill leaves all of them or none.
  public func setMeta(_ values: [(String, String)]) throws {
    try database.write { db in
      for (key, value) in values { try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", arguments: [key, value]) }
    }
  }

  /// A processed bar as stored.
  public struct StoredBar: Sendable, Equatable {
    public let symbol: String, start: Int64, bar: OHLCVBar
  }

  /// Everything a session replays on start, read in one transaction: one consistent state even
  /// while the session writes (`kairos paper status` beside a running session).
  public struct Snapshot: Sendable {
    /// Every processed bar, in processing order.
    public var bars: [StoredBar]
    /// Every stored order id with its fields (side, units, price, fee), in order.
    public var orders: [(id: String, seq: Int, record: [Double])]
    /// Every order intent: its id, the bar that decided it, the target.
    public var intents: [(id: String, seq: Int, target: Int)]
    /// Every correction: the bar as corrected, taken after bar `seq`.
    public var corrections: [(seq: Int, bar: StoredBar)]
    /// Every model version (live model risk): the bar that fitted it and its JSON.
    public var models: [(version: Int, seq: Int, json: String)]
    /// The book after the last bar (nil before the first).
    public var lastBook: (units: Double, cash: Double, equity: Double)?
  }

  public func snapshot() throws -> Snapshot {
    try database.read { db in
      Snapshot(
        bars: try Row.fetchAll(db, sql: "SELECT symbol, start, open, high, low, close, volume FROM bars ORDER BY seq").map { row in
          StoredBar(symbol: row["symbol"], start: row["start"], bar: Self.bar(row))
        },
        orders: try Row.fetchAll(db, sql: "SELECT id, seq, side, units, price, fee FROM orders ORDER BY ordinal").map { row in
          (row["id"], row["seq"], [Double(row["side"] as Int), row["units"], row["price"], row["fee"]])
        },
        intents: try Row.fetchAll(db, sql: "SELECT id, seq, target FROM intents ORDER BY seq").map { ($0["id"], $0["seq"], $0["target"]) },
        corrections: try Row.fetchAll(db, sql: "SELECT seq, symbol, start, open, high, low, close, volume FROM corrections ORDER BY seq, rowid").map { row in
          (row["seq"], StoredBar(symbol: row["symbol"], start: row["start"], bar: Self.bar(row)))
        },
        models: try Row.fetchAll(db, sql: "SELECT version, seq, model FROM models ORDER BY version").map { ($0["version"], $0["seq"], $0["model"]) },
        lastBook: try Row.fetchOne(db, sql: "SELECT units, cash, equity FROM positions ORDER BY seq DESC LIMIT 1").map { ($0["units"], $0["cash"], $0["equity"]) })
    }
  }

  static func bar(_ row: Row) -> OHLCVBar {
    func price(_ column: String) -> Double { (row[column] as Double?) ?? .nan }  // SQLite stores NaN as NULL
    return OHLCVBar(open: price("open"), high: price("high"), low: price("low"), close: price("close"), volume: price("volume"))
  }

  /// What one processed bar changed, committed in one transaction: the bar, the orders it
  /// filled (with their position in the session's order sequence, `ordinal`), the intents it
  /// decided (filled on a later bar: durable before their fill) and the book after its close.
  public struct BarCommit {
    public var seq: Int, symbol: String, start: Int64, bar: OHLCVBar
    public var orders: [(id: String, ordinal: Int, record: OrderRecord)]
    public var intents: [(id: String, target: Int)]
    public var book: (units: Double, cash: Double, equity: Double)
    /// Models fitted at this bar (live model risk), with their version numbers.
    public var models: [(version: Int, json: String)] = []
    public init(seq: Int, symbol: String, start: Int64, bar: OHLCVBar, orders: [(id: String, ordinal: Int, record: OrderRecord)],
                intents: [(id: String, target: Int)], book: (units: Double, cash: Double, equity: Double), models: [(version: Int, json: String)] = []) {
      self.seq = seq; self.symbol = symbol; self.start = start; self.bar = bar; self.orders = orders; self.intents = intents; self.book = book
      self.models = models
    }
  }

  public func commit(_ c: BarCommit) throws {
    try database.write { db in
      try db.execute(sql: "INSERT INTO bars (seq, symbol, start, open, high, low, close, volume) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     arguments: StatementArguments([c.seq, c.symbol, c.start] + Self.values(c.bar)))
      for (id, ordinal, o) in c.orders {
        try db.execute(sql: "INSERT INTO orders (id, ordinal, seq, side, units, price, fee, reason, status, clip) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       arguments: [id, ordinal, c.seq, Int(o.side), o.units, o.price, o.fee, o.reason.rawValue, o.status.rawValue, o.clip.rawValue])
      }
      for (id, target) in c.intents {
        try db.execute(sql: "INSERT INTO intents (id, seq, symbol, target) VALUES (?, ?, ?, ?)", arguments: [id, c.seq, c.symbol, target])
      }
      for (version, json) in c.models {
        try db.execute(sql: "INSERT INTO models (version, seq, model) VALUES (?, ?, ?)", arguments: [version, c.seq, json])
      }
      try db.execute(sql: "INSERT INTO positions (seq, symbol, units, cash, equity) VALUES (?, ?, ?, ?, ?)",
                     arguments: [c.seq, c.symbol, c.book.units, c.book.cash, c.book.equity])
    }
  }

  /// Stores a correction taken after bar `seq`.
  public func commitCorrection(seq: Int, symbol: String, start: Int64, bar: OHLCVBar) throws {
    try database.write { db in
      try db.execute(sql: "INSERT OR REPLACE INTO corrections (seq, symbol, start, open, high, low, close, volume) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     arguments: StatementArguments([seq, symbol, start] + Self.values(bar)))
    }
  }

  static func values(_ bar: OHLCVBar) -> [(any DatabaseValueConvertible)?] {
    [bar.open, bar.high, bar.low, bar.close, bar.volume].map { $0.isNaN ? nil : $0 }
  }
}
