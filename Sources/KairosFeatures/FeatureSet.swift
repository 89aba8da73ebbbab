import KairosCore
import KairosFrame
import KairosLinalg

/// A design matrix of complete rows: the features (rows × features, column-major), the
/// timestamps those rows belong to, and optionally the target of each row.
public struct FeatureSet: Sendable {
  public let names: [String]
  public let timestamps: [Int64]
  public let matrix: Matrix
  public let target: [Double]?
  /// Rows of the source frame that were dropped because a feature or the target was `NaN`.
  public let droppedRows: Int

  public var rowCount: Int { matrix.rows }

  /// A feature set from parts already in matrix form (`timestamps.count == matrix.rows`).
  public init(names: [String], timestamps: [Int64], matrix: Matrix, target: [Double]?) {
    precondition(names.count == matrix.columns && timestamps.count == matrix.rows && (target?.count ?? matrix.rows) == matrix.rows,
                 "names, timestamps and target must match the matrix shape")
    self.names = names
    self.timestamps = timestamps
    self.matrix = matrix
    self.target = target
    self.droppedRows = 0
  }

  /// Gathers `features` (and `target`, if given) from `frame`, keeping only rows where every
  /// one of them is a number.
  /// - Throws: `FeatureError.missingColumn` for an absent column.
  public init(frame: Frame, features: [String], target: String? = nil) throws(FeatureError) {
    var columns: [Column<Double>] = []
    for name in features + (target.map { [$0] } ?? []) {
      guard let c = frame[name] else { throw .missingColumn(name: name, feature: name == target ? "target" : "features", available: frame.columnNames) }
      columns.append(c)
    }
    var keep: [Int] = []
    keep.reserveCapacity(frame.rowCount)
    for i in 0..<frame.rowCount where columns.allSatisfy({ !$0[i].isNaN }) { keep.append(i) }
    let p = features.count
    var values = [Double](repeating: 0, count: keep.count * p)
    for j in 0..<p {
      let c = columns[j]
      for (r, i) in keep.enumerated() { values[r + j * keep.count] = c[i] }
    }
    self.names = features
    self.timestamps = keep.map { frame.index[$0] }
    self.matrix = Matrix(rows: keep.count, columns: p, columnMajor: values)
    self.target = target.map { _ in keep.map { columns[p][$0] } }
    self.droppedRows = frame.rowCount - keep.count
  }

  /// The feature set of a spec on a price frame: every feature, and the spec's target.
  public init(spec: FeatureSpec, frame: Frame) throws(FeatureError) {
    let computed = try spec.compute(on: frame)
    let names = computed.columnNames.filter { $0 != FeatureSpec.targetColumn }
    try self.init(frame: computed, features: names, target: spec.target == nil ? nil : FeatureSpec.targetColumn)
  }
}
