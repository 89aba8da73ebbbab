import Foundation

/// Paths the tests read from.
public enum TestPaths {
  /// The repository root (found from this file's location).
  public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  /// The developer data set: `$KAIROS_SHARED_DATA`, else `shared/data` beside the repository
  /// (CI lays it there). The project itself never needs it; the tests that compare with real
  /// market data do, and they fail with this error when it is missing instead of skipping.
  public static func sharedData() throws -> URL {
    let environment = ProcessInfo.processInfo.environment["KAIROS_SHARED_DATA"]
    let url = environment.map { URL(fileURLWithPath: $0) }
      ?? repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/data")
    guard FileManager.default.fileExists(atPath: url.appendingPathComponent("README.md").path) else {
      throw MissingSharedData(path: url.path)
    }
    return url
  }

  /// A file of the developer data set.
  public static func sharedData(_ name: String) throws -> String {
    try sharedData().appendingPathComponent(name).path
  }

  /// A bundled sample file, read from the source tree.
  public static func sample(_ name: String) -> String {
    repositoryRoot.appendingPathComponent("Sources/KairosIO/SampleData").appendingPathComponent(name).path
  }

  /// A fresh temporary directory.
  public static func temporaryDirectory() -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("kairos-tests-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  /// Writes `text` to a new temporary file named `name` and returns its path.
  public static func writeTemporary(_ text: String, name: String = "input.csv") -> String {
    let url = temporaryDirectory().appendingPathComponent(name)
    try! Data(text.utf8).write(to: url)
    return url.path
  }

  /// Writes raw bytes to a new temporary file.
  public static func writeTemporary(bytes: [UInt8], name: String = "input.csv") -> String {
    let url = temporaryDirectory().appendingPathComponent(name)
    try! Data(bytes).write(to: url)
    return url.path
  }
}

/// The developer data set is not where the tests look for it.
public struct MissingSharedData: Error, CustomStringConvertible {
  public let path: String
  public var description: String {
    "the developer data set is missing at \(path) (it holds README.md and the real-market CSVs); set KAIROS_SHARED_DATA to its folder"
  }
}
