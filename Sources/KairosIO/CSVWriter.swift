import KairosCore
import KairosFrame

/// Writes frames as CSV (docs/DESIGN.md §3): a header row, `timestamp` first as ISO 8601
/// (`YYYY-MM-DD` when every row is a midnight UTC, else `YYYY-MM-DDTHH:MM:SSZ`), numbers in
/// the shortest form that parses back to the same `Double`, `NaN` for missing, `,` and `\n`.
/// Files are written atomically.
public enum CSVWriter {
  /// Writes `frame` to `path` atomically.
  public static func write(_ frame: Frame, to path: String) throws(CSVError) {
    do { try AtomicFile.write(encode(frame), to: path) } catch { throw CSVError.cannotWrite(file: path, reason: error.reason) }
  }

  /// The CSV text of `frame` as UTF-8 bytes.
  public static func encode(_ frame: Frame) -> [UInt8] {
    let dateOnly = frame.index.isDateOnly
    let columns = frame.columns.map(\.column)
    var out: [UInt8] = []
    out.reserveCapacity(frame.rowCount * (12 + 12 * columns.count) + 64)
    out.append(contentsOf: (["timestamp"] + frame.columnNames).joined(separator: ",").utf8)
    out.append(0x0A)
    var scratch = ""
    for row in 0..<frame.rowCount {
      scratch.removeAll(keepingCapacity: true)
      UTCCalendar.appendISO8601(frame.index[row], dateOnly: dateOnly, to: &scratch)
      out.append(contentsOf: scratch.utf8)
      for column in columns {
        out.append(UInt8(ascii: ","))
        appendNumber(column[row], to: &out)
      }
      out.append(0x0A)
    }
    return out
  }

  /// Appends the shortest round-trip text of `x`: integers up to 2⁵³ without a fraction
  /// (`100`, `-0`), `NaN`, `inf`, `-inf`, otherwise Swift's shortest representation
  /// (`0.1`, `1e-07`, `1.2345678901234568e+20`), made by `ShortestDecimal` where it can.
  @inlinable
  public static func appendNumber(_ x: Double, to out: inout [UInt8]) {
    if x.isNaN { out.append(contentsOf: "NaN".utf8); return }
    if x.isInfinite { out.append(contentsOf: (x < 0 ? "-inf" : "inf").utf8); return }
    if x == x.rounded(.towardZero) && abs(x) <= 9_007_199_254_740_992 {
      if x == 0 && x.sign == .minus { out.append(contentsOf: "-0".utf8); return }
      var v = Int64(x)
      if v < 0 { out.append(UInt8(ascii: "-")); v = -v }
      if v == 0 { out.append(UInt8(ascii: "0")); return }
      var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                   UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
        (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
      var n = 0
      withUnsafeMutableBytes(of: &digits) { d in
        while v > 0 { d[n] = UInt8(v % 10) + 0x30; v /= 10; n += 1 }
        for k in stride(from: n - 1, through: 0, by: -1) { out.append(d[k]) }
      }
      return
    }
    if ShortestDecimal.append(x, to: &out) { return }
    out.append(contentsOf: x.description.utf8)
  }

  /// The shortest round-trip text of `x` (see `appendNumber(_:to:)`).
  public static func format(_ x: Double) -> String {
    var bytes: [UInt8] = []
    appendNumber(x, to: &bytes)
    return String(decoding: bytes, as: UTF8.self)
  }
}
