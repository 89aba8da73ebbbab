import Foundation

/// The public-domain sample files bundled with Kairos (see `SampleData/README.md`).
///
/// They are copied next to the executable as a resource folder; `KAIROS_SAMPLE_DATA` overrides
/// the folder. Unlike SwiftPM's generated `Bundle.module`, a missing folder is a clear error,
/// not a crash.
public enum SampleData {
  /// AAPL daily OHLCV, unadjusted, 2000-03-01 .. 2013-03-01, with the source's `adj_close`.
  public static let aaplDailyUnadjusted = "aapl_daily_unadjusted.csv"
  /// AAPL splits and dividends in that range.
  public static let aaplCorporateActions = "aapl_corporate_actions.csv"

  /// The path of a bundled file.
  public static func path(_ name: String) throws(CSVError) -> String {
    for directory in candidateDirectories() {
      let path = directory.appendingPathComponent(name).path
      if FileManager.default.fileExists(atPath: path) { return path }
    }
    throw CSVError.cannotRead(
      file: name,
      reason: "the bundled sample data was not found next to the executable (kairos_KairosIO.resources/SampleData); set KAIROS_SAMPLE_DATA to the folder that holds it")
  }

  static func candidateDirectories() -> [URL] {
    var result: [URL] = []
    if let override = ProcessInfo.processInfo.environment["KAIROS_SAMPLE_DATA"] {
      result.append(URL(fileURLWithPath: override))
    }
    let bundleName = "kairos_KairosIO.resources"
    var roots = [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
    if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() {
      roots.append(executable.deletingLastPathComponent())
    }
    for root in roots {
      result.append(root.appendingPathComponent(bundleName).appendingPathComponent("SampleData"))
      result.append(root.appendingPathComponent(bundleName))
    }
    return result
  }
}
