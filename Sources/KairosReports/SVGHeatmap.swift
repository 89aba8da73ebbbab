/// A labelled grid of values as inline SVG: monthly returns (year × month), a sweep (one
/// parameter against another, coloured by a metric), walk-forward folds (fold × metric).
///
/// Colours diverge around `center` (red below, blue above, white at it) and saturate at the
/// largest finite distance from it, so the sign of a return or a Sharpe ratio reads at a glance.
/// Missing values (NaN) are grey. Cells are `<path>` elements, so every chart a report draws is
/// made of paths (the rendering test checks them).
public struct SVGHeatmap: Sendable {
  public var cellWidth = 54.0, cellHeight = 22.0
  /// The value drawn white; values above it go blue, below it red.
  public var center = 0.0
  /// How a cell's value is printed inside it (nil: no text).
  public var label: (@Sendable (Double) -> String)?

  public init(center: Double = 0, label: (@Sendable (Double) -> String)? = { SVGHeatmap.compact($0) }) {
    self.center = center
    self.label = label
  }

  /// The `<svg>` element: `values[row][column]`, rows top to bottom, columns left to right.
  public func render(rows: [String], columns: [String], values: [[Double]], title: String,
                     rowAxis: String = "", columnAxis: String = "") -> String {
    let left = 20.0 + 7.0 * Double(rows.map(\.count).max() ?? 4), top = 44.0
    let width = Swift.max(left + cellWidth * Double(columns.count) + 20, 24 + 7.5 * Double(title.count)), height = top + cellHeight * Double(rows.count) + 34
    let spread = values.joined().filter(\.isFinite).map { Swift.abs($0 - center) }.max() ?? 0
    var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\">"
    svg += "<title>\(escapeHTML(title))</title>"
    svg += "<text x=\"4\" y=\"16\" font-size=\"12\" font-weight=\"bold\">\(escapeHTML(title))</text>"
    if !columnAxis.isEmpty { svg += "<text x=\"\(left)\" y=\"\(height - 8)\" font-size=\"11\">\(escapeHTML(columnAxis)) →</text>" }
    if !rowAxis.isEmpty { svg += "<text x=\"4\" y=\"\(top - 8)\" font-size=\"11\">\(escapeHTML(rowAxis)) ↓</text>" }
    for (j, name) in columns.enumerated() {
      svg += "<text x=\"\(left + cellWidth * (Double(j) + 0.5))\" y=\"\(top - 6)\" text-anchor=\"middle\" font-size=\"10\">\(escapeHTML(name))</text>"
    }
    for (i, name) in rows.enumerated() {
      let y = top + cellHeight * Double(i)
      svg += "<text x=\"\(left - 6)\" y=\"\(y + cellHeight * 0.68)\" text-anchor=\"end\" font-size=\"10\">\(escapeHTML(name))</text>"
      for j in 0..<columns.count {
        let value = j < values[i].count ? values[i][j] : .nan
        let x = left + cellWidth * Double(j)
        svg += "<path d=\"M\(x),\(y)h\(cellWidth)v\(cellHeight)h-\(cellWidth)z\" fill=\"\(color(value, spread: spread))\" stroke=\"#fff\"/>"
        if let label, value.isFinite {
          svg += "<text x=\"\(x + cellWidth / 2)\" y=\"\(y + cellHeight * 0.68)\" text-anchor=\"middle\" font-size=\"10\">\(escapeHTML(label(value)))</text>"
        }
      }
    }
    return svg + "</svg>"
  }

  /// `rgb(...)` on a white-centred red–blue scale; grey for a missing value.
  func color(_ value: Double, spread: Double) -> String {
    guard value.isFinite else { return "#e0e0e0" }
    let strength = spread > 0 ? Swift.min(Swift.abs(value - center) / spread, 1) : 0
    let fade = Int((255 * (1 - 0.75 * strength)).rounded())
    return value >= center ? "rgb(\(fade),\(fade),255)" : "rgb(255,\(fade),\(fade))"
  }

  /// About three significant figures, enough inside a cell (`0.704`, `-12.3`, `1534`).
  public static func compact(_ v: Double) -> String {
    let a = Swift.abs(v)
    if a >= 100 { return String(Int(v.rounded())) }
    let digits = a >= 10 ? 1 : (a >= 1 ? 2 : 3)
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    return "\((v * scale).rounded() / scale)"
  }
}
