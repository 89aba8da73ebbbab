import KairosLinalg

/// Column-wise standardization `(x − mean) / std`, fitted on training rows only.
///
/// scikit-learn `StandardScaler` conventions: population standard deviation (ddof 0), and a
/// column with zero deviation keeps a scale of 1 (so it maps to 0 instead of `NaN`). Fit it on
/// the training rows and apply it to validation and test rows: no statistic of a later row can
/// leak into the transform.
public struct Standardizer: Codable, Sendable, Equatable {
  public let mean: [Double]
  public let std: [Double]

  public init(mean: [Double], std: [Double]) {
    precondition(mean.count == std.count, "mean and std need equal lengths")
    self.mean = mean
    self.std = std
  }

  /// Fits on `rows` of `x` (all rows when `nil`).
  public static func fit(_ x: Matrix, rows: Range<Int>? = nil) -> Standardizer {
    let range = rows ?? 0..<x.rows
    precondition(range.lowerBound >= 0 && range.upperBound <= x.rows && !range.isEmpty, "rows \(range) out of 0..<\(x.rows)")
    var means: [Double] = [], stds: [Double] = []
    let n = Double(range.count)
    for j in 0..<x.columns {
      let column = x.column(j)
      var sum = 0.0
      for i in range { sum += column[i] }
      let m = sum / n
      var squares = 0.0
      for i in range { let d = column[i] - m; squares += d * d }
      let s = (squares / n).squareRoot()
      means.append(m)
      stds.append(s > 0 && s.isFinite ? s : 1)
    }
    return Standardizer(mean: means, std: stds)
  }

  /// Returns `(x − mean) / std`, column by column.
  public func transform(_ x: Matrix) -> Matrix {
    precondition(x.columns == mean.count, "the standardizer has \(mean.count) columns, the matrix \(x.columns)")
    var out = x
    out.withUnsafeMutableBufferPointer { p in
      for j in 0..<x.columns {
        let m = mean[j], s = std[j]
        for i in 0..<x.rows { p[i + j * x.rows] = (p[i + j * x.rows] - m) / s }
      }
    }
    return out
  }
}
