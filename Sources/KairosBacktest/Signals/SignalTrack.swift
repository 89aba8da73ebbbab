/// A rule's whole series of targets, computed once and shared by every combination of a sweep
/// that differs from another only in engine parameters (costs, stops, sizing, risk: see
/// `CommonParameter.engineOnly`) — e.g. the 125 stop multiples of one fast/slow pair.
///
/// A rule reads data only (docs/DESIGN.md §4), and the engine asks it once per bar, in order,
/// whatever it holds; so the targets it will give are known before the run, and a run that
/// reads them from here takes the same decisions, bit for bit. Besides reading them, the engine
/// then knows where a quiet stretch ends (`runEnds`) without asking bar by bar.
public final class SignalTrack: @unchecked Sendable {
  /// The target after the close of each bar, shorts already removed when not allowed
  /// (`PositionBook.permitted`).
  let targets: UnsafeMutablePointer<Int8>
  /// For each bar `t`, the first bar after it whose target differs from bar `t`'s (`count` if none).
  let runEnds: UnsafeMutablePointer<Int>
  public let count: Int

  /// Asks `rule` for its target after every bar `0..<count`, once each, in order.
  public init<Rule: SignalRule>(rule: inout Rule, count: Int, allowShort: Bool) {
    self.count = count
    targets = .allocate(capacity: Swift.max(count, 1))
    runEnds = .allocate(capacity: Swift.max(count, 1))
    for t in 0..<count { targets[t] = PositionBook.permitted(rule.target(at: t), allowShort: allowShort) }
    var end = count
    for t in stride(from: count - 1, through: 0, by: -1) {
      if t + 1 < count && targets[t + 1] != targets[t] { end = t + 1 }
      runEnds[t] = end
    }
  }

  deinit {
    targets.deallocate()
    runEnds.deallocate()
  }

  /// The targets, bar by bar (tests, reports).
  public var values: [Int8] { Array(UnsafeBufferPointer(start: targets, count: count)) }

  /// The rule that reads this track (valid while the track lives).
  public var rule: TrackedSignal { TrackedSignal(targets: targets, runEnds: runEnds) }
}

/// A rule whose targets are read from a `SignalTrack`: the engine's quiet stretches learn
/// where they end at once (`departure`) instead of asking bar by bar.
public struct TrackedSignal: SignalRule {
  let targets: UnsafePointer<Int8>, runEnds: UnsafePointer<Int>

  init(targets: UnsafePointer<Int8>, runEnds: UnsafePointer<Int>) { self.targets = targets; self.runEnds = runEnds }

  @inline(__always)
  public mutating func target(at t: Int) -> Int8 { targets[t] }

  @inline(__always)
  public func departure(from t: Int, to end: Int, quiet: Int8) -> Int? {
    guard t < end else { return end }
    return targets[t] != quiet ? t : Swift.min(runEnds[t], end)
  }
}
