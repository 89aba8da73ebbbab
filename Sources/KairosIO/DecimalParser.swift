#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Parses decimal text into the nearest `Double`, correctly rounded.
///
/// Byte-level, no allocation on the common path: digits accumulate into a `UInt64`, and when
/// the significand fits in 53 bits and the decimal exponent in ±22, one IEEE multiplication or
/// division by an exact power of ten gives the correctly rounded result (Clinger's fast path).
/// Anything longer falls back to `strtod`, which is also correctly rounded.
///
/// Accepts `[+-]digits[.digits][(e|E)[+-]digits]` (either digit run may be empty, not both),
/// `NaN`, `nan`, `inf`, `Infinity` (with sign), and the empty field as `NaN`.
@usableFromInline
enum DecimalParser {
  @usableFromInline
  static let powersOfTen: [Double] = (0...22).map { (e: Int) -> Double in
    var p = 1.0
    for _ in 0..<e { p *= 10 }
    return p
  }

  /// The value of `bytes[start..<end]`, or `nil` when it is not a number.
  @inlinable
  static func parse(_ bytes: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
    var i = start, stop = end
    while i < stop && (bytes[i] == 0x20 || bytes[i] == 0x09) { i += 1 }
    while stop > i && (bytes[stop - 1] == 0x20 || bytes[stop - 1] == 0x09) { stop -= 1 }
    if i == stop { return .nan }
    let textStart = i
    var negative = false
    if bytes[i] == UInt8(ascii: "-") { negative = true; i += 1 } else if bytes[i] == UInt8(ascii: "+") { i += 1 }
    var mantissa: UInt64 = 0
    var digits = 0          // significant digits accumulated
    var dropped = 0         // integer digits that did not fit (each multiplies by 10)
    var sawDigit = false
    var exponent = 0
    while i < stop, bytes[i] &- 0x30 < 10 {
      sawDigit = true
      if digits < 19 {
        mantissa = mantissa &* 10 &+ UInt64(bytes[i] &- 0x30)
        if mantissa != 0 { digits += 1 }
      } else { dropped += 1 }
      i += 1
    }
    if i < stop && bytes[i] == UInt8(ascii: ".") {
      i += 1
      while i < stop, bytes[i] &- 0x30 < 10 {
        sawDigit = true
        if digits < 19 {
          mantissa = mantissa &* 10 &+ UInt64(bytes[i] &- 0x30)
          if mantissa != 0 { digits += 1 }
          exponent -= 1
        } else { dropped += 0 }
        i += 1
      }
    }
    if !sawDigit { return special(bytes, textStart, stop) }
    var inexact = dropped > 0
    exponent += dropped
    if i < stop && (bytes[i] | 0x20) == UInt8(ascii: "e") {
      i += 1
      var expNegative = false
      if i < stop && bytes[i] == UInt8(ascii: "-") { expNegative = true; i += 1 } else if i < stop && bytes[i] == UInt8(ascii: "+") { i += 1 }
      var e = 0, expDigits = 0
      while i < stop, bytes[i] &- 0x30 < 10 {
        if e < 100_000 { e = e * 10 + Int(bytes[i] &- 0x30) }
        expDigits += 1
        i += 1
      }
      if expDigits == 0 { return nil }
      exponent += expNegative ? -e : e
    }
    if i != stop { return nil }
    // Any fractional digits beyond 19 significant ones were skipped: inexact too.
    if digits >= 19 { inexact = true }
    if !inexact && mantissa <= (1 << 53) && exponent >= -22 && exponent <= 22 {
      var value = Double(mantissa)
      if exponent >= 0 { value *= powersOfTen[exponent] } else { value /= powersOfTen[-exponent] }
      return negative ? -value : value
    }
    return slowPath(bytes, textStart, stop)
  }

