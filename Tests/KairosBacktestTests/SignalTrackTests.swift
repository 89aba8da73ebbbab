import KairosBacktest
import KairosFrame
import KairosTestSupport
import Testing

/// A rule's targets taken once (`SignalTrack`) and read back by the engine (`TrackedSignal`,
/// whose quiet stretches learn where they end at once) give the same bits as the rule asked
/// bar by bar — the promise that lets a sweep share one track among the combinations that
/// differ only in engine parameters.
@Suite struct SignalTrackTests {
  @Test func runEndsPointToTheNextChange() {
    for seed in [1, 2, 3] as [UInt64] {
      let targets = randomTargets(700, seed: seed)
      let track = targets.withUnsafeBufferPointer { d in
        var rule = ArraySignal(direction: d.baseAddress!)
        return SignalTrack(rule: &rule, count: d.count, allowShort: true)
      }
      #expect(track.values == targets)
      var rule = track.rule
      for t in 0..<targets.count {
        let naive = ((t + 1)..<targets.count).first { targets[$0] != targets[t] } ?? targets.count
        for quiet in [-1, 0, 1] as [Int8] {
          let end = min(targets.count, t + 40)
          let expected = targets[t] != quiet ? t : min(naive, end)
          #expect(rule.departure(from: t, to: end, quiet: quiet) == expected)
        }
        #expect(rule.target(at: t) == targets[t])
      }
      #expect(rule.departure(from: targets.count, to: targets.count, quiet: 0) == targets.count)
    }
    // Shorts removed when not allowed: a short target reads flat.
    let shorts: [Int8] = [0, -1, -1, 1, 0, -1]
    let longOnly = shorts.withUnsafeBufferPointer { d in
      var rule = ArraySignal(direction: d.baseAddress!)
      return SignalTrack(rule: &rule, count: d.count, allowShort: false)
    }
    #expect(longOnly.values == [0, 0, 0, 1, 0, 0])
  }

  /// A cross rule's scan ahead (four bars per step) finds the bar the rule itself, asked bar by
  /// bar, first departs at: above, equal, below and `NaN` on either side, in runs, long-only
  /// and with shorts, from every start, for every quiet target and stretch length.
  @Test func aCrossRuleKnowsWhereItsStretchEnds() {
    for allowShort in [false, true] {
      for seed in [5, 6] as [UInt64] {
        var random = SplitMix64(seed: seed)
        var state = 0
        var fast: [Double] = [], slow: [Double] = []
        for _ in 0..<400 {
          if random.next() % 7 == 0 { state = Int(random.next() % 5) }
          let level = Double(random.next() % 100) + 10
          switch state {
          case 0: fast.append(level + 1); slow.append(level)  // above
          case 1: fast.append(level); slow.append(level)  // equal: at or below
          case 2: fast.append(level); slow.append(level + 1)  // below
          case 3: fast.append(.nan); slow.append(level)
          default: fast.append(level); slow.append(.nan)
          }
        }
        fast.withUnsafeBufferPointer { f in
          slow.withUnsafeBufferPointer { s in
            var rule = CrossSignal(fast: f.baseAddress!, slow: s.baseAddress!, allowShort: allowShort)
            let targets = (0..<f.count).map { rule.target(at: $0) }
            for t in 0...f.count {
              for length in [0, 1, 3, 4, 5, 9, 64, 400] {
                let end = min(f.count, t + length)
                for quiet in [-1, 0, 1] as [Int8] {
                  let expected = (t..<max(t, end)).first { targets[$0] != quiet } ?? end
                  #expect(rule.departure(from: t, to: end, quiet: quiet) == expected, "t \(t), end \(end), quiet \(quiet), shorts \(allowShort)")
                }
              }
            }
          }
        }
      }
    }
  }

