import Foundation

/// A file written in pieces that appears at its path only when complete: the pieces go to a
/// hidden temporary sibling, `commit` flushes it and renames it over the destination, `abort`
/// (or an error) removes it. For outputs too large to build in memory (a sweep's result matrix).
/// As `AtomicFile`: a symlink is written through to its target, and a special file (FIFO,
/// device) is written directly as the pieces come.
public final class StreamingFile {
  public let path: String
  public let temporaryPath: String
  /// Writing straight into a special file: nothing to rename or remove.
  let direct: Bool
  /// Standard output: written through the open descriptor, never closed.
  let isStandardOutput: Bool
  private var handle: FileHandle?
  /// Bytes appended since the data last went to disk.
  private var unsynced = 0
  /// The data is flushed to disk (`fdatasync`) every this many bytes while the file grows, so
  /// that `commit` waits for the last piece only, not for the whole file: the writer of a
  /// sweep waits here while the workers go on computing, where at the end everyone waits
  /// (a 10 MB matrix took ~12 ms to flush at the end).
  public static let syncInterval = 4 << 20

  /// Standard output (`--out -`), written as the pieces come. Through the process's own
  /// descriptor, not the path `/dev/stdout`: a path is resolved again and, if the machine's
  /// `/dev/stdout` is not the usual link (a container's), would be replaced by a regular file.
  public static func standardOutput() -> StreamingFile { StreamingFile() }

  private init() {
    path = "-"
    temporaryPath = "-"
    direct = true
    isStandardOutput = true
    handle = FileHandle.standardOutput
  }

  /// Creates the temporary file (and the destination's folder).
  public init(path requested: String) throws(AtomicFile.WriteError) {
    let (path, direct) = AtomicFile.destination(of: requested)
    self.path = path
    self.direct = direct
    isStandardOutput = false
    if direct {
      temporaryPath = path
      guard let handle = FileHandle(forWritingAtPath: path) else { throw AtomicFile.WriteError(path: path, reason: "cannot open it for writing") }
      self.handle = handle
      return
    }
    let url = URL(fileURLWithPath: path)
    temporaryPath = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial-\(getpid())").path
    do { try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true) } catch {
      throw AtomicFile.WriteError(path: path, reason: "cannot create its folder: \(error.localizedDescription)")
    }
    guard FileManager.default.createFile(atPath: temporaryPath, contents: nil), let handle = FileHandle(forWritingAtPath: temporaryPath) else {
      throw AtomicFile.WriteError(path: path, reason: "cannot create \(temporaryPath)")
    }
    self.handle = handle
  }

  /// Appends `bytes`.
  public func append(_ bytes: [UInt8]) throws(AtomicFile.WriteError) {
    guard let handle else { throw AtomicFile.WriteError(path: path, reason: "already committed or aborted") }
    do { try handle.write(contentsOf: bytes) } catch {
      abort()
      throw AtomicFile.WriteError(path: path, reason: error.localizedDescription)
    }
    guard !direct else { return }
    unsynced += bytes.count
    if unsynced >= Self.syncInterval {
      unsynced = 0
      // A failure now is the write's failure: Linux reports it once, so `commit` would not.
      if fdatasync(handle.fileDescriptor) != 0 {
        let reason = String(cString: strerror(errno))
        abort()
        throw AtomicFile.WriteError(path: path, reason: reason)
      }
    }
  }

  /// Flushes the file to disk and moves it into place.
  public func commit() throws(AtomicFile.WriteError) {
    guard let handle else { throw AtomicFile.WriteError(path: path, reason: "already committed or aborted") }
    do {
      if !direct { try handle.synchronize() }
      if !isStandardOutput { try handle.close() }
    } catch {
      abort()
      throw AtomicFile.WriteError(path: path, reason: error.localizedDescription)
    }
    self.handle = nil
    if direct { return }
    guard rename(temporaryPath, path) == 0 else {
      let reason = String(cString: strerror(errno))
      unlink(temporaryPath)
      throw AtomicFile.WriteError(path: path, reason: reason)
    }
  }

  /// Removes the temporary file; the destination is untouched.
  public func abort() {
    if !isStandardOutput { try? handle?.close() }
    handle = nil
    if !direct { unlink(temporaryPath) }
  }

  deinit { if handle != nil { abort() } }
}
