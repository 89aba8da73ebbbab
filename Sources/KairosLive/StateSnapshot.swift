import Foundation
import KairosIO

/// What a state folder held before a run, so that a run that fails before it takes its first
/// bar (a feed URL that refuses, credentials refused) leaves the folder as it found it: the
/// files it created removed, `events.jsonl` cut back, the feed state put back.
public struct StateSnapshot: Sendable {
  public let folder: String
  let folderExisted: Bool
  let stateExisted: Bool
  let eventsSize: UInt64?
  let feedState: [UInt8]?

  public init(folder: String) {
    self.folder = folder
    let files = FileManager.default
    folderExisted = files.fileExists(atPath: folder)
    stateExisted = files.fileExists(atPath: Self.path(folder, "state.sqlite"))
    eventsSize = (try? files.attributesOfItem(atPath: Self.path(folder, "events.jsonl")))?[.size] as? UInt64
    feedState = (try? Data(contentsOf: URL(fileURLWithPath: SessionJournal.feedStatePath(folder)))).map(Array.init)
  }

  static func path(_ folder: String, _ name: String) -> String { URL(fileURLWithPath: folder).appendingPathComponent(name).path }

  /// Puts the folder back as it was.
  public func restore() {
    let files = FileManager.default
    if !stateExisted {
      for name in ["state.sqlite", "state.sqlite-wal", "state.sqlite-shm"] { try? files.removeItem(atPath: Self.path(folder, name)) }
    }
    if let feedState { try? AtomicFile.write(feedState, to: SessionJournal.feedStatePath(folder)) } else { try? files.removeItem(atPath: SessionJournal.feedStatePath(folder)) }
    let events = Self.path(folder, "events.jsonl")
    if let eventsSize { truncate(events, off_t(eventsSize)) } else { try? files.removeItem(atPath: events) }
    if !folderExisted, (try? files.contentsOfDirectory(atPath: folder))?.isEmpty == true { try? files.removeItem(atPath: folder) }
  }
}