  /// The engine on a track against the engine asking the rule, every record and metric, under
  /// every engine option, on data with missing prices.
  @Test(arguments: 0..<EngineExactnessTests.options.count)
  func theEngineOnATrackGivesTheSameBits(option: Int) throws {
    let (name, apply) = EngineExactnessTests.options[option]
    var config = BacktestConfiguration()
    apply(&config)
    for seed in [3, 4] as [UInt64] {
      let frame = seed == 3 ? QuietStretchTests.marketWithGaps(seed: seed, bars: 1500) : testMarket(seed: seed, bars: 1500, missing: false)
      let targets = randomTargets(frame.rowCount, seed: seed)
      let (a, s) = try engineEquity(frame, targets: targets, config: config)
      let market = try MarketSeries(name: "TEST", frame: frame)
      let track = targets.withUnsafeBufferPointer { d in
        var rule = ArraySignal(direction: d.baseAddress!)
        return SignalTrack(rule: &rule, count: d.count, allowShort: config.allowShort)
      }
      var recording = FullRecording()
      var accumulator = PerformanceAccumulator(initialEquity: config.initialCapital, periodsPerYear: config.annualization(for: market.timestamps), capacity: market.count)
      var rule = track.rule
      let u = Simulator.run(market: market, rule: &rule, configuration: config, accumulator: &accumulator, recorder: &recording)
      #expect(ReplayTests.firstDifference(a, recording) == nil, "\(name), seed \(seed)")
      #expect(Metrics.all.map { $0.value(s).bitPattern } == Metrics.all.map { $0.value(u).bitPattern }, "\(name), seed \(seed)")
    }
  }

  /// Every strategy, with filters, confirmation-free gates and both triggers: a run on the
  /// runner's track equals the runner's own run.
  @Test func everyStrategyOnItsTrackGivesTheSameBits() throws {
    let cases: [(StrategyKind, [String: Double], (inout BacktestConfiguration) -> Void)] = [
      (.smaCross, ["fast": 8, "slow": 40, "stop_atr": 1.5, "fee": 0.001], { _ in }),
      (.smaCross, ["fast": 5, "slow": 30, "take_pct": 0.04, "stop_pct": 0.02], { $0.allowShort = true; $0.fill = .nextClose }),
      (.emaCross, ["fast": 10, "slow": 50, "er_window": 20, "er_min": 0.2, "stop_atr": 2], { $0.trigger = .cross }),
      (.rsiReversion, ["window": 14, "lower": 30, "upper": 70, "vol_lookback": 60, "vol_low": 0.1, "vol_high": 0.9], { $0.allowShort = true }),
      (.bollingerReversion, ["window": 20, "k": 2, "chop_window": 14, "chop_max": 60, "lot_size": 1], { _ in }),
      (.donchianBreakout, ["window": 30, "risk": 0.01, "risk_atr": 2, "max_leverage": 2], { $0.allowShort = true; $0.trigger = .cross }),
    ]
    for (k, (kind, parameters, apply)) in cases.enumerated() {
      var config = BacktestConfiguration()
      apply(&config)
      let runner = StrategyRunner(kind: kind, configuration: config)
      let cache = IndicatorCache(market: try MarketSeries(name: "TEST", frame: QuietStretchTests.marketWithGaps(seed: 10 + UInt64(k), bars: 2000)))
      let p = try runner.resolve(parameters)
      cache.prepare(runner.indicators(p))
      var accumulator = PerformanceAccumulator(initialEquity: config.initialCapital, periodsPerYear: 252, capacity: cache.market.count)
      var recorder = NoRecording()
      let direct = Metrics.values(try runner.run(p, cache: cache, accumulator: &accumulator, recorder: &recorder))
      accumulator.reset()
      let tracked = Metrics.values(try runner.run(p, track: try runner.track(p, cache: cache), cache: cache, accumulator: &accumulator, recorder: &recorder))
      #expect(direct.map(\.bitPattern) == tracked.map(\.bitPattern), "\(kind) \(parameters)")
      #expect(direct[Metrics.names.firstIndex(of: "trades")!] >= 3, "\(kind): the case should trade")
    }
  }

