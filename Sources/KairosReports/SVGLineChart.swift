#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import KairosCore

/// A line chart as inline SVG: no scripts, no fonts beyond the page's default, so a report is
/// one self-contained file.
public struct SVGLineChart: Sendable {
  public struct Series: Sendable {
    public let name: String
    public let values: [Double]
    /// Drawn dashed (an overlay that may coincide with the line under it).
    public var dashed = false
    public init(name: String, values: [Double], dashed: Bool = false) { self.name = name; self.values = values; self.dashed = dashed }
  }

  public var width = 900.0, height = 360.0
  /// Draw values on a logarithmic axis (equity curves that grow many-fold).
  public var logarithmic = false
  /// Label the value axis in percent (returns, drawdowns, volatility).
  public var percentAxis = false
  public static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]

  public init(logarithmic: Bool = false, percentAxis: Bool = false) { self.logarithmic = logarithmic; self.percentAxis = percentAxis }

  /// The `<svg>` element for `series` over `timestamps` (nanoseconds, shared by every series).
  public func render(series: [Series], timestamps: [Int64], title: String) -> String {
    let margin = (left: 70.0, right: 160.0, top: 30.0, bottom: 30.0)
    let plotWidth = width - margin.left - margin.right, plotHeight = height - margin.top - margin.bottom
    func transform(_ v: Double) -> Double { logarithmic ? (v > 0 ? log10(v) : .nan) : v }
    let all = series.flatMap { $0.values.map(transform) }.filter(\.isFinite)
    let low = all.min() ?? 0, high = all.max() ?? 1
    let span = high > low ? high - low : 1
    let n = Swift.max(timestamps.count - 1, 1)
    func x(_ i: Int) -> Double { margin.left + plotWidth * Double(i) / Double(n) }
    func y(_ v: Double) -> Double { margin.top + plotHeight * (1 - (transform(v) - low) / span) }
    var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\">"
    svg += "<title>\(escapeHTML(title))</title>"
    svg += "<rect x=\"\(margin.left)\" y=\"\(margin.top)\" width=\"\(plotWidth)\" height=\"\(plotHeight)\" fill=\"none\" stroke=\"#ccc\"/>"
    for k in 0...4 {
      let v = low + span * Double(k) / 4
      let shown = logarithmic ? pow10(v) : v
      let yy = margin.top + plotHeight * (1 - Double(k) / 4)
      svg += "<text x=\"\(margin.left - 6)\" y=\"\(format(yy + 4))\" text-anchor=\"end\" font-size=\"11\">\(percentAxis ? compact(shown * 100) + " %" : compact(shown))</text>"
    }
    if let first = timestamps.first, let last = timestamps.last {
      svg += "<text x=\"\(margin.left)\" y=\"\(height - 8)\" font-size=\"11\">\(UTCCalendar.iso8601(first, dateOnly: true))</text>"
      svg += "<text x=\"\(margin.left + plotWidth)\" y=\"\(height - 8)\" text-anchor=\"end\" font-size=\"11\">\(UTCCalendar.iso8601(last, dateOnly: true))</text>"
    }
    for (k, s) in series.enumerated() {
      let color = Self.palette[k % Self.palette.count]
      var path = ""
      var pen = false
      for (i, v) in s.values.enumerated() {
        let yy = y(v)
        guard yy.isFinite else { pen = false; continue }
        path += (pen ? "L" : "M") + "\(format(x(i))),\(format(yy))"
        pen = true
      }
      svg += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"\(s.dashed ? "1.6" : "1.3")\"\(s.dashed ? " stroke-dasharray=\"5 4\"" : "")/>"
      svg += "<text x=\"\(margin.left + plotWidth + 8)\" y=\"\(margin.top + 14 + 16 * Double(k))\" fill=\"\(color)\" font-size=\"12\">\(escapeHTML(s.name))</text>"
    }
    return svg + "</svg>"
  }

  /// Axis labels: three significant digits with k/M/B suffixes (`92.4k`, `2.31M`).
  func compact(_ v: Double) -> String {
    let magnitude = Swift.abs(v)
    let (scaled, suffix): (Double, String) = magnitude >= 1e9 ? (v / 1e9, "B") : magnitude >= 1e6 ? (v / 1e6, "M") : magnitude >= 1e3 ? (v / 1e3, "k") : (v, "")
    let a = Swift.abs(scaled)
    let decimals = a >= 100 ? 0 : (a >= 10 ? 1 : 2)
    return format(scaled, digits: decimals) + suffix
  }

  func format(_ v: Double, digits: Int = 2) -> String {
    guard v.isFinite else { return "0" }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let rounded = (v * scale).rounded() / scale
    return digits == 0 ? String(Int(rounded)) : "\(rounded)"
  }

  func pow10(_ x: Double) -> Double { exp(x * 2.302585092994046) }
  func log10(_ x: Double) -> Double { log(x) / 2.302585092994046 }
}

/// `&`, `<`, `>` and `"` escaped for HTML text and attributes.
public func escapeHTML(_ text: String) -> String {
  var out = ""
  for c in text {
    switch c {
    case "&": out += "&amp;"
    case "<": out += "&lt;"
    case ">": out += "&gt;"
    case "\"": out += "&quot;"
    default: out.append(c)
    }
  }
  return out
}
