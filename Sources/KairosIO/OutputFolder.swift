import Foundation
import KairosCore

/// An output folder of a command (`kairos backtest --out DIR`, `portfolio`, `walkforward`,
/// `compare`): its files, each written atomically, then `manifest.json` last, so a folder with a
/// manifest is complete (docs/DESIGN.md §8).
public enum OutputFolder {
  /// Writes `files` (name relative to `directory`, bytes) and then the manifest naming them.
  public static func write(_ files: [(String, [UInt8])], manifest: RunFolder.Manifest, to directory: String) throws(AtomicFile.WriteError) {
    for (name, bytes) in files {
      try AtomicFile.write(bytes, to: URL(fileURLWithPath: directory).appendingPathComponent(name).path)
    }
    var manifest = manifest
    manifest.files = files.map(\.0)
    try AtomicFile.write(manifest.encoded(), to: URL(fileURLWithPath: directory).appendingPathComponent("manifest.json").path)
  }
}

extension RunFolder.Manifest {
  /// A manifest of this version of Kairos, created at `now` (nanoseconds since the epoch,
  /// written to the second).
  public init(command: [String], dataFiles: [RunFolder.DataFile], settings: [String: String], now: Int64, seed: UInt64? = nil, files: [String] = []) {
    self.init(kairos_version: KairosVersion.current, command: command, created_at: UTCCalendar.iso8601(now - now % UTCCalendar.nanosecondsPerSecond),
              seed: seed, data_files: dataFiles, files: files, settings: settings)
  }

  /// Pretty-printed JSON with sorted keys and a final newline (stable bytes for a given manifest).
  public func encoded() -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    // Strings, integers and string maps only: encoding cannot fail.
    return Array((try? encoder.encode(self)) ?? Data()) + [0x0A]
  }

  /// Reads `manifest.json` of `directory`; nil when there is none or it is not a manifest.
  public static func read(directory: String) -> RunFolder.Manifest? {
    guard let data = FileManager.default.contents(atPath: URL(fileURLWithPath: directory).appendingPathComponent("manifest.json").path) else { return nil }
    return try? JSONDecoder().decode(RunFolder.Manifest.self, from: data)
  }
}

extension RunFolder {
  /// One call: a complete run folder under `root` (notebooks-export) with `files` and the
  /// manifest's command, data files, seed and settings, stamped now. Nothing is left behind on
  /// failure. Returns the folder's path.
  public static func write(_ files: [(String, [UInt8])], manifest: Manifest, command: String, root: String, now: Int64) throws(AtomicFile.WriteError) -> String {
    let folder = try RunFolder(root: root, command: command, now: now)
    do {
      for (name, bytes) in files { try folder.write(name, bytes: bytes) }
      try folder.finish(command: manifest.command, seed: manifest.seed, dataFiles: manifest.data_files, settings: manifest.settings, now: now)
    } catch {
      folder.discard()
      throw error
    }
    return folder.path
  }
}
