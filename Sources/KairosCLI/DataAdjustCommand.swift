import ArgumentParser
import Kairos

/// `kairos data adjust FILE --actions ACTIONS.csv --out OUT.csv` (or from the file's adj_close).
struct DataAdjustCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "adjust",
    abstract: "Back-adjust prices and volume for splits and dividends.",
    discussion: """
      With --actions (ex_date,type,value; type split or dividend) the CRSP convention applies:
      prices before a split of ratio s are divided by s and volumes multiplied by s; prices
      before a dividend d are multiplied by 1 − d / (the close before the ex-date).
      Without --actions the file's adj_close column gives the factor adj_close / close.

      Examples:
        kairos data adjust aapl_daily_unadjusted.csv --actions aapl_corporate_actions.csv --out aapl.csv
        kairos data adjust orcl_daily.csv --out orcl_adjusted.csv
      """)

  @Argument(help: ArgumentHelp("The OHLCV CSV file to adjust.", valueName: "file"))
  var file: String

  @Option(help: ArgumentHelp("A corporate-actions CSV (ex_date,type,value). Omit to use the file's adj_close.", valueName: "path"))
  var actions: String?

  @Option(help: ArgumentHelp("Where to write the adjusted file (- for standard output).", valueName: "path"))
  var out: String

  @OptionGroup var read: ReadOptions

  func run() throws {
    let frame = try CSVReader.readFrame(path: file, options: read.options(requiring: ["open", "high", "low", "close", "volume"]))
    let adjusted: Frame
    let factors: Column<Double>
    if let actions {
      let list = try CorporateActionsReader.read(path: actions)
      factors = try frame.adjustmentFactors(for: list)
      adjusted = try frame.adjusted(for: list)
      if out != "-" { note("applied \(list.count) corporate action\(list.count == 1 ? "" : "s") from \(actions)") }
    } else {
      guard frame.hasColumn("adj_close") else {
        throw FrameError.invalidArgument(name: "input", reason: "\(file) has no adj_close column; give the corporate actions with --actions FILE")
      }
      adjusted = try frame.adjustedFromAdjustedClose()
      let adjClose = try frame.column("adj_close"), close = try frame.column("close")
      factors = Column((0..<frame.rowCount).map { adjClose[$0] / close[$0] })
    }
    try writeFrame(adjusted, to: out)
    if out != "-" {
      let low = factors.min() ?? 1, high = factors.max() ?? 1
      note("adjusted \(frame.rowCount) rows (price factors \(CSVWriter.format(low)) … \(CSVWriter.format(high))) → \(out)")
    }
  }
}
