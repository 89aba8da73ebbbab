import KairosIO

/// The distribution of returns as inline SVG bars, with vertical markers (VaR, CVaR) drawn
/// where they fall. Bars are `<path>` elements like every other chart.
public struct SVGHistogram: Sendable {
  public struct Marker: Sendable {
    public let name: String, value: Double
    public init(name: String, value: Double) { self.name = name; self.value = value }
  }
  public var width = 900.0, height = 300.0, bins = 50

  public init() {}

  /// `values` (non-finite ones skipped) in `bins` equal bins between their extremes.
  public func render(_ values: [Double], markers: [Marker], title: String) -> String {
    let finite = values.filter(\.isFinite)
    let margin = (left: 50.0, right: 20.0, top: 30.0, bottom: 34.0)
    let plotWidth = width - margin.left - margin.right, plotHeight = height - margin.top - margin.bottom
    var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\">"
    svg += "<title>\(escapeHTML(title))</title>"
    svg += "<text x=\"4\" y=\"16\" font-size=\"12\" font-weight=\"bold\">\(escapeHTML(title))</text>"
    guard let low = finite.min(), let high = finite.max(), high > low else { return svg + "<path d=\"M0,0\"/></svg>" }
    var counts = [Int](repeating: 0, count: bins)
    for v in finite { counts[Swift.min(bins - 1, Int((v - low) / (high - low) * Double(bins)))] += 1 }
    let top = Double(counts.max()!)
    func x(_ v: Double) -> Double { margin.left + plotWidth * (v - low) / (high - low) }
    let barWidth = plotWidth / Double(bins)
    var path = ""
    for (k, c) in counts.enumerated() where c > 0 {
      let h = plotHeight * Double(c) / top, x0 = margin.left + barWidth * Double(k)
      path += "M\(r(x0 + 0.5)),\(r(margin.top + plotHeight))h\(r(barWidth - 1))v\(r(-h))h\(r(1 - barWidth))Z"
    }
    svg += "<path d=\"\(path)\" fill=\"#1f77b4\" fill-opacity=\"0.75\"/>"
    for (k, m) in markers.enumerated() where m.value.isFinite {
      let xx = x(Swift.min(Swift.max(m.value, low), high)), color = SVGLineChart.palette[(k + 1) % SVGLineChart.palette.count]
      svg += "<path d=\"M\(r(xx)),\(margin.top)V\(margin.top + plotHeight)\" stroke=\"\(color)\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\"/>"
      svg += "<text x=\"\(r(xx + 4))\" y=\"\(margin.top + 12 + 14 * Double(k))\" fill=\"\(color)\" font-size=\"11\">\(escapeHTML(m.name)) \(HumanNumber.percent(m.value))</text>"
    }
    svg += "<text x=\"\(margin.left)\" y=\"\(height - 10)\" font-size=\"11\">\(HumanNumber.percent(low))</text>"
    svg += "<text x=\"\(margin.left + plotWidth)\" y=\"\(height - 10)\" text-anchor=\"end\" font-size=\"11\">\(HumanNumber.percent(high))</text>"
    svg += "<text x=\"\(x(0))\" y=\"\(height - 10)\" text-anchor=\"middle\" font-size=\"11\">0</text>"
    return svg + "</svg>"
  }

  func r(_ v: Double) -> String { String((v * 100).rounded() / 100) }
}
