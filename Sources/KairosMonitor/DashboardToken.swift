import Foundation

/// The dashboard's bearer token: `KAIROS_DASHBOARD_TOKEN` when set, else the state folder's
/// `dashboard_token` (mode 0600), made on first use from 32 random bytes.
public enum DashboardToken {
  public static let fileName = "dashboard_token"
  public static let environmentVariable = "KAIROS_DASHBOARD_TOKEN"

  /// The token for `folder`, creating its file when there is none.
  public static func load(folder: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(MonitorError) -> String {
    if let token = environment[environmentVariable], !token.isEmpty {
      guard token.count >= 16 else { throw MonitorError.token(path: environmentVariable, reason: "a token of at least 16 characters is expected") }
      return token
    }
    let path = URL(fileURLWithPath: folder).appendingPathComponent(fileName).path
    if let text = try? String(contentsOfFile: path, encoding: .utf8) {
      let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
      guard token.count >= 16 else { throw MonitorError.token(path: path, reason: "holds no token (delete it to make a new one)") }
      return token
    }
    var generator = SystemRandomNumberGenerator()
    let token = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
    guard fd >= 0 else { throw MonitorError.token(path: path, reason: "cannot create it: \(String(cString: strerror(errno)))") }
    let line = Array((token + "\n").utf8)
    let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    fsync(fd)
    close(fd)
    guard written == line.count else { throw MonitorError.token(path: path, reason: "cannot write it") }
    return token
  }

  /// Equal, in time that depends only on the lengths (no early exit on the first difference).
  public static func matches(_ given: some StringProtocol, _ token: String) -> Bool {
    let a = Array(given.utf8), b = Array(token.utf8)
    var difference = UInt8(a.count == b.count ? 0 : 1)
    for i in 0..<Swift.max(a.count, b.count) { difference |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0) }
    return difference == 0
  }
}
