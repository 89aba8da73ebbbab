import Foundation

/// A progress bar on standard error for long work, with rate and ETA.
///
/// On a terminal it redraws one line (`\r`); otherwise, once the work has run for a second, it
/// prints a plain line at every 10 %, so logs stay readable. `quiet` silences it. Standard output is never touched.
final class ProgressReporter {
  private let total: Int
  private let label: String
  /// What is counted, shown with the rate (`12.3M combinations/s`); empty: a bare `/s`.
  private let unit: String
  private let enabled: Bool
  private let isTerminal = isatty(STDERR_FILENO) == 1
  private let started = Date()
  private var done = 0
  private var lastDecile = 0
  private var lastDraw = Date.distantPast

  init(total: Int, label: String, unit: String = "", quiet: Bool = false) {
    self.total = max(total, 1)
    self.label = label
    self.unit = unit.isEmpty ? "" : " " + unit
    self.enabled = !quiet
  }

  func advance(by count: Int = 1) {
    done += count
    guard enabled, total > 0 else { return }
    let elapsed = Date().timeIntervalSince(started)
    let rate = Double(done) / max(elapsed, 1e-9)
    let remaining = Double(total - done) / max(rate, 1e-9)
    let fraction = Double(done) / Double(total)
    if isTerminal {
      guard done == total || Date().timeIntervalSince(lastDraw) > 0.1 else { return }
      lastDraw = Date()
      let width = 24, filled = Int(fraction * Double(width))
      let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
      write("\r\(label) \(bar) \(Int(fraction * 100))% \(done)/\(total) \(Self.rate(rate))\(unit)/s ETA \(Self.duration(remaining))\u{1B}[K")
    } else {
      // Quick jobs stay quiet in logs; long ones report every 10 %.
      let decile = Int(fraction * 10)
      guard decile > lastDecile, elapsed > 1 else { return }
      lastDecile = decile
      write("\(label): \(decile * 10)% (\(done)/\(total), \(Self.rate(rate))\(unit)/s, ETA \(Self.duration(remaining)))\n")
    }
  }

  func finish() {
    if enabled && isTerminal { write("\n") }
  }

  private func write(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }

  /// A rate for people: `812`, `45.3k`, `12.4M` (per second; the caller adds the unit).
  static func rate(_ perSecond: Double) -> String {
    if perSecond >= 1e6 { return String(format: "%.1fM", perSecond / 1e6) }
    return perSecond >= 1000 ? String(format: "%.1fk", perSecond / 1000) : String(format: "%.1f", perSecond)
  }

  static func duration(_ seconds: Double) -> String {
    guard seconds.isFinite else { return "?" }
    let s = Int(seconds.rounded())
    return s >= 3600 ? "\(s / 3600)h\(s % 3600 / 60)m" : s >= 60 ? "\(s / 60)m\(s % 60)s" : "\(s)s"
  }
}
