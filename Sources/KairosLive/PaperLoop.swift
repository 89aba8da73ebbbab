import Foundation

/// Runs a session over a feed to its end (or until `stop` says so between two bars).
public enum PaperLoop {
  public struct Counts: Sendable, Equatable {
    public var processed = 0, orders = 0, dropped = 0
    public var interrupted = false
  }

  /// Blocks the calling thread until the feed ends or `stop` says so (polled every 50 ms, also
  /// while the feed waits for its next bar: a real-time replay stops at once, between bars).
  public static func run(session: PaperSession, feed: ReplayFeed, stop: @escaping @Sendable () -> Bool = { false }) throws -> Counts {
    let events = feed.events()
    let box = ResultBox()
    let done = DispatchSemaphore(value: 0)
    nonisolated(unsafe) let session = session
    let consumer = Task {
      var counts = Counts()
      do {
        for await event in events {
          if Task.isCancelled || stop() { break }
          switch try session.take(event) {
          case let .processed(orders): counts.processed += 1; counts.orders += orders
          case .dropped: counts.dropped += 1
          }
        }
        counts.interrupted = stop()
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
