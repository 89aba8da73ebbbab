import KairosCore
import KairosIO

/// Any text as a timestamp field. Whatever parses is inside the accepted range (1678–2261) and
/// formats back to text that parses to the same instant.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let field = String(decoding: UnsafeBufferPointer(start: data, count: size).filter { $0 != 10 && $0 != 13 && $0 != 44 && $0 != 34 }, as: UTF8.self)
  guard let frame = try? CSVReader.readFrame(text: "timestamp,close\n" + field + ",1\n", name: "fuzz.csv") else { return 0 }
  let t = frame.index[0]
  precondition(UTCCalendar.acceptedRange.contains(t), "\(field) parsed outside the accepted range: \(t)")
  let again = try! CSVReader.readFrame(text: "timestamp,close\n" + UTCCalendar.iso8601(t) + ",1\n", name: "again.csv")
  precondition(again.index[0] == t, "\(field) → \(t) does not round-trip through \(UTCCalendar.iso8601(t))")
  return 0
}
