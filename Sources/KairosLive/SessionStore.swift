import Foundation
import GRDB
import KairosBacktest

/// The durable state of a paper session (`state.sqlite` in the state folder; docs/DESIGN.md
/// §10): WAL, `synchronous=FULL`, the schema version stored. The session is event-sourced:
/// each processed bar is committed in one transaction with the orders it produced, so a kill at
/// any moment leaves either the whole bar or none of it; on restart the bars are replayed
/// through a fresh engine core (deterministic) and its orders must equal the stored ones.
public final class SessionStore {
  public static let schemaVersion = 1
  let database: DatabaseQueue

  /// Opens (or creates) `state.sqlite` in `folder`.
  public init(folder: String) throws {
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    var configuration = Configuration()
    configuration.prepareDatabase { db in
      try db.execute(sql: "PRAGMA journal_mode = WAL")
      try db.execute(sql: "PRAGMA synchronous = FULL")
    }
    database = try DatabaseQueue(path: URL(fileURLWithPath: folder).appendingPathComponent("state.sqlite").path, configuration: configuration)
    try database.write { db in
      try db.execute(sql: """
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS bars (seq INTEGER PRIMARY KEY, symbol TEXT NOT NULL, start INTEGER NOT NULL,
          open REAL, high REAL, low REAL, close REAL, volume REAL, UNIQUE (symbol, start));
        CREATE TABLE IF NOT EXISTS orders (id TEXT PRIMARY KEY, ordinal INTEGER NOT NULL UNIQUE, seq INTEGER NOT NULL, side INTEGER NOT NULL, units REAL NOT NULL,
          price REAL NOT NULL, fee REAL NOT NULL, reason TEXT NOT NULL, status TEXT NOT NULL, clip TEXT NOT NULL);
        """)
      try db.execute(sql: "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)", arguments: [String(Self.schemaVersion)])
    }
    let version = try database.read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'schema_version'") }
    guard version == String(Self.schemaVersion) else {
      throw LiveError.state(folder: folder, reason: "schema version \(version ?? "?"), this build reads \(Self.schemaVersion)")
    }
  }

  /// A setting of the session (`session_id`, `settings`), or `nil`.
  public func meta(_ key: String) throws -> String? {
    try database.read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key]) }
  }

  public func setMeta(_ key: String, _ value: String) throws {
    try database.write { db in try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", arguments: [key, value]) }
  }

  /// A processed bar as stored.
  public struct StoredBar: Sendable, Equatable {
    public let symbol: String, start: Int64, bar: OHLCVBar
  }

  /// Every processed bar, in processing order.
  public func bars() throws -> [StoredBar] {
    try database.read { db in
      try Row.fetchAll(db, sql: "SELECT symbol, start, open, high, low, close, volume FROM bars ORDER BY seq").map { row in
        func price(_ column: String) -> Double { (row[column] as Double?) ?? .nan }  // SQLite stores NaN as NULL
        return StoredBar(symbol: row["symbol"], start: row["start"],
                         bar: OHLCVBar(open: price("open"), high: price("high"), low: price("low"), close: price("close"), volume: price("volume")))
      }
    }
  }

  /// Every stored order id with its fields, in bar order.
  public func orders() throws -> [(id: String, seq: Int, record: [Double])] {
    try database.read { db in
      try Row.fetchAll(db, sql: "SELECT id, seq, side, units, price, fee FROM orders ORDER BY ordinal").map { row in
        (row["id"], row["seq"], [Double(row["side"] as Int), row["units"], row["price"], row["fee"]])
      }
    }
  }

  /// Commits bar number `seq` and the orders it produced, in one transaction.
  /// `orders` carry their position in the session's order sequence (`ordinal`).
  public func commit(seq: Int, symbol: String, start: Int64, bar: OHLCVBar, orders: [(id: String, ordinal: Int, record: OrderRecord)]) throws {
    try database.write { db in
      func value(_ x: Double) -> Double? { x.isNaN ? nil : x }
      try db.execute(sql: "INSERT INTO bars (seq, symbol, start, open, high, low, close, volume) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     arguments: [seq, symbol, start, value(bar.open), value(bar.high), value(bar.low), value(bar.close), value(bar.volume)])
      for (id, ordinal, o) in orders {
        try db.execute(sql: "INSERT INTO orders (id, ordinal, seq, side, units, price, fee, reason, status, clip) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       arguments: [id, ordinal, seq, Int(o.side), o.units, o.price, o.fee, o.reason.rawValue, o.status.rawValue, o.clip.rawValue])
      }
    }
  }
}
