/// Header-name conventions (docs/DESIGN.md §3): names are case-insensitive; surrounding spaces and
/// quotes are dropped; inner spaces become `_` (so `Adj Close` is `adj_close`).
public enum ColumnNames {
  /// Names accepted for the time column, in order of preference.
  public static let timestampAliases = ["timestamp", "date", "datetime", "time"]

  /// The normalized form of a header name.
  public static func normalize(_ name: String) -> String {
    var s = Substring(name)
    while let c = s.first, c == " " || c == "\t" || c == "\"" { s.removeFirst() }
    while let c = s.last, c == " " || c == "\t" || c == "\"" || c == "\r" { s.removeLast() }
    return String(s.lowercased().map { $0 == " " ? "_" : $0 })
  }
}
