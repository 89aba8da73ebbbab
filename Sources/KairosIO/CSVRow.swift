/// One CSV row of numbers assembled in a scratch buffer with room for its longest text, then
/// appended to the output at once: no growth check per cell, one copy per row (a sweep's result
/// row holds about twenty numbers; appending each cell to an array cost a third of its text).
///
/// Use: `start(with:)` the leading cell (already quoted as needed), `add(_:)` each number (a
/// comma, then `CSVWriter.writeNumber`'s text), `end(into:)` (the newline, then the append).
public struct CSVRow: ~Copyable {
  let bytes: UnsafeMutablePointer<UInt8>
  let capacity: Int
  var count = 0

  /// Room for a leading cell of up to `leading` bytes and `numbers` numbers.
  public init(leading: Int, numbers: Int) {
    capacity = leading + numbers * (1 + CSVWriter.numberCapacity) + 1
    bytes = .allocate(capacity: capacity)
  }

  deinit { bytes.deallocate() }

  /// Starts a row with `cell` (at most the `leading` bytes given to `init`).
  public mutating func start<Cell: Collection<UInt8>>(with cell: Cell) {
    precondition(cell.count + 1 <= capacity, "CSVRow: a leading cell longer than its room")
    count = UnsafeMutableBufferPointer(start: bytes, count: cell.count).initialize(from: cell).1
  }

  /// `,` and the shortest round-trip text of `x`.
  @inline(__always)
  public mutating func add(_ x: Double) {
    precondition(count + 1 + CSVWriter.numberCapacity < capacity, "CSVRow: more numbers than its room")
    bytes[count] = UInt8(ascii: ",")
    count &+= 1 &+ CSVWriter.writeNumber(x, to: bytes + (count &+ 1))
  }

  /// Ends the row (`\n`) and appends it to `out`.
  public mutating func end(into out: inout [UInt8]) {
    bytes[count] = 0x0A
    out.append(contentsOf: UnsafeBufferPointer(start: bytes, count: count &+ 1))
    count = 0
  }
}
