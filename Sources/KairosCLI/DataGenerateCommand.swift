import ArgumentParser
import Foundation
import Kairos

/// `kairos data generate --bars N --assets K --seed S --out DIR`.
struct DataGenerateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "generate",
    abstract: "Write seeded synthetic OHLCV files (volatility regimes, realistic OHLC relations).",
    discussion: """
      Writes one file per asset, DIR/SYN1.csv … DIR/SYNK.csv. The same seed gives the same
      files on every machine. Daily bars skip weekends; intraday bars are continuous.

      Examples:
        kairos data generate --bars 2520 --out data/
        kairos data generate --bars 5000 --assets 10 --seed 7 --out panel/
        kairos data generate --bars 1000000 --interval 1m --seed 1 --out bench/
      """)

  @Option(help: "The number of bars per asset.")
  var bars: Int

  @Option(help: "The number of assets.")
  var assets: Int = 1

  @Option(help: "The random seed (the same seed gives the same data).")
  var seed: UInt64 = 42

  @Option(help: ArgumentHelp("The bar length: N followed by m, h, d or w.", valueName: "interval"))
  var interval: String = "1d"

  @Option(help: ArgumentHelp("The first bar's date or time (ISO 8601).", valueName: "timestamp"))
  var start: String = "2000-01-03"

  @Option(help: ArgumentHelp("The directory to write into (created if missing).", valueName: "dir"))
  var out: String

  @Flag(help: "No progress bar on standard error.")
  var quiet = false

  func validate() throws {
    try outputFolder(out)
    guard bars >= 1 else { throw ValidationError("--bars must be at least 1, was \(bars)") }
    guard assets >= 1 && assets <= 100_000 else { throw ValidationError("--assets must be in 1...100000, was \(assets)") }
    do { _ = try BarInterval(parsing: interval) } catch { throw ValidationError("--interval: \(error)") }
    guard let first = UTCCalendar.parseTimestamp(start) else {
      throw ValidationError("--start: expected an ISO 8601 date or time such as 2000-01-03, was '\(start)'")
    }
    // The last bar must be a timestamp Kairos reads back (up to 2261-12-31); daily bars skip
    // weekends (7 calendar days per 5 bars).
    let interval = try BarInterval(parsing: interval)
    let daily = interval.unit == .day && interval.count == 1
    let last = Double(first) + Double(bars) * Double(interval.nanoseconds) * (daily ? 1.4 : 1)
    guard last < Double(UTCCalendar.acceptedRange.upperBound) - 4 * Double(UTCCalendar.nanosecondsPerDay) else {
      throw ValidationError("--bars: \(bars) bars of \(interval) from \(start) would run past 2261-12-31, the last date Kairos reads; use fewer bars or an earlier --start")
    }
  }

  func run() throws {
    let market = SyntheticMarket(
      seed: seed, bars: bars, assets: assets, interval: try BarInterval(parsing: interval),
      start: UTCCalendar.parseTimestamp(start)!)
    let generated = market.generate()
    let progress = ProgressReporter(total: generated.count, label: "writing", quiet: quiet || generated.count < 4)
    for (name, frame) in generated {
      let path = URL(fileURLWithPath: out).appendingPathComponent("\(name).csv").path
      try CSVWriter.write(frame, to: path)
      print(path)
      progress.advance()
    }
    progress.finish()
  }
}
