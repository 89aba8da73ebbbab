import ArgumentParser

/// `kairos data …`: check, resample, adjust and generate OHLCV files.
struct DataCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "data",
    abstract: "Check, resample, adjust and generate OHLCV data.",
    discussion: """
      Examples:
        kairos data check prices.csv other.csv --verbose
        kairos data resample minutes.csv --every 1h --out hourly.csv
        kairos data adjust aapl.csv --actions aapl_actions.csv --out aapl_adjusted.csv
        kairos data generate --bars 1000000 --interval 1m --seed 1 --out bench/
      """,
    subcommands: [DataCheckCommand.self, DataResampleCommand.self, DataAdjustCommand.self, DataGenerateCommand.self])
}
