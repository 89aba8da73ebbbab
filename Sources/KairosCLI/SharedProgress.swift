import Foundation

/// Progress from worker threads, serialized.
final class SharedProgress: @unchecked Sendable {
  private let lock = NSLock()
  private let reporter: ProgressReporter
  private var reported = 0

  init(total: Int, label: String, unit: String = "", quiet: Bool) { reporter = ProgressReporter(total: total, label: label, unit: unit, quiet: quiet) }

  func update(_ done: Int) {
    lock.lock(); defer { lock.unlock() }
    if done > reported { reporter.advance(by: done - reported); reported = done }
  }

  func finish() { lock.lock(); reporter.finish(); lock.unlock() }
}
