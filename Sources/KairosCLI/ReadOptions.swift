import Foundation
import ArgumentParser
import Kairos

extension DuplicatePolicy: ExpressibleByArgument {}

/// How input CSV files are read: the ordering policies of docs/DESIGN.md §3.
struct ReadOptions: ParsableArguments {
  @Flag(help: "Sort rows by time instead of failing on the first out-of-order row.")
  var sort = false

  @Option(help: ArgumentHelp("What to do with repeated timestamps: error, keep-first or keep-last.", valueName: "policy"))
  var dedupe: DuplicatePolicy = .error

  func options(requiring columns: [String] = []) -> CSVReadOptions {
    CSVReadOptions(sort: sort, duplicates: dedupe, requiredColumns: columns)
  }

  /// Reads an OHLCV file with these policies (every command that trades reads through here,
  /// so the `--sort` an error suggests is always there).
  func ohlcv(_ path: String) throws -> Frame {
    try CSVReader.readOHLCV(path: path, sort: sort, duplicates: dedupe)
  }
}

/// Checks an `--out` that names a folder: `-` (standard output) cannot hold several files.
@discardableResult
func outputFolder(_ out: String) throws -> String {
  guard out != "-" else { throw ValidationError("--out names a folder here (this command writes several files); '-' (standard output) is not possible") }
  return out
}

/// Writes a frame to a path, or to standard output for `-`.
func writeFrame(_ frame: Frame, to path: String) throws {
  if path == "-" {
    print(String(decoding: CSVWriter.encode(frame), as: UTF8.self), terminator: "")
  } else {
    try CSVWriter.write(frame, to: path)
  }
}

/// Prints a progress or summary line on stderr (stdout stays clean for `--out -` and `--json`).
func note(_ text: String) {
  var standardError = StandardError()
  print(text, to: &standardError)
}

struct StandardError: TextOutputStream {
  mutating func write(_ string: String) {
    FileHandle.standardError.write(Data(string.utf8))
  }
}
