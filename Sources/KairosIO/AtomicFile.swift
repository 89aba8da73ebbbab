import Foundation

/// Writes files so that a reader sees either the old file or the complete new one, never a
/// half-written file: the bytes go to a temporary file in the same directory, are flushed, and
/// the temporary file is renamed over the destination (rename is atomic within a file system).
public enum AtomicFile {
  /// The error of a failed atomic write; the destination is left untouched.
  public struct WriteError: Error, Equatable, Sendable, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "\(path): cannot write: \(reason)" }
  }

  /// Where a write to `path` goes: through a symlink to its target (the link stays a link),
  /// and `direct` for an existing file that is not a regular file (a FIFO, `/dev/null`, a
  /// terminal), which is opened and written, never replaced by a regular file.
  public static func destination(of path: String) -> (path: String, direct: Bool) {
    // A special file (FIFO, device, the pipe behind /dev/stdout) is written through the path
    // given: its links need not resolve to text that names anything (`pipe:[603570]`).
    var first = stat()
    if stat(path, &first) == 0 && (first.st_mode & S_IFMT) != S_IFREG && (first.st_mode & S_IFMT) != S_IFDIR { return (path, true) }
    var target = path
    for _ in 0..<40 {  // a symlink loop ends here; the write then fails naming the path
      var link = stat()
      guard lstat(target, &link) == 0, (link.st_mode & S_IFMT) == S_IFLNK else { break }
      var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
      let n = readlink(target, &buffer, buffer.count - 1)
      guard n > 0 else { break }
      let text = String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
      target = text.hasPrefix("/") ? text : URL(fileURLWithPath: target).deletingLastPathComponent().appendingPathComponent(text).path
    }
    var info = stat()
    let special = stat(target, &info) == 0 && (info.st_mode & S_IFMT) != S_IFREG && (info.st_mode & S_IFMT) != S_IFDIR
    return (target, special)
  }

  /// Writes `bytes` to an existing special file (FIFO, device) as they come.
  static func writeDirectly(_ bytes: [UInt8], to path: String) throws(WriteError) {
    let fd = open(path, O_WRONLY)
    guard fd >= 0 else { throw WriteError(path: path, reason: String(cString: strerror(errno))) }
    defer { close(fd) }
    if let failure = writeAll(bytes, to: fd) { throw WriteError(path: path, reason: failure) }
  }

  /// Writes every byte to `fd` (retrying interrupted and partial writes); the reason on failure.
  static func writeAll(_ bytes: [UInt8], to fd: Int32) -> String? {
    var written = 0
    return bytes.withUnsafeBytes { raw in
      while written < raw.count {
        let n = Foundation.write(fd, raw.baseAddress! + written, raw.count - written)
        if n < 0 {
          if errno == EINTR { continue }
          return String(cString: strerror(errno))
        }
        written += n
      }
      return nil
    }
  }

  /// Writes `bytes` to `path` atomically, creating the parent directory if needed. A symlink
  /// is written through to its target; a special file (FIFO, device) is written directly.
  public static func write(_ bytes: [UInt8], to requested: String) throws(WriteError) {
    let (path, direct) = destination(of: requested)
    if direct { return try writeDirectly(bytes, to: path) }
    let url = URL(fileURLWithPath: path)
    let directory = url.deletingLastPathComponent()
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    } catch {
      throw WriteError(path: path, reason: "cannot create directory \(directory.path): \(error.localizedDescription)")
    }
    let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
    let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o644)
    guard fd >= 0 else { throw WriteError(path: path, reason: String(cString: strerror(errno))) }
    let failure = writeAll(bytes, to: fd) ?? (fsync(fd) == 0 ? nil : String(cString: strerror(errno)))
    close(fd)
    if let failure {
      unlink(temporary)
      throw WriteError(path: path, reason: failure)
    }
    guard rename(temporary, path) == 0 else {
      let reason = String(cString: strerror(errno))
      unlink(temporary)
      throw WriteError(path: path, reason: reason)
    }
  }

  /// Writes UTF-8 `text` to `path` atomically.
  public static func write(_ text: String, to path: String) throws(WriteError) {
    try write(Array(text.utf8), to: path)
  }
}
