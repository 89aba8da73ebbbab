import Foundation
import KairosBacktest
import KairosFrame

/// The `replay` feed: the bars of price files delivered as completed bars, at `speed` times
/// real time (0: as fast as they are taken; 1: real time; 60: a minute of bars per second).
/// Several files (one symbol each) are merged by time: at each time of their union, the bars
/// of the symbols that have one, in the order given. The bars before `paceFrom` are a warm-up:
/// delivered at once, whatever the speed, so the indicators are ready when pacing starts.
public struct ReplayFeed: BarFeed {
  public let series: [(symbol: String, frame: Frame)]
  public let speed: Double
  public let paceFrom: Int64?

  public init(symbol: String, frame: Frame, speed: Double = 0, paceFrom: Int64? = nil) throws(LiveError) {
    try self.init(series: [(symbol, frame)], speed: speed, paceFrom: paceFrom)
  }

  public init(series: [(symbol: String, frame: Frame)], speed: Double = 0, paceFrom: Int64? = nil) throws(LiveError) {
    guard speed >= 0 && speed.isFinite else { throw .state(folder: series.first?.symbol ?? "replay", reason: "the replay speed must be 0 or more, was \(speed)") }
    self.series = series; self.speed = speed; self.paceFrom = paceFrom
  }

  /// The bars, in time order, each time after the wait its spacing asks for at this speed.
  public func events() -> AsyncThrowingStream<FeedEvent, any Error> {
    let (series, speed, paceFrom) = (series, speed, paceFrom ?? .min)
    return AsyncThrowingStream { continuation in
      let task = Task {
        let columns = series.map { s in ["open", "high", "low", "close", "volume"].map { s.frame[$0].map(Array.init) ?? Array(repeating: .nan, count: s.frame.rowCount) } }
        var next = series.map { _ in 0 }
        var previous: Int64? = nil
        while !Task.isCancelled {
          // The earliest time any file has left.
          guard let t = series.indices.compactMap({ k in next[k] < series[k].frame.rowCount ? series[k].frame.index[next[k]] : nil }).min() else { break }
          if speed > 0, let previous, previous >= paceFrom {
            let seconds = Double(t - previous) / 1e9 / speed
            try? await Task.sleep(nanoseconds: UInt64(Swift.min(seconds, 86_400) * 1e9))
          }
          for k in series.indices where next[k] < series[k].frame.rowCount && series[k].frame.index[next[k]] == t {
            let c = columns[k], i = next[k]
            continuation.yield(.bar(symbol: series[k].symbol, start: t, OHLCVBar(open: c[0][i], high: c[1][i], low: c[2][i], close: c[3][i], volume: c[4][i])))
            next[k] += 1
          }
          previous = t
        }
        continuation.yield(.state(.ended, detail: "the file's last bar was delivered"))
        continuation.finish()
      }
      continuation.onTermination = { _ in task.cancel() }
    }
  }
}
