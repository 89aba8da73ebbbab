import ArgumentParser
import Kairos

extension Aggregation: ExpressibleByArgument {}

/// `kairos data resample FILE --every 1h|1d|1w --out OUT.csv`.
struct DataResampleCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "resample",
    abstract: "Resample bars to a coarser interval on calendar boundaries.",
    discussion: """
      open = first, high = max, low = min, close = last, volume = sum; other columns take the
      last value unless --aggregate says otherwise. NaN values are skipped. A bar is labelled by
      its start (1d bars at 00:00 UTC, 1w bars on Monday 00:00 UTC); intervals with no source
      row produce no bar.

      Examples:
        kairos data resample spy_minute.csv --every 1h --out spy_hourly.csv
        kairos data resample spy_minute.csv --every 15m --out spy_15m.csv
        kairos data resample daily.csv --every 1w --out weekly.csv --aggregate adj_close=last
      """)

  @Argument(help: ArgumentHelp("The CSV file to resample.", valueName: "file"))
  var file: String

  @Option(help: ArgumentHelp("The target bar length: N followed by m, h, d or w (15m, 1h, 1d, 1w).", valueName: "interval"))
  var every: String

  @Option(help: ArgumentHelp("Where to write the result (- for standard output).", valueName: "path"))
  var out: String

  @Option(help: ArgumentHelp("Override a column's aggregation (first, last, max, min, sum, mean). Repeatable.", valueName: "column=how"))
  var aggregate: [String] = []

  @OptionGroup var read: ReadOptions

  func validate() throws {
    do { _ = try BarInterval(parsing: every) } catch { throw ValidationError("--every: \(error)") }
    _ = try aggregations()
  }

  func aggregations() throws -> [String: Aggregation] {
    var result: [String: Aggregation] = [:]
    for item in aggregate {
      let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
      guard parts.count == 2, let how = Aggregation(rawValue: parts[1]) else {
        throw ValidationError("--aggregate expects column=how with how in first, last, max, min, sum, mean; was '\(item)'")
      }
      result[ColumnNames.normalize(parts[0])] = how
    }
    return result
  }

  func run() throws {
    let interval = try BarInterval(parsing: every)
    let frame = try CSVReader.readFrame(path: file, options: read.options())
    let overrides = try aggregations()
    for name in overrides.keys where !frame.hasColumn(name) {
      throw FrameError.columnNotFound(name: name, available: frame.columnNames)
    }
    let resampled = frame.resampled(to: interval, aggregations: overrides)
    try writeFrame(resampled, to: out)
    if out != "-" { note("resampled \(frame.rowCount) rows to \(resampled.rowCount) bars of \(interval) → \(out)") }
  }
}
