import KairosLinalg

/// Input checks shared by the fits: shapes, finiteness, penalty, enough rows.
enum DesignValidation {
  static func check(_ x: Matrix, _ y: [Double], weights: [Double]?, l2: Double, names: [String]?) throws(ModelError) {
    guard y.count == x.rows else { throw .shapeMismatch("\(x.rows) rows of features and \(y.count) targets") }
    if let weights, weights.count != x.rows { throw .shapeMismatch("\(x.rows) rows and \(weights.count) sample weights") }
    guard l2 >= 0, l2.isFinite else { throw .negativePenalty(l2) }
    guard x.rows > x.columns else { throw .notEnoughRows(rows: x.rows, features: x.columns) }
    for j in 0..<x.columns {
      let column = x.column(j)
      if let i = column.firstIndex(where: { !$0.isFinite }) { throw .nonFinite(row: i, column: names?[j] ?? "x\(j)") }
    }
    if let i = y.firstIndex(where: { !$0.isFinite }) { throw .nonFinite(row: i, column: "target") }
    if let weights, let i = weights.firstIndex(where: { !($0 >= 0 && $0.isFinite) }) {
      throw .nonFinite(row: i, column: "sample weight (must be a finite number >= 0)")
    }
  }
}
