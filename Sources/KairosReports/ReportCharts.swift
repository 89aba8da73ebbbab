import Foundation
import KairosBacktest
import KairosCore
import KairosFrame
import KairosIO

/// The report's heatmaps, built from the CSV files other commands write: monthly returns from
/// an equity series, a sweep's results matrix (`kairos sweep`, `results.csv`) and walk-forward
/// folds (`kairos walkforward`, `folds.csv`). Reading the exported files rather than in-memory
/// results keeps the report reproducible from a run folder alone.
public enum ReportCharts {
  static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

  /// Compounded return per calendar month (year × month; NaN where no bar), as a heatmap.
  public static func monthlyReturns(_ timestamps: [Int64], _ returns: [Double]) -> String {
    let monthly = TearSheet.calendarReturns(timestamps, returns).monthly
    var years: [Int] = [], percent: [[Double]] = []
    for m in monthly {
      if years.last != m.year { years.append(m.year); percent.append([Double](repeating: .nan, count: 12)) }
      percent[percent.count - 1][m.month - 1] = m.value * 100
    }
    return SVGHeatmap(label: { SVGHeatmap.compact($0) }).render(
      rows: years.map(String.init), columns: months, values: percent, title: "Monthly returns (%)", rowAxis: "year")
  }

  /// The sweep heatmap: the first two parameter columns of a results matrix against `metric`,
  /// averaged over assets and any further parameters (the caption says so when it averages).
  public static func sweep(path: String, metric: String) throws -> (svg: String, caption: String) {
    let table = try CSVTable.read(path: path)
    let parameters = table.header.filter { $0 != "asset" && !Metrics.names.contains($0) }
    guard parameters.count >= 2 else {
      throw ReportError.inconsistent(file: path, reason: "a sweep heatmap needs two parameter columns; found \(parameters.isEmpty ? "none" : parameters.joined(separator: ", "))")
    }
    let (xColumn, yColumn, valueColumn) = (try table.column(parameters[0]), try table.column(parameters[1]), try table.column(metric))
    var sums: [Double: [Double: (total: Double, count: Int)]] = [:]
    var spelling: [Double: String] = [:]  // labels as the CSV wrote them ("5", not "5.0")
    for (r, row) in table.rows.enumerated() {
      guard let x = Double(row[xColumn]), let y = Double(row[yColumn]) else {
        let column = Double(row[xColumn]) == nil ? xColumn : yColumn
        throw CSVError.malformedNumber(table.location(row: r, column: column), text: row[column])
      }
      spelling[x] = row[xColumn]
      spelling[y] = row[yColumn]
      guard let value = Double(row[valueColumn]), value.isFinite else { continue }
      let cell = sums[y, default: [:]][x, default: (0, 0)]
      sums[y, default: [:]][x] = (cell.total + value, cell.count + 1)
    }
    let xs = Set(sums.values.flatMap(\.keys)).sorted(), ys = sums.keys.sorted()
    let values = ys.map { y in xs.map { x in sums[y]![x].map { $0.total / Double($0.count) } ?? .nan } }
    let averaged = Set(table.rows.map { $0.enumerated().filter { $0.offset != xColumn && $0.offset != yColumn && $0.offset != valueColumn && !Metrics.names.contains(table.header[$0.offset]) }.map(\.element) }).count
    let caption = averaged > 1 ? "\(metric) averaged over \(averaged) combinations of the other columns (assets, further parameters)." : "\(metric) per combination."
    let svg = SVGHeatmap().render(rows: ys.map { spelling[$0]! }, columns: xs.map { spelling[$0]! }, values: values,
                                  title: "Sweep: \(metric) by \(parameters[0]) × \(parameters[1])", rowAxis: parameters[1], columnAxis: parameters[0])
    return (svg, caption)
  }

  /// Walk-forward folds: validation against test Sharpe per fold, and the parameters each fold chose.
  public static func walkForward(directory: String) throws -> (svg: String, header: [String], rows: [[String]]) {
    let path = URL(fileURLWithPath: directory).appendingPathComponent("folds.csv").path
    let table = try CSVTable.read(path: path)
    let shown = ["validation_sharpe", "test_sharpe", "test_total_return", "test_max_drawdown"]
    let columns = try shown.map { try table.column($0) }
    let (fold, from, to) = (try table.column("fold"), try table.column("test_from"), try table.column("test_to"))
    let labels = table.rows.map { "fold \($0[fold]): \($0[from]) → \($0[to])" }
    let values = table.rows.map { row in columns.map { Double(row[$0]) ?? .nan } }
    var heatmap = SVGHeatmap()
    heatmap.cellWidth = 84
    let svg = heatmap.render(rows: labels, columns: ["val. Sharpe", "test Sharpe", "test return", "test max DD"], values: values,
                                  title: "Walk-forward folds (selected on validation, judged once on test)")
    let chosen = table.header.filter { !$0.hasPrefix("test_") && !$0.hasPrefix("train_") && !$0.hasPrefix("validation_") && $0 != "fold" }
    let chosenColumns = try chosen.map { try table.column($0) }
    return (svg, ["fold"] + chosen, table.rows.map { row in [row[fold]] + chosenColumns.map { row[$0] } })
  }
}
