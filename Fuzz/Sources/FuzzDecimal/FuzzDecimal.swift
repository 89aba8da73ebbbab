#if canImport(Glibc)
import Glibc
#endif
import KairosIO

/// Any text as a price field. Whatever parses equals `strtod` of the same text (the decimal
/// parser is correctly rounded; `strtod` is the reference), bit for bit.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let field = String(decoding: UnsafeBufferPointer(start: data, count: size).filter { $0 != 10 && $0 != 13 && $0 != 44 && $0 != 34 }, as: UTF8.self)
  guard let frame = try? CSVReader.readFrame(text: "timestamp,close\n2020-01-02," + field + "\n", name: "fuzz.csv"),
        let value = frame["close"]?[0] else { return 0 }
  let trimmed = field.trimmingCharacters(in: " \t")
  // strtod stops at a NUL byte; such a field must have been refused (a "\0inf" once passed).
  precondition(!field.utf8.contains(0), "a field with a NUL byte was read as \(value)")
  guard !trimmed.isEmpty, !value.isNaN else { return 0 }
  var end: UnsafeMutablePointer<CChar>? = nil
  let reference = trimmed.withCString { p -> Double? in
    let x = strtod(p, &end)
    return end.map { $0.pointee == 0 } == true ? x : nil
  }
  if let reference { precondition(reference.bitPattern == value.bitPattern, "\(field): \(value) but strtod gives \(reference)") }
  return 0
}

extension String {
  func trimmingCharacters(in set: String) -> String {
    var s = Substring(self)
    while let c = s.first, set.contains(c) { s.removeFirst() }
    while let c = s.last, set.contains(c) { s.removeLast() }
    return String(s)
  }
}
