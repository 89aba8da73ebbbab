import Foundation
import KairosCore

/// A run folder of the notebooks-export contract (`notebooks-export/README.md`, docs/DESIGN.md §9):
/// `<root>/<YYYYMMDDTHHMMSSZ>-<command>/` with `manifest.json` and the run's CSVs.
///
/// Files are written into a hidden temporary sibling folder, which `finish` renames into place
/// once the manifest is written, so a notebook never sees half a run (and a failed run leaves
/// nothing but the temporary folder, removed by `discard`).
public final class RunFolder {
  /// The final path of the run folder.
  public let path: String
  /// Where files go until `finish`.
  public let temporaryPath: String
  public let runID: String
  private var files: [String] = []

  public struct DataFile: Codable, Sendable {
    public var path: String
    public var sha256: String
    public var rows: Int

    public init(path: String, sha256: String, rows: Int) { self.path = path; self.sha256 = sha256; self.rows = rows }
  }

  public struct Manifest: Codable, Sendable {
    public var kairos_version: String
    public var command: [String]
    public var created_at: String
    public var seed: UInt64?
    public var data_files: [DataFile]
    public var files: [String]
    public var settings: [String: String]

    public init(kairos_version: String, command: [String], created_at: String, seed: UInt64?, data_files: [DataFile], files: [String], settings: [String: String]) {
      self.kairos_version = kairos_version; self.command = command; self.created_at = created_at; self.seed = seed
      self.data_files = data_files; self.files = files; self.settings = settings
    }
  }

  /// Creates the temporary folder under `root`.
  public init(root: String, command: String, now: Int64) throws(AtomicFile.WriteError) {
    let stamp = UTCCalendar.iso8601(now - now % UTCCalendar.nanosecondsPerSecond).filter { $0.isNumber || $0 == "T" } + "Z"
    runID = "\(stamp)-\(command)"
    path = URL(fileURLWithPath: root).appendingPathComponent(runID).path
    temporaryPath = URL(fileURLWithPath: root).appendingPathComponent(".\(runID).partial").path
    do { try FileManager.default.createDirectory(atPath: temporaryPath, withIntermediateDirectories: true) } catch {
      throw AtomicFile.WriteError(path: temporaryPath, reason: error.localizedDescription)
    }
  }

  /// Writes one file of the run.
  public func write(_ name: String, bytes: [UInt8]) throws(AtomicFile.WriteError) {
    try AtomicFile.write(bytes, to: URL(fileURLWithPath: temporaryPath).appendingPathComponent(name).path)
    files.append(name)
  }

  /// Fingerprint of an input file for the manifest.
  public static func dataFile(_ path: String, rows: Int) -> DataFile {
    let bytes = (try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data()
    return DataFile(path: path, sha256: SHA256.hex(bytes), rows: rows)
  }

  /// Writes `manifest.json` and moves the folder into place.
  public func finish(command: [String], seed: UInt64? = nil, dataFiles: [DataFile], settings: [String: String], now: Int64) throws(AtomicFile.WriteError) {
    try write("manifest.json", bytes: Manifest(command: command, dataFiles: dataFiles, settings: settings, now: now, seed: seed, files: files).encoded())
    if rename(temporaryPath, path) != 0 {
      throw AtomicFile.WriteError(path: path, reason: String(cString: strerror(errno)))
    }
  }

  /// Removes the temporary folder (after a failure or an interruption).
  public func discard() { try? FileManager.default.removeItem(atPath: temporaryPath) }
}