  /// A plain decimal `[-]digits[.digits]` of at most 18 digits at `start` (the common field
  /// of a price file), read up to the first byte that is not part of it: its value and that
  /// byte's index, or `nil` for anything else (the caller then finds the field's end and calls
  /// `parse`). Where it answers, its value has the bits `parse` gives the same text: the same
  /// significand, the same exact power of ten, the same one rounding. The CSV reader uses it to
  /// read a number while it looks for the end of its field, instead of scanning the field twice.
  @inlinable
  static func parsePlain(_ b: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> (value: Double, end: Int)? {
    var i = start
    let negative = i < end && b[i] == UInt8(ascii: "-")
    if negative { i &+= 1 }
    let wholeStart = i
    var mantissa: UInt64 = 0
    while i < end {
      let d = b[i] &- 0x30
      if d >= 10 { break }
      mantissa = mantissa &* 10 &+ UInt64(d)  // wraps only past 19 digits, refused below
      i &+= 1
    }
    let whole = i &- wholeStart
    var fraction = 0
    if i < end && b[i] == UInt8(ascii: ".") {
      i &+= 1
      let fractionStart = i
      while i < end {
        let d = b[i] &- 0x30
        if d >= 10 { break }
        mantissa = mantissa &* 10 &+ UInt64(d)
        i &+= 1
      }
      fraction = i &- fractionStart
    }
    let digits = whole &+ fraction
    guard digits > 0 && digits <= 18 && mantissa <= 1 << 53 else { return nil }
    let value = fraction == 0 ? Double(mantissa) : Double(mantissa) / powersOfTen[fraction]
    return (negative ? -value : value, i)
  }

  @usableFromInline
  static func slowPath(_ bytes: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
    let length = end - start
    return withUnsafeTemporaryAllocation(of: CChar.self, capacity: length + 1) { buffer in
      for k in 0..<length { buffer[k] = CChar(bitPattern: bytes[start + k]) }
      buffer[length] = 0
      var last: UnsafeMutablePointer<CChar>? = nil
      let value = strtod(buffer.baseAddress!, &last)
      return last == buffer.baseAddress! + length ? value : nil
    }
  }

  /// `NaN`, `nan`, `NA`, `N/A`, `null`, `inf`, `infinity` (case-insensitive, signed for inf).
  @usableFromInline
  static func special(_ bytes: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
    var i = start
    var sign = 1.0
    if bytes[i] == UInt8(ascii: "-") { sign = -1; i += 1 } else if bytes[i] == UInt8(ascii: "+") { i += 1 }
    let length = end - i
    guard length >= 2 && length <= 8 else { return nil }
    var word: UInt64 = 0
    for k in 0..<length { word = word << 8 | UInt64(bytes[i + k] | (bytes[i + k] >= 0x41 ? 0x20 : 0)) }
    // The packed word alone would let leading NUL bytes through ("\0inf" packs like "inf",
    // found by fuzzing): the length must match too.
    func matches(_ text: StaticString) -> Bool { text.utf8CodeUnitCount == length && wordValue(text) == word }
    if matches("inf") || matches("infinity") { return sign * .infinity }
    if matches("nan") || matches("na") || matches("n/a") || matches("null") { return i == start ? .nan : nil }
    return nil
  }

  @usableFromInline
  static func wordValue(_ text: StaticString) -> UInt64 {
    var word: UInt64 = 0
    text.withUTF8Buffer { for b in $0 { word = word << 8 | UInt64(b) } }
    return word
  }
}

extension CSVReader {
  /// The decimal `text` as the CSV reader reads it (correctly rounded), or `nil`: one parser for
  /// the numbers of files and of venue messages (Binance sends prices as strings).
  public static func parseDecimal(_ text: String) -> Double? {
    var copy = text
    return copy.withUTF8 { buffer in
      guard let base = buffer.baseAddress, buffer.count > 0 else { return nil }
      return DecimalParser.parse(base, 0, buffer.count)
    }
  }
}
