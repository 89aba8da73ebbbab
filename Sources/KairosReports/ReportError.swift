/// Why a report could not be made from its input files; each names the file and what is wrong.
public enum ReportError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The folder has no readable `manifest.json` of a Kairos run.
  case notARunFolder(String)
  /// A run folder's files disagree with each other or with the contract.
  case inconsistent(file: String, reason: String)

  public var description: String {
    switch self {
    case let .notARunFolder(path): return "\(path) is not a kairos backtest folder (no readable manifest.json)"
    case let .inconsistent(file, reason): return "\(file): \(reason)"
    }
  }
}
