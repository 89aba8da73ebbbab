import Foundation

/// Runs a session over a feed to its end (or until `stop` says so between two bars).
public enum PaperLoop {
  public struct Counts: Sendable, Equatable {
    public var processed = 0, orders = 0, dropped = 0
    public var interrupted = false
  }

  /// Blocks the calling thread until the feed ends; the session's work happens on it too.
  public static func run(session: PaperSession, feed: ReplayFeed, stop: @escaping @Sendable () -> Bool = { false }) throws -> Counts {
    let events = feed.events()
    let box = ResultBox()
    let done = DispatchSemaphore(value: 0)
    nonisolated(unsafe) let session = session
    Task {
      var counts = Counts()
      do {
        for await event in events {
          if stop() { counts.interrupted = true; break }
          switch try session.take(event) {
          case let .processed(orders): counts.processed += 1; counts.orders += orders
          case .dropped: counts.dropped += 1
          }
        }
        box.result = .success(counts)
      } catch { box.result = .failure(error) }
      done.signal()
    }
    done.wait()
    return try box.result!.get()
  }

  final class ResultBox: @unchecked Sendable { var result: Result<Counts, any Error>? }
}
