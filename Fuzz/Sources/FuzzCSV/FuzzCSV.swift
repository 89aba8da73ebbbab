import KairosIO

/// Any bytes as an OHLCV file and as a free-form table: the reader returns a frame or a typed
/// `CSVError`, and never traps, hangs or reads out of bounds.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = UnsafeRawBufferPointer(start: data, count: size)
  _ = try? CSVReader.readFrame(bytes: bytes, name: "fuzz.csv", options: .ohlcv)
  var loose = CSVReadOptions()
  loose.sort = true
  loose.duplicates = .keepLast
  _ = try? CSVReader.readFrame(bytes: bytes, name: "fuzz.csv", options: loose)
  return 0
}
