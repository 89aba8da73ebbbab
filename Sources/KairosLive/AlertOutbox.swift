import Foundation
import KairosCore

/// A place alerts are pushed to (a webhook; a test's recorder).
public protocol AlertChannel: Sendable {
  var name: String { get }
  /// Sends one message. `.retry` for a failure worth another try (a 429 or 5xx, a timeout; with
  /// the server's `Retry-After` in seconds when it gave one), `.failed` for one that is not.
  func send(_ message: AlertMessage) async -> AlertDelivery
}

public enum AlertDelivery: Sendable, Equatable {
  case delivered
  case retry(after: Double?, reason: String)
  case failed(reason: String)
}

/// What a channel sends: the alert, how many of its (kind, key) the cool-down folded into it,
/// and how late it is (wall time from raising to sending, when over the lateness threshold).
public struct AlertMessage: Sendable, Equatable {
  public let alert: Alert
  public let suppressed: Int
  public let lateBySeconds: Double?
  /// One line for people: `[WARNING] drawdown_approaching: … (late by 12 s; 3 more suppressed)`.
  public var text: String {
    var notes: [String] = []
    if let late = lateBySeconds { notes.append("late by \(Int(late.rounded())) s") }
    if suppressed > 0 { notes.append("\(suppressed) more like it suppressed") }
    return "[\(alert.severity.rawValue.uppercased())] \(alert.kind.rawValue): \(alert.message)" + (notes.isEmpty ? "" : " (" + notes.joined(separator: "; ") + ")")
  }
}

/// The bounded queue between a session and its alert channels, drained by its own task: the
/// session's `post` never waits (a full queue drops the oldest message and counts it), so a dead
/// or slow webhook never delays a bar.
///
/// Per (kind, key), a message within `coolDown` seconds of the last one sent is folded into the
/// next one ("3 more suppressed"); messages leave at most one per `pacing` seconds; a message a
/// channel asks to retry is retried with a doubling backoff (from `retryBase`, ≤ `retryCap`, or
/// the server's `Retry-After`) up to `maxAttempts`, in order: one key's messages never overtake
/// each other. A message sent more than `lateAfter` seconds after it was raised says so.
public final class AlertOutbox: @unchecked Sendable {
  public struct Settings: Sendable {
    public var capacity = 1_000
    public var coolDown = 60.0, pacing = 0.05
    public var retryBase = 0.5, retryCap = 30.0, maxAttempts = 8
    public var lateAfter = 5.0
    public init() {}
  }

  public let settings: Settings
  let channels: [any AlertChannel]
  let lock = NSLock()
  var queue: [Alert] = []
  var head = 0
  var closed = false
  let wake = DispatchSemaphore(value: 0)
  var worker: Task<Void, Never>?
  /// Counts for `status` and the tests.
  public private(set) var dropped = 0, delivered = 0, suppressed = 0, failed = 0
  /// Called (from the outbox's task) for a message given up on, or an overflow: the session
  /// logs it.
  let onFailure: @Sendable (Alert, String) -> Void

  public init(channels: [any AlertChannel], settings: Settings = Settings(), onFailure: @escaping @Sendable (Alert, String) -> Void = { _, _ in }) {
    self.channels = channels
    self.settings = settings
    self.onFailure = onFailure
    worker = Task.detached { [self] in await self.drain() }
  }

  /// Queues `alert` and returns at once.
  public func post(_ alert: Alert) {
    lock.lock()
    if queue.count - head >= settings.capacity { head += 1; dropped += 1 }
    queue.append(alert)
    lock.unlock()
    wake.signal()
  }

  /// Stops taking alerts and waits up to `timeout` seconds for the queue to drain (a session's
  /// end); returns whether it drained.
  @discardableResult
  public func finish(timeout: Double) -> Bool {
    lock.lock(); closed = true; lock.unlock()
    wake.signal()
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
      lock.lock(); let empty = head == queue.count && sending == nil; lock.unlock()
      if empty { return true }
      Thread.sleep(forTimeInterval: 0.01)
    }
    worker?.cancel()
    let left = lock.withLock { () -> [Alert] in defer { head = queue.count }; return Array(queue[head...]) + (sending.map { [$0] } ?? []) }
    for alert in left { onFailure(alert, "still queued when the session ended") }
    return false
  }

  var sending: Alert?
  var lastSent: [String: Int64] = [:]
  var folded: [String: Int] = [:]

  /// The next queued alert (marked as being sent), or whether the outbox is closed.
  func take() -> (alert: Alert?, closed: Bool) {
    lock.withLock {
      guard head < queue.count else { return (nil, closed) }
      let a = queue[head]
      head += 1
      if head > 4096 { queue.removeFirst(head); head = 0 }
      sending = a
      return (a, false)
    }
  }

  func next() async -> Alert? {
    while true {
      let (alert, done) = take()
      if let alert { return alert }
      if done || Task.isCancelled { return nil }
      await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
        DispatchQueue.global().async { _ = self.wake.wait(timeout: .now() + 0.1); c.resume() }
      }
    }
  }

  func drain() async {
    var lastSendWall: Double = 0
    while let alert = await next() {
      let dedupe = alert.kind.rawValue + "\u{1}" + alert.key
      if let last = lastSent[dedupe], Double(alert.wallTime - last) / 1e9 < settings.coolDown {
        folded[dedupe, default: 0] += 1
        lock.withLock { suppressed += 1; sending = nil }
        continue
      }
      let wait = settings.pacing - (Date().timeIntervalSince1970 - lastSendWall)
      if wait > 0 { try? await Task.sleep(nanoseconds: UInt64(wait * 1e9)) }
      var ok = true
      for channel in channels {
        var attempt = 0, backoff = settings.retryBase
        while true {
          attempt += 1
          let late = Double(Alert.now() - alert.wallTime) / 1e9
          let message = AlertMessage(alert: alert, suppressed: folded[dedupe] ?? 0, lateBySeconds: late > settings.lateAfter ? late : nil)
          let result = await channel.send(message)
          if result == .delivered { break }
          if case let .failed(reason) = result { ok = false; onFailure(alert, "\(channel.name): \(reason)"); break }
          if case let .retry(after, reason) = result {
            if attempt >= settings.maxAttempts || Task.isCancelled {
              ok = false; onFailure(alert, "\(channel.name): gave up after \(attempt) attempts (\(reason))"); break
            }
            try? await Task.sleep(nanoseconds: UInt64(min(settings.retryCap, after ?? backoff) * 1e9))
            backoff = min(settings.retryCap, backoff * 2)
          }
        }
      }
      lastSendWall = Date().timeIntervalSince1970
      lastSent[dedupe] = alert.wallTime
      folded[dedupe] = nil
      lock.withLock {
        if ok { delivered += 1 } else { failed += 1 }
        sending = nil
      }
    }
  }
}
