import KairosCore

extension Frame {
  /// Returns a copy with a column `name` computed element-wise from `source`.
  ///
  /// ```
  /// let logged = try frame.deriving("log_close", from: "close") { log($0) }
  /// ```
  public func deriving(
    _ name: String, from source: String, _ transform: (Double) -> Double
  ) throws(FrameError) -> Frame {
    let input = try column(source)
    let output = Column<Double>(unsafeUninitializedCount: rowCount) { out in
      input.withUnsafeBufferPointer { x in
        for i in 0..<x.count { out[i] = transform(x[i]) }
      }
    }
    var result = self
    try result.setColumn(name, output)
    return result
  }

  /// Returns a copy with a column `name` computed element-wise from two columns.
  ///
  /// ```
  /// let ranged = try frame.deriving("range", from: "high", "low") { $0 - $1 }
  /// ```
  public func deriving(
    _ name: String, from first: String, _ second: String, _ transform: (Double, Double) -> Double
  ) throws(FrameError) -> Frame {
    let a = try column(first), b = try column(second)
    let output = Column<Double>(unsafeUninitializedCount: rowCount) { out in
      a.withUnsafeBufferPointer { x in
        b.withUnsafeBufferPointer { y in
          for i in 0..<x.count { out[i] = transform(x[i], y[i]) }
        }
      }
    }
    var result = self
    try result.setColumn(name, output)
    return result
  }
}
