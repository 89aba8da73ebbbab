import KairosCore
import KairosFrame

/// The features of a spec computed bar by bar: feed each bar's fields (`inputs`, in order) and
/// get the features (`names`, in order) at that bar. `FeatureSpec.compute(on:)` is the fold
/// of this stream over a frame's rows, so a live session feeding the same bars from the same
/// first bar gets the same bits (finite-window features need only their window; recursive ones
/// — EMA, MACD, RSI, ATR — remember every bar, see `StreamingIndicator`).
public struct FeatureStream: Sendable {
  /// The output features, in the spec's order (several per feature for MACD, Bollinger, Donchian).
  public let names: [String]
  /// The fields each bar must carry, in this order (e.g. `close`, `high`, `low`, `volume`).
  public let inputs: [String]
  var kernels: [any FeatureKernel]
  /// Where each kernel's outputs start in `names`.
  let offsets: [Int]

  /// - Parameters:
  ///   - columns: the fields a bar can carry (a frame's or a feed's column names).
  ///   - rowCount: the data's length when known: windows longer than the data are refused.
  /// - Throws: `FeatureError` for an unknown kind, a missing column, an invalid parameter or a
  ///   repeated output name.
  public init(spec: FeatureSpec, columns: [String], rowCount: Int? = nil) throws(FeatureError) {
    try self.init(features: spec.features, columns: columns, rowCount: rowCount, firstIndex: 0)
  }

  init(features: [FeatureDefinition], columns: [String], rowCount: Int?, firstIndex: Int) throws(FeatureError) {
    var fields: [String] = [], names: [String] = [], kernels: [any FeatureKernel] = [], offsets: [Int] = []
    for (k, feature) in features.enumerated() {
      let (outputs, kernel) = try feature.kernel(available: columns, rowCount: rowCount, index: firstIndex + k, fields: &fields)
      for name in outputs where names.contains(name) { throw .duplicateName(name) }
      offsets.append(names.count)
      names += outputs
      kernels.append(kernel)
    }
    self.names = names
    inputs = fields
    self.kernels = kernels
    self.offsets = offsets
  }

  /// Takes the next bar's fields (`inputs.count` values, in `inputs` order; `NaN` for missing)
  /// and writes the features at that bar into `out` (`names.count` values).
  public mutating func update(_ bar: UnsafeBufferPointer<Double>, into out: UnsafeMutableBufferPointer<Double>) {
    precondition(bar.count == inputs.count && out.count == names.count, "a bar carries \(inputs.count) fields and gives \(names.count) features")
    for k in kernels.indices {
      let end = k + 1 < offsets.count ? offsets[k + 1] : names.count
      kernels[k].step(bar, into: UnsafeMutableBufferPointer(rebasing: out[offsets[k]..<end]))
    }
  }

  /// The features at the next bar, whose fields are given by name (missing ones are `NaN`).
  public mutating func update(_ bar: [String: Double]) -> [Double] {
    let fields = inputs.map { bar[$0] ?? .nan }
    var out = [Double](repeating: .nan, count: names.count)
    fields.withUnsafeBufferPointer { b in out.withUnsafeMutableBufferPointer { o in update(b, into: o) } }
    return out
  }

  /// The fold over every row of `frame`: one column per feature, each kernel over all rows in
  /// one loop (the kernels are independent, so this is the bar-by-bar order's result).
  func fold(over frame: Frame) throws(FeatureError) -> [(String, Column<Double>)] {
    let n = frame.rowCount
    let columns = inputs.map { frame[$0]! }  // present: checked when the kernels were made
    var outputs: [[Double]] = []
    withPointers(to: columns[...]) { inputs in
      outputs = Self.makeColumns(names.count, rows: n) { outputs in
        var stream = self
        for k in stream.kernels.indices {
          stream.kernels[k].fold(inputs, into: outputs + offsets[k], rows: n)
        }
      }
    }
    return zip(names, outputs).map { ($0, Column($1)) }
  }

  /// Calls `body` with the base addresses of `columns` (each kept alive meanwhile).
  func withPointers(to columns: ArraySlice<Column<Double>>, _ collected: [UnsafePointer<Double>] = [],
                    _ body: (UnsafePointer<UnsafePointer<Double>>) -> Void) {
    guard let first = columns.first else {
      collected.withUnsafeBufferPointer { body($0.baseAddress ?? UnsafePointer(bitPattern: 8)!) }
      return
    }
    first.withUnsafeBufferPointer { buffer in
      // An empty column has no storage: any aligned address serves (nothing is read).
      let base = buffer.baseAddress ?? UnsafePointer(bitPattern: 8)!
      withPointers(to: columns.dropFirst(), collected + [base], body)
    }
  }

  /// `count` new columns of `rows` values, written by `body` through their base addresses.
  static func makeColumns(_ count: Int, rows: Int, _ collected: [UnsafeMutablePointer<Double>] = [],
                          _ body: (UnsafePointer<UnsafeMutablePointer<Double>>) -> Void) -> [[Double]] {
    guard count > 0 else {
      collected.withUnsafeBufferPointer { body($0.baseAddress ?? UnsafePointer(bitPattern: 8)!) }
      return []
    }
    var rest: [[Double]] = []
    let column = [Double](unsafeUninitializedCapacity: Swift.max(rows, 1)) { buffer, initialized in
      // Every kernel writes every row of its outputs.
      rest = makeColumns(count - 1, rows: rows, collected + [buffer.baseAddress!], body)
      initialized = rows
    }
    return [column] + rest
  }
}
