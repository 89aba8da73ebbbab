import Foundation

/// What the dashboard reads from a state folder's `events.jsonl`, incrementally (from where it
/// stopped): the alert history, and per symbol the gaps and reconnects the feed reported.
public struct EventTail: Sendable {
  public let path: String
  var offset: UInt64 = 0
  var partial: [UInt8] = []
  /// The alert lines (the `details` object plus `bar_time`, `wall_time`, `severity`), oldest first; the last 500.
  public private(set) var alerts: [[String: String]] = []
  public private(set) var gaps: [String: Int] = [:]
  public private(set) var reconnects = 0
  public private(set) var lines = 0

  public init(folder: String) { path = URL(fileURLWithPath: folder).appendingPathComponent("events.jsonl").path }

  /// Reads what was appended since the last call.
  public mutating func refresh() {
    guard let handle = FileHandle(forReadingAtPath: path) else { return }
    defer { try? handle.close() }
    guard (try? handle.seek(toOffset: offset)) != nil, let data = try? handle.readToEnd(), !data.isEmpty else { return }
    offset += UInt64(data.count)
    var bytes = partial + Array(data)
    partial = []
    if let last = bytes.lastIndex(of: 0x0A), last < bytes.count - 1 { partial = Array(bytes[(last + 1)...]); bytes.removeSubrange((last + 1)...) }
    else if bytes.last != 0x0A { partial = bytes; return }
    for line in bytes.split(separator: 0x0A) {
      guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any], let kind = object["kind"] as? String else { continue }
      lines += 1
      let details = object["details"] as? [String: String] ?? [:]
      switch kind {
      case "alert":
        var alert = details
        for key in ["bar_time", "wall_time", "severity"] { alert[key] = object[key] as? String }
        alerts.append(alert)
        if alerts.count > 600 { alerts.removeFirst(100) }
      case "gap": gaps[object["symbol"] as? String ?? "", default: 0] += 1
      case "feed_reconnecting": reconnects += 1
      default: break
      }
    }
  }
}
