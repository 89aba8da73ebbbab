/// A self-contained HTML page: inline CSS and SVG, no external scripts or fonts.
public struct HTMLReport: Sendable {
  public var title: String
  private var body: [String] = []

  public init(title: String) { self.title = title }

  public mutating func heading(_ text: String) { body.append("<h2>\(escapeHTML(text))</h2>") }
  public mutating func paragraph(_ text: String) { body.append("<p>\(escapeHTML(text))</p>") }
  public mutating func raw(_ html: String) { body.append(html) }

  /// A table; numbers are right-aligned. Cells of `rawColumns` are HTML already (a bar gauge).
  public mutating func table(header: [String], rows: [[String]], rawColumns: Set<Int> = []) {
    var html = "<table><thead><tr>" + header.map { "<th>\(escapeHTML($0))</th>" }.joined() + "</tr></thead><tbody>"
    for row in rows {
      html += "<tr>" + row.enumerated().map { k, cell in
        if rawColumns.contains(k) { return "<td>\(cell)</td>" }
        return Self.looksNumeric(cell) ? "<td class=\"n\">\(escapeHTML(cell))</td>" : "<td>\(escapeHTML(cell))</td>"
      }.joined() + "</tr>"
    }
    body.append(html + "</tbody></table>")
  }

  /// Headline figures as a row of cards (label above, value below).
  public mutating func cards(_ items: [(String, String)]) {
    body.append("<div class=\"cards\">" + items.map { "<div class=\"card\"><div class=\"label\">\(escapeHTML($0.0))</div><div class=\"value\">\(escapeHTML($0.1))</div></div>" }.joined() + "</div>")
  }

  /// A number as a table shows it (`1,234.5`, `-3.2 %`, `NaN`, `—`): right-aligned.
  static func looksNumeric(_ cell: String) -> Bool {
    if cell == "NaN" || cell == "inf" || cell == "-inf" || cell == "—" { return true }
    var text = Substring(cell)
    if text.hasPrefix("-") || text.hasPrefix("+") { text = text.dropFirst() }
    if text.hasSuffix(" %") { text = text.dropLast(2) }
    return !text.isEmpty && text.first!.isNumber && text.allSatisfy { $0.isNumber || $0 == "," || $0 == "." || $0 == "e" || $0 == "-" }
  }

  /// The page's style sheet (also the dashboard's): no external fonts or resources.
  public static let style = """
    body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1100px}table{border-collapse:collapse;font-size:13px;margin:12px 0}
    th,td{border:1px solid #ddd;padding:4px 8px}th{background:#f4f4f4}td.n{text-align:right;font-variant-numeric:tabular-nums}
    .cards{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}.card{border:1px solid #ddd;border-radius:6px;padding:8px 14px;min-width:110px}
    .card .label{font-size:12px;color:#666}.card .value{font-size:20px;font-variant-numeric:tabular-nums}
    h2{margin-top:28px;border-bottom:1px solid #eee}svg{max-width:100%;height:auto}
    """

  /// The body's elements alone (a fragment to put into another page).
  public var bodyHTML: String { body.joined(separator: "\n") }

  public var html: String {
    """
    <!DOCTYPE html>
    <html lang="en"><head><meta charset="utf-8"><title>\(escapeHTML(title))</title>
    <style>\(Self.style)</style>
    </head><body><h1>\(escapeHTML(title))</h1>
    \(body.joined(separator: "\n"))
    </body></html>

    """
  }
}
