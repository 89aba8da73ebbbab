import Foundation

/// Paths the tests read from.
public enum TestPaths {
  /// The repository root (found from this file's location).
  public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  /// The developer data set `../shared/data`, or `nil` when it is absent (the project must run
  /// without it; tests that need it are skipped then).
  public static let sharedData: URL? = {
    let url = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/data")
    return FileManager.default.fileExists(atPath: url.appendingPathComponent("README.md").path) ? url : nil
  }()

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
