import Foundation
import KairosBacktest
import KairosFrame

/// The `replay` feed: the bars of a price file delivered as completed bars, at `speed` times
/// real time (0: as fast as they are taken; 1: real time; 60: a minute of bars per second).
/// The bars before `paceFrom` are a warm-up: delivered at once, whatever the speed, so the
/// strategy's indicators are ready when the paced part starts.
public struct ReplayFeed: BarFeed {
  public let symbol: String
  public let frame: Frame
  public let speed: Double
  public let paceFrom: Int64?

  public init(symbol: String, frame: Frame, speed: Double = 0, paceFrom: Int64? = nil) throws(LiveError) {
    guard speed >= 0 && speed.isFinite else { throw .state(folder: symbol, reason: "the replay speed must be 0 or more, was \(speed)") }
    self.symbol = symbol; self.frame = frame; self.speed = speed; self.paceFrom = paceFrom
  }

  /// The bars, in order, each after the wait its spacing asks for at this speed.
  public func events() -> AsyncThrowingStream<FeedEvent, any Error> {
    let (symbol, frame, speed, paceFrom) = (symbol, frame, speed, paceFrom ?? .min)
    return AsyncThrowingStream { continuation in
      let task = Task {
        let columns = ["open", "high", "low", "close", "volume"].map { frame[$0].map(Array.init) ?? Array(repeating: .nan, count: frame.rowCount) }
        for t in 0..<frame.rowCount {
          if Task.isCancelled { break }
          if speed > 0 && t > 0 && frame.index[t - 1] >= paceFrom {
            let seconds = Double(frame.index[t] - frame.index[t - 1]) / 1e9 / speed
            try? await Task.sleep(nanoseconds: UInt64(Swift.min(seconds, 86_400) * 1e9))
          }
          let bar = OHLCVBar(open: columns[0][t], high: columns[1][t], low: columns[2][t], close: columns[3][t], volume: columns[4][t])
          continuation.yield(.bar(symbol: symbol, start: frame.index[t], bar))
        }
        continuation.yield(.state(.ended, detail: "the file's last bar was delivered"))
        continuation.finish()
      }
      continuation.onTermination = { _ in task.cancel() }
    }
  }
}
