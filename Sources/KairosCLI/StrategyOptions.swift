import ArgumentParser
import Dispatch
import Foundation
import Kairos
import Synchronization
import Yams

extension StrategyKind: ExpressibleByArgument {}
extension FillTiming: ExpressibleByArgument {}
extension Trigger: ExpressibleByArgument {}

/// The options `kairos backtest` and `kairos sweep` share. Every one can also come from
/// `--config FILE.yaml` (same names, `snake_case`); a flag on the command line wins.
struct StrategyOptions: ParsableArguments {
  @Option(help: ArgumentHelp("OHLCV CSV file(s), comma-separated; each is one asset named after its file.", valueName: "file[,file…]"))
  var data: String?

  @Option(help: ArgumentHelp("The strategy: \(StrategyKind.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "name"))
  var strategy: StrategyKind?

  @Option(help: "Proportional fee on traded value (0.001 = 10 bp).")
  var fee: Double?

  @Option(name: .customLong("fixed-fee"), help: "Fixed fee per order, in cash.")
  var fixedFee: Double?

  @Option(help: "Slippage as a fraction of price.")
  var slippage: Double?

  @Option(help: "Square-root market impact coefficient k (k × σ20 × √(units / ADV20)).")
  var impact: Double?

  @Option(help: "When orders fill: next-open (default) or next-close.")
  var fill: FillTiming?

  @Flag(help: "Allow short positions (long/flat otherwise).")
  var shorts = false

  @Option(help: "Initial capital (default 100000).")
  var capital: Double?

  @OptionGroup var annualization: AnnualizationOptions
  @OptionGroup var entries: EntryOptions
  @OptionGroup var read: ReadOptions

  @Option(help: ArgumentHelp("Confirm signals on a coarser timeframe (e.g. 1w for daily bars).", valueName: "interval"))
  var confirm: String?

  @Option(help: ArgumentHelp("For --strategy model: a model file from kairos train.", valueName: "path"))
  var model: String?

  @Option(help: ArgumentHelp("For --strategy model with --model: the feature spec the model was trained on.", valueName: "path"))
  var spec: String?

  @Option(help: ArgumentHelp("For --strategy model: a CSV (timestamp, …) with a probability column.", valueName: "path"))
  var probabilities: String?

  @Option(help: ArgumentHelp("The probability column of --probabilities (default probability).", valueName: "name"))
  var column: String?

  @Option(help: ArgumentHelp("A YAML file with any of these settings (flags win).", valueName: "path"))
  var config: String?

  @OptionGroup var exporting: ExportOptions
}

/// `--periods-per-year` and `--calendar`, shared by every command that annualizes a metric.
/// Flags win over the same keys in a config file.
struct AnnualizationOptions: ParsableArguments {
  @Option(name: .customLong("periods-per-year"),
          help: "Bars per year for annualized metrics (default: inferred from the timestamps, e.g. 252 daily, 98280 NYSE minutes, 525600 24x7 minutes).")
  var periodsPerYear: Double?

  @Option(help: ArgumentHelp("The trading calendar of that inference: 24x7, 24x5 (FX) or nyse (default: detected from the timestamps).", valueName: "name"))
  var calendar: TradingCalendar?

  /// These flags as run settings (only the two keys).
  var settings: RunSettings { RunSettings(periodsPerYear: periodsPerYear, calendar: calendar?.rawValue) }
}

/// `--lot-size` and `--trigger`, shared by every command that trades a rule (docs/DESIGN.md §4).
/// Both are also sweepable parameters (`lot_size=…`, `trigger=0|1`).
struct EntryOptions: ParsableArguments {
  @Option(name: .customLong("lot-size"), help: ArgumentHelp("Units per lot: entries round down to whole lots (1 = whole shares; default fractional units).", valueName: "units"))
  var lotSize: Double?

  @Option(help: ArgumentHelp("level: act on the rule's target from its warm-up on (default); cross: only once it first changes (enter on a cross, as backtesting.py and vectorbt's crossed_above).", valueName: "level|cross"))
  var trigger: Trigger?

  var settings: RunSettings { RunSettings(lotSize: lotSize, trigger: trigger?.rawValue) }
}

/// `--export` and `--export-dir`, shared by every command that can write a run folder.
struct ExportOptions: ParsableArguments {
  @Flag(help: "Also write a run folder under notebooks-export/runs/ (see notebooks-export/README.md).")
  var export = false

  @Option(name: .customLong("export-dir"), help: ArgumentHelp("Where run folders go.", valueName: "dir"))
  var exportDirectory: String = "notebooks-export/runs"

  /// Writes `files` and `manifest` as a run folder when `--export` was given, and says where.
  /// Both arguments are evaluated only with `--export`: the manifest hashes every data file
  /// (SHA-256), which was 29 % of a million-bar sweep's time when done for nothing.
  func write(_ files: @autoclosure () throws -> [(String, [UInt8])], manifest: @autoclosure () throws -> RunFolder.Manifest, command: String) throws {
    guard export else { return }
    note("run folder: \(try RunFolder.write(try files(), manifest: try manifest(), command: command, root: exportDirectory, now: nowNanoseconds()))")
  }
}

/// The YAML of `--config`: the flags' names in snake_case, plus `grid`, `where`, `params`, `out`.
struct RunConfigFile: Decodable {
  var data: StringOrList?
  var strategy: String?
  var confirm: String?
  var model: String?, spec: String?, probabilities: String?, column: String?
  var grid: StringOrList?
  var `where`: String?
  var params: [String: Double]?
  var out: String?
  var threads: Int?

  enum StringOrList: Decodable {
    case one(String), many([String])
    init(from decoder: Decoder) throws {
      let c = try decoder.singleValueContainer()
      if let s = try? c.decode(String.self) { self = .one(s) } else { self = .many(try c.decode([String].self)) }
    }
    var list: [String] { switch self { case let .one(s): return s.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }; case let .many(l): return l } }
  }

  /// The costs, timing and capital of the same file.
  var costs = RunSettings()

  enum CodingKeys: String, CodingKey { case data, strategy, confirm, model, spec, probabilities, column, grid, `where`, params, out, threads }

  /// Every key a `--config` file may hold.
  static let baseKeys = ["data", "strategy", "confirm", "model", "spec", "probabilities", "column", "grid", "where", "params", "out", "threads"]
  static let schema = YAMLSchema.keys(baseKeys + RunSettings.keys)

  /// `extraKeys`: the keys of a command's own section (`kairos paper`'s feed, state, …).
  static func load(_ path: String?, extraKeys: [String] = []) throws -> RunConfigFile? {
    guard let path else { return nil }
    let schema = extraKeys.isEmpty ? schema : YAMLSchema.keys(baseKeys + RunSettings.keys + extraKeys)
    var file = try decodeYAML(RunConfigFile.self, path: path, schema: schema)
    file.costs = try RunSettings.load(path: path, schema: schema)
    if let threads = file.threads, !(1...1024).contains(threads) { throw ConfigFileError(path, "threads must be in 1...1024, was \(threads)") }
    if let name = file.strategy, StrategyKind(rawValue: name) == nil {
      throw ConfigFileError(path, "unknown strategy '\(name)'; expected \(StrategyKind.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return file
  }
}

/// Everything a backtest or sweep needs, flags merged over the config file.
struct ResolvedRun {
  var dataPaths: [String]
  var kind: StrategyKind
  var configuration: BacktestConfiguration
  var confirmation: BarInterval?
  var modelPath: String?, specPath: String?, probabilitiesPath: String?, probabilityColumn: String
  var file: RunConfigFile?
  /// `--sort` and `--dedupe`.
  var read: ReadOptions

  /// `needsData: false`: a live feed brings the bars (no --data).
  /// `specOnly`: the model strategy fits its own models from --spec (`paper --model-risk`).
  init(_ o: StrategyOptions, needsData: Bool = true, specOnly: Bool = false, extraKeys: [String] = []) throws {
    read = o.read
    let file = try RunConfigFile.load(o.config, extraKeys: extraKeys)
    self.file = file
    let data = o.data.map({ $0.split(separator: ",").map(String.init) }) ?? file?.data?.list ?? []
    if needsData && data.isEmpty { throw ValidationError("give the price data: --data FILE[,FILE…] (or data: in --config)") }
    dataPaths = data
    if let k = o.strategy { kind = k } else if let name = file?.strategy {
      guard let k = StrategyKind(rawValue: name) else {
        throw ValidationError("--config: unknown strategy '\(name)'; expected \(StrategyKind.allCases.map(\.rawValue).joined(separator: ", "))")
      }
      kind = k
    } else { throw ValidationError("give a strategy: --strategy \(StrategyKind.allCases.map(\.rawValue).joined(separator: "|"))") }
    let flags = RunSettings(fee: o.fee, fixedFee: o.fixedFee, slippage: o.slippage, impact: o.impact, fill: o.fill?.rawValue,
                            shorts: o.shorts ? true : nil, capital: o.capital).merged(over: o.annualization.settings).merged(over: o.entries.settings)
    configuration = try asUsage { try flags.merged(over: file?.costs).configuration() }
    if let text = o.confirm ?? file?.confirm {
      do { confirmation = try BarInterval(parsing: text) } catch { throw ValidationError("--confirm: \(error)") }
    }
    modelPath = o.model ?? file?.model
    specPath = o.spec ?? file?.spec
    probabilitiesPath = o.probabilities ?? file?.probabilities
    probabilityColumn = o.column ?? file?.column ?? "probability"
    if kind == .model && !specOnly && probabilitiesPath == nil && (modelPath == nil || specPath == nil) {
      throw ValidationError("--strategy model needs --model MODEL.json with --spec SPEC.yaml, or --probabilities FILE.csv")
    }
  }

  /// The assets: one per data file, named after it.
  func loadMarkets() throws -> [(path: String, market: MarketSeries, probabilities: Column<Double>?)] {
    // The files are independent: they are read, checked and made into series on every core
    // (ten daily files one after the other took a tenth of `kairos sweep`'s time beside the
    // sweep); a failure names the first bad file in the order given, as a serial read would.
    let paths = dataPaths
    var names = Set<String>()
    let assetNames = paths.map { path -> String in
      var name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
      while names.contains(name) { name += "'" }
      names.insert(name)
      return name
    }
    nonisolated(unsafe) let options = read  // a value, only read
    let series = Mutex([Result<MarketSeries, any Error>?](repeating: nil, count: paths.count))
    DispatchQueue.concurrentPerform(iterations: paths.count) { i in
      let market = Result { () throws -> MarketSeries in try MarketSeries(name: assetNames[i], frame: try options.ohlcv(paths[i])) }
      series.withLock { $0[i] = market }
    }
    return try zip(paths, series.withLock { $0 }).map { path, loaded in
      let market = try loaded!.get()
      return (path, market, try probabilitySource?.probabilities(on: market.frame))
    }
  }

  /// Where the model strategy's probabilities come from (nil for a rule strategy).
  var probabilitySource: ProbabilitySource? {
    guard kind == .model else { return nil }
    if let path = probabilitiesPath { return .file(path: path, column: probabilityColumn) }
    guard let modelPath, let specPath else { return nil }  // `paper --model-risk` fits its own
    return .model(path: modelPath, spec: specPath)
  }

  /// The manifest's settings: the strategy, the costs and capital, the confirmation.
  var settings: [String: String] {
    configuration.manifestSettings.merging(["strategy": kind.rawValue, "confirm": confirmation?.description ?? ""]) { $1 }
  }
}

/// Interrupt handling (Ctrl-C, `kill`, a closed terminal: SIGINT, SIGTERM, SIGHUP): the first
/// signal asks long work to stop cleanly (temporary files removed, nothing half-written); a
/// second one exits at once.
enum Interruption {
  static let requested = Atomic<Bool>(false)

  static func install() {
    var set = sigset_t()
    sigemptyset(&set)
    for number in [SIGINT, SIGTERM, SIGHUP] {
      signal(number) { received in
        if Interruption.requested.exchange(true, ordering: .relaxed) { _exit(128 + received) }
      }
      sigaddset(&set, number)
    }
    // A parent may have started us with these blocked: they must reach the handler.
    pthread_sigmask(SIG_UNBLOCK, &set, nil)
  }

  static var isRequested: Bool { requested.load(ordering: .relaxed) }
}

/// The current time in nanoseconds since the epoch.
func nowNanoseconds() -> Int64 {
  var t = timespec()
  clock_gettime(CLOCK_REALTIME, &t)
  return Int64(t.tv_sec) * 1_000_000_000 + Int64(t.tv_nsec)
}

/// Parses `name=value` pairs.
func parseParameters(_ items: [String]) throws -> [String: Double] {
  var out: [String: Double] = [:]
  for item in items {
    let parts = item.split(separator: "=", maxSplits: 1)
    guard parts.count == 2, let value = Double(parts[1]) else {
      throw ValidationError("--param expects name=number (e.g. fast=10); was '\(item)'")
    }
    out[String(parts[0])] = value
  }
  return out
}

/// An error in the content of a config file (`--config`): a user error (exit 1), one line
/// naming the file and, where there is one, the line and column.
struct ConfigFileError: Error, CustomStringConvertible {
  let description: String
  init(_ path: String, _ message: String) { description = "\(path): \(message)" }
  init(located error: YAMLKeyError) { description = error.description }
}

/// Reads a YAML settings file into `type` after checking its keys against `schema` (a
/// misspelled key is an error naming the line and the nearest known key, never a silent
/// default). Every problem is a `ConfigFileError` naming the file.
extension RunSettings {
  /// The settings of a config file, each checked against its domain (a bad value names the
  /// file: exit 1, as any error in a file's content).
  static func load(path: String, schema: YAMLSchema) throws -> RunSettings {
    let settings = try decodeYAML(RunSettings.self, path: path, schema: schema)
    do { _ = try settings.configuration() } catch { throw ConfigFileError(path, error.description) }
    return settings
  }
}

func decodeYAML<T: Decodable>(_ type: T.Type, path: String, schema: YAMLSchema) throws -> T {
  let text: String
  do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
    throw ConfigFileError(path, FileManager.default.fileExists(atPath: path) ? "cannot read this file as UTF-8 text" : "no such file")
  }
  do { try schema.check(text, file: path) } catch { throw ConfigFileError(located: error) }
  do { return try YAMLDecoder().decode(T.self, from: text) } catch let error as DecodingError {
    throw ConfigFileError(path, YAMLSchema.describe(error, in: text))
  } catch { throw ConfigFileError(path, "not valid YAML: \(error)") }
}

/// Runs `body`, reporting a `BacktestError` as bad usage (exit 2): for library calls whose
/// errors can only come from the options given.
func asUsage<T>(_ body: () throws -> T) throws -> T {
  do { return try body() } catch let error as BacktestError { throw ValidationError(error.description) }
}
