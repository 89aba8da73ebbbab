import Foundation
import KairosCore

/// `events.jsonl` of a state folder (docs/DESIGN.md §10): one JSON object a line — kind,
/// severity, symbol, bar time, wall time, details — appended as things happen, so a dashboard
/// or `tail -f` sees them and a crash loses at most the line being written.
public struct EventLog: Sendable {
  public enum Severity: String, Sendable { case info, warning, error }
  public let path: String
  /// `false`: appends nothing (a read-only look at a state folder).
  public let enabled: Bool

  public init(folder: String, enabled: Bool = true) {
    path = URL(fileURLWithPath: folder).appendingPathComponent("events.jsonl").path
    self.enabled = enabled
  }

  /// Appends one event (`O_APPEND`: lines from one writer never interleave).
  public func append(_ kind: String, _ severity: Severity = .info, symbol: String? = nil, barTime: Int64? = nil, details: [String: String] = [:]) {
    guard enabled else { return }
    var fields: [String] = ["\"kind\": \(JSONText.quoted(kind))", "\"severity\": \"\(severity.rawValue)\""]
    if let symbol { fields.append("\"symbol\": \(JSONText.quoted(symbol))") }
    if let barTime { fields.append("\"bar_time\": \"\(UTCCalendar.iso8601(barTime))\"") }
    let now = Int64(Date().timeIntervalSince1970 * 1e9)
    fields.append("\"wall_time\": \"\(UTCCalendar.iso8601(now))\"")
    if !details.isEmpty {
      fields.append("\"details\": {" + details.keys.sorted().map { "\(JSONText.quoted($0)): \(JSONText.quoted(details[$0]!))" }.joined(separator: ", ") + "}")
    }
    let line = Array(("{" + fields.joined(separator: ", ") + "}\n").utf8)
    let fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
    guard fd >= 0 else { return }  // the log never stops trading
    _ = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    close(fd)
  }
}
