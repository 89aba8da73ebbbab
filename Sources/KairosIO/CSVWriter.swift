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
    // An ISO 8601 timestamp with nanoseconds has 30 characters.
    var line = CSVRow(leading: 64, numbers: columns.count)
    for row in 0..<frame.rowCount {
      scratch.removeAll(keepingCapacity: true)
      UTCCalendar.appendISO8601(frame.index[row], dateOnly: dateOnly, to: &scratch)
      line.start(with: scratch.utf8)
      for column in columns { line.add(column[row]) }
      line.end(into: &out)
    }
    return out
  }

  /// The room `writeNumber` needs at its pointer (it may write scratch bytes past its text).
  public static let numberCapacity = ShortestDecimal.capacity

  /// Writes the shortest round-trip text of `x` at `out` and returns its length: integers up
  /// to 2⁵³ without a fraction (`100`, `-0`), `NaN`, `inf`, `-inf`, otherwise Swift's shortest
  /// representation (`0.1`, `1e-07`, `1.2345678901234568e+20`), made by `ShortestDecimal`
  /// where it can. `out` must have room for `numberCapacity` bytes.
  public static func writeNumber(_ x: Double, to out: UnsafeMutablePointer<UInt8>) -> Int {
    if x.isNaN { return put("NaN", out) }
    if x.isInfinite { return put(x < 0 ? "-inf" : "inf", out) }
    if x == x.rounded(.towardZero) && abs(x) <= 9_007_199_254_740_992 {
      if x == 0 && x.sign == .minus { return put("-0", out) }
      // The digits counted first, then written from the last.
      var v = UInt64(abs(x)), length = x < 0 ? 1 : 0
      if x < 0 { out[0] = UInt8(ascii: "-") }
      var w = v
      while w >= 10 { w /= 10; length &+= 1 }
      var i = length &+ 1
      repeat { i &-= 1; out[i] = UInt8(truncatingIfNeeded: v % 10) &+ 0x30; v /= 10 } while v > 0
      return length &+ 1
    }
    let n = ShortestDecimal.write(x, to: out)
    return n > 0 ? n : put(x.description, out)
  }

  /// Copies `text` (at most 24 bytes: `description`'s longest) to `out`.
  static func put(_ text: String, _ out: UnsafeMutablePointer<UInt8>) -> Int {
    var length = 0
    for byte in text.utf8 { out[length] = byte; length &+= 1 }
    return length
  }

  /// Appends the text of `writeNumber`.
  public static func appendNumber(_ x: Double, to out: inout [UInt8]) {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: numberCapacity) { buffer in
      out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[0..<writeNumber(x, to: buffer.baseAddress!)]))
    }
  }

  /// The shortest round-trip text of `x` (see `appendNumber(_:to:)`).
  public static func format(_ x: Double) -> String {
    var bytes: [UInt8] = []
    appendNumber(x, to: &bytes)
    return String(decoding: bytes, as: UTF8.self)
  }
}
