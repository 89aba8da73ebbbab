/// A self-contained HTML page: inline CSS and SVG, no external scripts or fonts.
public struct HTMLReport: Sendable {
  public var title: String
  private var body: [String] = []

  public init(title: String) { self.title = title }

  public mutating func heading(_ text: String) { body.append("<h2>\(escapeHTML(text))</h2>") }
  public mutating func paragraph(_ text: String) { body.append("<p>\(escapeHTML(text))</p>") }
  public mutating func raw(_ html: String) { body.append(html) }

  /// A table; numbers are right-aligned.
  public mutating func table(header: [String], rows: [[String]]) {
    var html = "<table><thead><tr>" + header.map { "<th>\(escapeHTML($0))</th>" }.joined() + "</tr></thead><tbody>"
    for row in rows {
      html += "<tr>" + row.map { cell in
        let numeric = Double(cell) != nil || cell == "NaN" || cell == "inf" || cell == "-inf"
        return numeric ? "<td class=\"n\">\(escapeHTML(cell))</td>" : "<td>\(escapeHTML(cell))</td>"
      }.joined() + "</tr>"
    }
    body.append(html + "</tbody></table>")
  }

  public var html: String {
    """
    <!DOCTYPE html>
    <html lang="en"><head><meta charset="utf-8"><title>\(escapeHTML(title))</title>
    <style>body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse;font-size:13px;margin:12px 0}
    th,td{border:1px solid #ddd;padding:4px 8px}th{background:#f4f4f4}td.n{text-align:right;font-variant-numeric:tabular-nums}</style>
    </head><body><h1>\(escapeHTML(title))</h1>
    \(body.joined(separator: "\n"))
    </body></html>

    """
  }
}
