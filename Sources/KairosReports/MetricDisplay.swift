import KairosIO

/// How a page shows a metric of docs/DESIGN.md §5 (the CSV and JSON keep full precision):
/// returns, drawdowns, volatility, VaR and shares as percentages; ratios to two decimals; money
/// to the cent; counts grouped.
public enum MetricDisplay {
  static let percentages: Set<String> = ["total_return", "cagr", "volatility", "max_drawdown", "var_95", "cvar_95", "win_rate",
                                          "exposure", "alpha", "tracking_error", "avg_win", "avg_loss", "expectancy"]
  static let counts: Set<String> = ["trades"]

  /// The value of metric `name` as people read it.
  public static func text(_ name: String, _ value: Double) -> String {
    if counts.contains(name) { return value.isFinite ? HumanNumber.grouped(Int(value)) : "—" }
    if percentages.contains(name) { return HumanNumber.percent(value) }
    return HumanNumber.fixed(value, digits: 2)
  }

  /// A label for a metric's column name (`max_drawdown` → `Max drawdown`).
  public static func label(_ name: String) -> String {
    let special = ["cagr": "CAGR", "var_95": "VaR 95 % (per bar)", "cvar_95": "CVaR 95 % (per bar)", "sharpe": "Sharpe", "sortino": "Sortino",
                   "calmar": "Calmar", "information_ratio": "Information ratio (per bar)"]
    if let s = special[name] { return s }
    let words = name.split(separator: "_").joined(separator: " ")
    return words.prefix(1).uppercased() + words.dropFirst()
  }
}
