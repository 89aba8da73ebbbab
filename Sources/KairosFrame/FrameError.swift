import KairosCore

/// Errors of frame construction and frame operations. Messages name what was expected and
/// what was found, so a user can act on them.
public enum FrameError: Error, Equatable, Sendable, CustomStringConvertible {
  /// A column that does not exist was asked for.
  case columnNotFound(name: String, available: [String])
  /// Two columns with the same name.
  case duplicateColumn(name: String)
  /// A column or array whose length differs from the frame's row count.
  case shapeMismatch(what: String, expected: Int, found: Int)
  /// The time index is not strictly increasing at `position` (0-based row).
  case unsortedIndex(position: Int, previous: Int64, found: Int64)
  /// The time index repeats a timestamp at `position` (0-based row).
  case duplicateTimestamp(position: Int, timestamp: Int64)
  /// A parameter outside its domain.
  case invalidArgument(name: String, reason: String)
  /// A corporate action that cannot be applied to this frame.
  case invalidCorporateAction(exDate: Int64, reason: String)

  public var description: String {
    switch self {
    case let .columnNotFound(name, available):
      return "column '\(name)' not found; the frame has \(available.isEmpty ? "no columns" : available.joined(separator: ", "))"
    case let .duplicateColumn(name):
      return "column '\(name)' appears twice"
    case let .shapeMismatch(what, expected, found):
      return "\(what) has \(found) rows, expected \(expected)"
    case let .unsortedIndex(position, previous, found):
      return "timestamps not in ascending order at row \(position + 1): \(UTCCalendar.iso8601(found)) after \(UTCCalendar.iso8601(previous))"
    case let .duplicateTimestamp(position, timestamp):
      return "duplicate timestamp \(UTCCalendar.iso8601(timestamp)) at row \(position + 1)"
    case let .invalidArgument(name, reason):
      return "invalid \(name): \(reason)"
    case let .invalidCorporateAction(exDate, reason):
      return "corporate action on \(UTCCalendar.iso8601(exDate, dateOnly: UTCCalendar.isMidnight(exDate))): \(reason)"
    }
  }
}
