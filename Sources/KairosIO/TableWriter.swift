/// Writes CSV tables of text cells (trades, orders, result matrices): a header row, `,` and
/// `\n`, cells quoted only when they hold a comma, a quote or a line break. Numbers are
/// formatted by the caller with `CSVWriter.format` (shortest round trip).
public enum TableWriter {
  public static func encode(header: [String], rows: [[String]]) -> [UInt8] {
    var out: [UInt8] = []
    append(header, to: &out)
    for row in rows { append(row, to: &out) }
    return out
  }

  /// Appends one row.
  public static func append(_ cells: [String], to out: inout [UInt8]) {
    for (k, cell) in cells.enumerated() {
      if k > 0 { out.append(UInt8(ascii: ",")) }
      if cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
        out.append(UInt8(ascii: "\""))
        out.append(contentsOf: cell.replacingQuotes().utf8)
        out.append(UInt8(ascii: "\""))
      } else {
        out.append(contentsOf: cell.utf8)
      }
    }
    out.append(0x0A)
  }

  /// Writes a table atomically.
  public static func write(header: [String], rows: [[String]], to path: String) throws(CSVError) {
    do { try AtomicFile.write(encode(header: header, rows: rows), to: path) } catch { throw CSVError.cannotWrite(file: path, reason: error.reason) }
  }
}

extension String {
  func replacingQuotes() -> String { String(flatMap { $0 == "\"" ? ["\"", "\""] : [$0] }) }
}
