import Foundation

/// The bytes of a file, memory-mapped when the system allows, read once.
struct FileBytes {
  let path: String
  let data: Data

  init(path: String) throws(CSVError) {
    self.path = path
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw CSVError.cannotRead(file: path, reason: "no such file")
    }
    guard !isDirectory.boolValue else { throw CSVError.cannotRead(file: path, reason: "it is a directory, expected a CSV file") }
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
    } catch {
      throw CSVError.cannotRead(file: path, reason: (error as NSError).localizedDescription)
    }
  }
}

/// UTF-8 validation that reports where the first bad byte is.
enum UTF8Check {
  /// The offset of the first byte that starts an invalid UTF-8 sequence, or `nil` when the
  /// buffer is valid UTF-8. ASCII runs are skipped eight bytes at a time.
  static func firstInvalidByte(_ b: UnsafeRawBufferPointer) -> Int? {
    let n = b.count
    var i = 0
    while i < n {
      if i + 8 <= n {
        let word = b.loadUnaligned(fromByteOffset: i, as: UInt64.self)
        if word & 0x8080_8080_8080_8080 == 0 { i += 8; continue }
      }
      let c = b[i]
      if c < 0x80 { i += 1; continue }
      let length: Int
      let minimum: UInt32
      var scalar: UInt32
      switch c {
      case 0xC2...0xDF: length = 2; minimum = 0x80; scalar = UInt32(c & 0x1F)
      case 0xE0...0xEF: length = 3; minimum = 0x800; scalar = UInt32(c & 0x0F)
      case 0xF0...0xF4: length = 4; minimum = 0x10000; scalar = UInt32(c & 0x07)
      default: return i
      }
      guard i + length <= n else { return i }
      for k in 1..<length {
        let d = b[i + k]
        guard d & 0xC0 == 0x80 else { return i }
        scalar = scalar << 6 | UInt32(d & 0x3F)
      }
      if scalar < minimum || scalar > 0x10FFFF || (0xD800...0xDFFF).contains(scalar) { return i }
      i += length
    }
    return nil
  }
}
