import ArgumentParser
import Foundation
import Kairos

/// The `kairos` command line (docs/DESIGN.md §8).
///
/// Exit codes: 0 success; 1 a user or data error (one line on stderr, no stack trace);
/// 2 bad usage (unknown option, missing argument, failed validation).
@main
struct KairosCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "kairos",
    abstract: "A research engine for systematic trading: data, features, models, backtests and parameter sweeps.",
    discussion: """
      Examples:
        kairos data check prices.csv
        kairos data generate --bars 2520 --assets 3 --seed 7 --out data/
        kairos data resample minutes.csv --every 1d --out daily.csv
        kairos data adjust aapl.csv --actions actions.csv --out aapl_adjusted.csv
        kairos features aapl.csv --spec features.yaml --out aapl_features.csv
        kairos train --features-csv aapl_features.csv --label target --model logistic --l2 1 --out model.json
        kairos predict --model model.json --features-csv aapl_features.csv --out predictions.csv

      Exit codes: 0 success, 1 a user or data error, 2 bad usage.
      """,
    version: KairosVersion.current,
    subcommands: [DataCommand.self, FeaturesCommand.self, TrainCommand.self, PredictCommand.self, BacktestCommand.self, SweepCommand.self, WalkForwardCommand.self, CompareCommand.self, ReportCommand.self, PortfolioCommand.self, ModelRiskCommand.self, PaperCommand.self, DashboardCommand.self, DemoCommand.self])

  static func main() {
    // OpenBLAS's workers spin for their first ~0.1 s; no command needs them before then.
    BLASConfiguration.stopIdleThreads()
    var command: ParsableCommand
    do {
      command = try parseAsRoot()
    } catch {
      // Help and --version are clean exits (0); everything else here is bad usage (2).
      if exitCode(for: error) == .success { exit(withError: error) }
      FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
      Foundation.exit(2)
    }
    do {
      try command.run()
    } catch let code as ExitCode {
      Foundation.exit(code.rawValue)
    } catch {
      switch exitCode(for: error) {
      case .success:  // --help, handled by ArgumentParser's help command
        exit(withError: error)
      case .validationFailure:  // a ValidationError raised while running: still bad usage
        // The subcommand's help, not the root's usage line ("kairos <subcommand>"): the
        // arguments parsed, so the user is in that command.
        let name = (commandPath(to: type(of: command)) ?? [_commandName]).joined(separator: " ")
        FileHandle.standardError.write(Data("Error: \(message(for: error))\n  See '\(name) --help' for more information.\n".utf8))
        Foundation.exit(2)
      default:  // a user or data error: one line, no stack trace
        FileHandle.standardError.write(Data("kairos: error: \(error)\n".utf8))
        Foundation.exit(1)
      }
    }
  }

  /// The names from the root to `command` (`["kairos", "data", "generate"]`), nil if it is
  /// not among the subcommands.
  static func commandPath(to command: ParsableCommand.Type, from root: ParsableCommand.Type = KairosCommand.self) -> [String]? {
    if ObjectIdentifier(command) == ObjectIdentifier(root) { return [root._commandName] }
    for sub in root.configuration.subcommands {
      if let tail = commandPath(to: command, from: sub) { return [root._commandName] + tail }
    }
    return nil
  }
}
