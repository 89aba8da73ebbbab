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
      kernels[k].update(bar, into: UnsafeMutableBufferPointer(rebasing: out[offsets[k]..<end]))
    }
  }

  /// The features at the next bar, whose fields are given by name (missing ones are `NaN`).
  public mutating func update(_ bar: [String: Double]) -> [Double] {
    let fields = inputs.map { bar[$0] ?? .nan }
    var out = [Double](repeating: .nan, count: names.count)
    fields.withUnsafeBufferPointer { b in out.withUnsafeMutableBufferPointer { o in update(b, into: o) } }
    return out
  }

  /// The fold over every row of `frame`: one column per feature.
  func fold(over frame: Frame) throws(FeatureError) -> [(String, Column<Double>)] {
    let n = frame.rowCount, width = inputs.count, count = names.count
    // Row-major copies in and out, so the loop reads and writes contiguous memory.
    var bars = [Double](repeating: .nan, count: n * width)
    for (j, name) in inputs.enumerated() {
      let column = frame[name]!  // present: checked when the kernels were made
      column.withUnsafeBufferPointer { c in for t in 0..<n { bars[t * width + j] = c[t] } }
    }
    var rows = [Double](repeating: .nan, count: n * count)
    var stream = self
    bars.withUnsafeBufferPointer { b in
      rows.withUnsafeMutableBufferPointer { r in
        for t in 0..<n {
          stream.update(UnsafeBufferPointer(rebasing: b[(t * width)..<((t + 1) * width)]),
                        into: UnsafeMutableBufferPointer(rebasing: r[(t * count)..<((t + 1) * count)]))
        }
      }
    }
    return rows.withUnsafeBufferPointer { r in
      names.enumerated().map { j, name in (name, Column(unsafeUninitializedCount: n) { out in for t in 0..<n { out[t] = r[t * count + j] } }) }
    }
  }
}
