import KairosCore
import KairosFrame

/// Reads a corporate-actions file (docs/DESIGN.md §3): `ex_date,type,value` with `type` `split`
/// (value = new shares per old share) or `dividend` (cash per share). Extra columns (such as
/// `source_factor`) are ignored. Actions are returned in ex-date order.
public enum CorporateActionsReader {
  public static func read(path: String) throws(CSVError) -> [CorporateAction] {
    let table = try CSVTable.read(path: path)
    let dateColumn = try table.column("ex_date"), typeColumn = try table.column("type"), valueColumn = try table.column("value")
    var actions: [CorporateAction] = []
    for (r, row) in table.rows.enumerated() {
      guard let exDate = UTCCalendar.parseTimestamp(row[dateColumn]) else {
        throw CSVError.unknownTimestampFormat(table.location(row: r, column: dateColumn), text: row[dateColumn])
      }
      guard let value = Double(row[valueColumn]), value.isFinite else {
        throw CSVError.malformedNumber(table.location(row: r, column: valueColumn), text: row[valueColumn])
      }
      switch row[typeColumn].lowercased() {
      case "split":
        guard value > 0 else {
          throw CSVError.invalidValue(table.location(row: r, column: valueColumn), text: row[valueColumn], expected: "a positive split ratio (new shares per old share, e.g. 2)")
        }
        actions.append(CorporateAction(exDate: exDate, kind: .split(ratio: value)))
      case "dividend":
        guard value >= 0 else {
          throw CSVError.invalidValue(table.location(row: r, column: valueColumn), text: row[valueColumn], expected: "a non-negative cash amount per share")
        }
        actions.append(CorporateAction(exDate: exDate, kind: .dividend(amount: value)))
      default:
        throw CSVError.invalidValue(table.location(row: r, column: typeColumn), text: row[typeColumn], expected: "split or dividend")
      }
    }
    return actions.enumerated().sorted { ($0.element.exDate, $0.offset) < ($1.element.exDate, $1.offset) }.map(\.element)
  }
}
