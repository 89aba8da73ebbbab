import Foundation
import KairosCore

/// A SHA-256 fed on a serial queue of its own, at most `depth` reads ahead of it (memory stays
/// flat when hashing is slower than the caller).
final class ConcurrentDigest: @unchecked Sendable {
  private var sha = SHA256()  // touched only on `queue`
  private let queue = DispatchQueue(label: "kairos.merge.sha256")
  private let slots: DispatchSemaphore

  init(depth: Int = 4) { slots = DispatchSemaphore(value: depth) }

  func update(_ data: Data) {
    slots.wait()
    queue.async { self.sha.update(data); self.slots.signal() }
  }

  /// The hex digest of everything given, once the queue has hashed it.
  func finish() -> String { queue.sync { sha.hexDigest() } }
}
