import Foundation

/// Runs a session over a feed to its end, to `until`, or until `stop` says so between two bars.
public enum PaperLoop {
  public struct Counts: Sendable, Equatable {
    /// New bars processed, orders they produced, bars dropped (duplicates, already stored),
    /// events noted (corrections, feed states).
    public var processed = 0, orders = 0, dropped = 0, noted = 0
    public var interrupted = false
    /// Whether the session stopped because it reached `until`.
    public var reachedUntil = false
    /// Bar to decision: the wall time from a bar's arrival to its commit (orders, intent and
    /// book durable), in seconds, per bar processed.
    public var latencies: [Double] = []

    /// The median and the 99th percentile of `latencies` (nearest rank), in seconds.
    public var latency: (median: Double, p99: Double)? {
      guard !latencies.isEmpty else { return nil }
      let sorted = latencies.sorted()
      return (sorted[(sorted.count - 1) / 2], sorted[Swift.min(sorted.count - 1, Int((Double(sorted.count) * 0.99).rounded(.up)) - 1)])
    }
  }

  /// Blocks the calling thread until the feed ends, a bar starting at or after `until` is
  /// processed, or `stop` says so (polled every 50 ms, also while the feed waits for its next
  /// bar: a real-time feed stops at once, between bars). A feed's error (an authentication
  /// refused) is thrown after what was processed is committed.
  ///
  /// `lock`, when given, is held while each event is taken (a dashboard takes it to read the
  /// session between two bars); `afterEvent` is called after each, outside it.
  public static func run(session: any PaperTrading, feed: some BarFeed, until: Int64? = nil, lock: NSLock? = nil,
                         afterEvent: (@Sendable () -> Void)? = nil,
                         stop: @escaping @Sendable () -> Bool = { false }) throws -> Counts {
    let events = feed.events()
    let box = ResultBox()
    let done = DispatchSemaphore(value: 0)
    nonisolated(unsafe) let session = session
    let consumer = Task {
      var counts = Counts()
      do {
        for try await event in events {
          if Task.isCancelled || stop() { break }
          let arrived = DispatchTime.now().uptimeNanoseconds
          let outcome = lock.map { l in l.withLock { Result { try session.take(event) } } } ?? Result { try session.take(event) }
          switch try outcome.get() {
          case let .processed(orders):
            counts.processed += 1; counts.orders += orders
            counts.latencies.append(Double(DispatchTime.now().uptimeNanoseconds - arrived) / 1e9)
          case .dropped: counts.dropped += 1
          case .noted: counts.noted += 1
          }
          afterEvent?()
          if let until, let last = session.lastBarStart, last >= until { counts.reachedUntil = true; break }
        }
        counts.interrupted = stop() && !counts.reachedUntil
        box.result = .success(counts)
      } catch { box.result = .failure(error) }
      done.signal()
    }
    let watcher = Task {
      while !Task.isCancelled {
        if stop() { consumer.cancel(); return }
        try? await Task.sleep(nanoseconds: 50_000_000)
      }
    }
    done.wait()
    watcher.cancel()
    return try box.result!.get()
  }

  final class ResultBox: @unchecked Sendable { var result: Result<Counts, any Error>? }
}