  /// A sweep whose last axis is an engine parameter shares tracks; its rows equal single runs.
  @Test func aSweepSharingTracksEqualsSingleRuns() throws {
    var config = BacktestConfiguration()
    config.fee = 0.001
    config.allowShort = true
    let runner = StrategyRunner(kind: .smaCross, configuration: config)
    let grid = try ParameterGrid(["fast=3:12:3", "slow=20:40:10", "er_window=10", "er_min=0,0.3", "stop_atr=0:3:0.5"], where: "fast<slow")
    let sweep = try SweepRunner(runner: runner, grid: grid)
    #expect(sweep.sharesTracks)
    // Rows 0…6 differ only in stop_atr (7 values); row 7 has the next er_min.
    #expect(grid.signalAxes == [0, 1, 2, 3])
    #expect((1...6).allSatisfy { grid.sameSignal(0, $0, signalAxes: grid.signalAxes) } && !grid.sameSignal(6, 7, signalAxes: grid.signalAxes))
    #expect(try !SweepRunner(runner: runner, grid: ParameterGrid(["stop_atr=0,1", "fast=3:12:3", "slow=20:40:10"])).sharesTracks)
    let caches = try SyntheticMarket(seed: 8, bars: 900, assets: 2).generate().map { try IndicatorCache(market: MarketSeries(name: $0.name, frame: $0.frame)) }
    let result = try sweep.run(caches: caches, threads: 2)
    for row in stride(from: 0, to: result.rowCount, by: 5) {
      let cache = caches[result.asset(ofRow: row)]
      let p = try runner.resolve(grid.parameters(result.combination(ofRow: row)))
      cache.prepare(runner.indicators(p))
      var accumulator = PerformanceAccumulator(initialEquity: config.initialCapital, periodsPerYear: 252, capacity: cache.market.count)
      var recorder = NoRecording()
      let single = Metrics.values(try runner.run(p, cache: cache, accumulator: &accumulator, recorder: &recorder))
      #expect(result.row(row).map(\.bitPattern) == single.map(\.bitPattern), "row \(row)")
    }
  }

  /// Every engine parameter (and the trigger) is read by `applying`: each one alone changes
  /// the configuration, so a name misspelt where the map is read would fail here.
  @Test func everyEngineParameterIsApplied() throws {
    let base = BacktestConfiguration()
    for name in CommonParameter.engineOnly.sorted() + ["trigger"] {
      let value = name == "dd_resume_bars" ? 7.0 : (name == "trigger" ? 1.0 : 0.0625)
      // The resume rules and risk_atr only show with what they qualify.
      var p = [name: value]
      if name.hasPrefix("dd_resume") { p["max_dd"] = 0.25 }
      if name == "risk_atr" { p["risk"] = 0.01 }
      var without = p
      without[name] = nil
      #expect(try base.applying(p) != base.applying(without), "\(name) is not applied")
    }
    #expect(throws: BacktestError.invalidParameter(name: "stop_atr", reason: "must be a finite number >= 0, was -1.0")) {
      try base.applying(["stop_atr": -1, "fee": 0.001])
    }
    #expect(throws: BacktestError.invalidParameter(name: "fee", reason: "must be a fraction in [0, 1) (0.001 = 10 bp), was 2.0")) {
      try base.applying(["stop_atr": -1, "fee": 2])
    }
  }

  @Test func theEngineOnlyParametersAreCommonParametersThatLeaveTheRuleAlone() {
    #expect(CommonParameter.engineOnly.isSubset(of: Set(CommonParameter.names.keys)))
    for shaping in ["trigger", "vol_lookback", "vol_low", "vol_high", "er_window", "er_min", "chop_window", "chop_max"] {
      #expect(!CommonParameter.engineOnly.contains(shaping), "\(shaping) shapes the targets")
    }
  }
}
