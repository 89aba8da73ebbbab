import ArgumentParser
import Foundation
import Kairos
import Yams

/// `kairos compare --config CONFIG.yaml --out DIR`: strategies side by side against a benchmark.
struct CompareCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "compare",
    abstract: "Compare several strategies with buy-and-hold on the same data and costs.",
    discussion: """
      The config (YAML):
        data: aapl.csv
        fee: 0.0005                # and slippage, fixed_fee, fill, shorts, capital, periods_per_year
        strategies:
          - name: SMA 10/50
            strategy: sma-cross
            params: {fast: 10, slow: 50}
          - strategy: rsi-reversion
          - name: logistic
            strategy: model
            model: model.json
            spec: features.yaml
            params: {threshold: 0.52, smoothing: 3}
      Buy-and-hold (long from the first fill, same costs) is the benchmark. Writes
      DIR/comparison.csv (every metric of docs/DESIGN.md §5 plus alpha, beta, information_ratio and
      tracking_error against the benchmark, empyrical conventions: CAPM on per-bar returns,
      alpha annualized, the information ratio per bar), equity.csv (one column per strategy),
      comparison.html (the table and an equity chart, self-contained) and manifest.json.

      Examples:
        kairos compare --config compare.yaml --out cmp/
      """)

  @Option(help: ArgumentHelp("The comparison settings (YAML).", valueName: "path"))
  var config: String

  @Option(help: ArgumentHelp("The OHLCV file (overrides data: in the config).", valueName: "path"))
  var data: String?

  @Option(help: ArgumentHelp("The folder to write.", valueName: "dir"))
  var out: String

  struct Entry: Decodable {
    var name: String?
    var strategy: String
    var params: [String: Double]?
    var model: String?, spec: String?, probabilities: String?, column: String?
  }

  struct File: Decodable {
    var data: String?
    var strategies: [Entry]
  }

  func run() throws {
    let file = try decodeYAML(File.self, path: config)
    guard let dataPath = data ?? file.data else { throw ValidationError("give the price data: --data FILE or data: in the config") }
    guard !file.strategies.isEmpty else { throw ValidationError("the config lists no strategies") }
    let c = try decodeYAML(CostKeys.self, path: config).configuration()
    let prices = try CSVReader.readOHLCV(path: dataPath)
    let market = try MarketSeries(name: "asset", frame: prices)

    func record(_ body: (inout PerformanceAccumulator, inout FullRecording) throws -> PerformanceSummary) throws -> (PerformanceSummary, FullRecording) {
      var recording = FullRecording()
      var accumulator = PerformanceAccumulator(initialEquity: c.initialCapital, periodsPerYear: c.periodsPerYear, capacity: market.count)
      let summary = try body(&accumulator, &recording)
      return (summary, recording)
    }
    // The benchmark: long from the first fill on, with the same costs.
    let always = [Int8](repeating: 1, count: market.count)
    let benchmark = try record { accumulator, recording in
      always.withUnsafeBufferPointer { d in
        var rule = ArraySignal(direction: d.baseAddress!)
        return Simulator.run(market: market, rule: &rule, configuration: c, accumulator: &accumulator, recorder: &recording)
      }
    }
    var results: [(name: String, summary: PerformanceSummary, recording: FullRecording)] = [("buy-and-hold", benchmark.0, benchmark.1)]
    for (k, entry) in file.strategies.enumerated() {
      guard let kind = StrategyKind(rawValue: entry.strategy) else {
        throw ValidationError("strategies[\(k)]: unknown strategy '\(entry.strategy)'; expected \(StrategyKind.allCases.map(\.rawValue).joined(separator: ", "))")
      }
      let runner = StrategyRunner(kind: kind, configuration: c)
      let p = try runner.resolve(entry.params ?? [:])
      let cache = IndicatorCache(market: market)
      if kind == .model {
        var options = try StrategyOptions.parse(["--data", dataPath, "--strategy", "model"] +
          (entry.model.map { ["--model", $0] } ?? []) + (entry.spec.map { ["--spec", $0] } ?? []) +
          (entry.probabilities.map { ["--probabilities", $0] } ?? []) + (entry.column.map { ["--column", $0] } ?? []))
        options.export = false
        cache.probabilities = try ResolvedRun(options).probabilities(for: prices)
      }
      cache.prepare(runner.indicators(p))
      let (summary, recording) = try record { accumulator, recording in try runner.run(p, cache: cache, accumulator: &accumulator, recorder: &recording) }
      results.append((entry.name ?? entry.strategy, summary, recording))
    }
    let b = benchmark.1.returns
    let f = CSVWriter.format
    let header = ["strategy"] + Metrics.names + ["alpha", "beta", "information_ratio", "tracking_error"]
    let rows = results.map { r -> [String] in
      [r.name] + Metrics.values(r.summary).map(f) + [
        Alpha.value(returns: r.recording.returns, benchmark: b, periodsPerYear: c.periodsPerYear),
        Beta.value(returns: r.recording.returns, benchmark: b),
        InformationRatio.value(returns: r.recording.returns, benchmark: b),
        TrackingError.value(returns: r.recording.returns, benchmark: b, periodsPerYear: c.periodsPerYear),
      ].map(f)
    }
    var equity = Frame(index: prices.index)
    for r in results { try equity.setColumn(ColumnNames.normalize(r.name), Column(r.recording.equity)) }
    var report = HTMLReport(title: "Strategy comparison: \(URL(fileURLWithPath: dataPath).lastPathComponent)")
    report.paragraph("Fee \(f(c.fee)), slippage \(f(c.slippage)), fills at the \(c.fill.rawValue), capital \(f(c.initialCapital)). Benchmark: buy-and-hold with the same costs.")
    report.heading("Equity")
    report.raw(SVGLineChart(logarithmic: true).render(series: results.map { .init(name: $0.name, values: $0.recording.equity) },
                                                      timestamps: market.timestamps, title: "Equity (log scale)"))
    report.heading("Metrics")
    let shown = ["total_return", "cagr", "volatility", "sharpe", "sortino", "max_drawdown", "trades", "exposure"]
    let indexes = shown.map { header.firstIndex(of: $0)! } + [header.count - 4, header.count - 3, header.count - 2, header.count - 1]
    report.table(header: ["strategy"] + indexes.map { header[$0] }, rows: rows.map { row in [row[0]] + indexes.map { row[$0] } })
    let files: [(String, [UInt8])] = [
      ("comparison.csv", TableWriter.encode(header: header, rows: rows)),
      ("equity.csv", CSVWriter.encode(equity)),
      ("comparison.html", Array(report.html.utf8)),
    ]
    let now = nowNanoseconds()
    for (name, bytes) in files { try AtomicFile.write(bytes, to: URL(fileURLWithPath: out).appendingPathComponent(name).path) }
    try AtomicFile.write(manifestBytes(command: CommandLine.arguments, dataFiles: [RunFolder.dataFile(dataPath, rows: prices.rowCount)],
                                       settings: ["fee": f(c.fee), "strategies": results.map(\.name).joined(separator: "; ")], now: now, files: files.map(\.0)),
                         to: URL(fileURLWithPath: out).appendingPathComponent("manifest.json").path)
    let columns = ["strategy", "total_return", "sharpe", "max_drawdown", "alpha", "beta", "information_ratio", "tracking_error"]
    print(columns.map { $0.padding(toLength: 18, withPad: " ", startingAt: 0) }.joined())
    for row in rows {
      print(columns.map { name in
        let cell = row[header.firstIndex(of: name)!]
        return (Double(cell).map { String(format: "%.4g", $0) } ?? cell).padding(toLength: 18, withPad: " ", startingAt: 0)
      }.joined())
    }
    note("compared \(results.count - 1) strategies with buy-and-hold → \(out)/comparison.html")
  }
}
