#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import KairosCore

/// Seeded synthetic OHLCV markets: the embedded default data, the benchmark input and the
/// test markets. The same seed and settings give the same bits on every machine.
///
/// The model, per bar of length Δ (in days):
/// - volatility regimes: a two-state Markov chain (calm: 1 % a day, turbulent: 3 % a day;
///   a regime lasts 60 days on average when calm, 15 when turbulent), scaled by √Δ;
/// - returns: a market factor shared by every asset plus an idiosyncratic part
///   (`0.6·z_market + 0.8·z_asset`), with a small positive drift;
/// - bars: the open gaps from the previous close by 20 % of the bar's volatility, the close
///   moves from the open, and high/low extend beyond the body by half-normal wicks, so
///   `low ≤ min(open, close) ≤ max(open, close) ≤ high` always; prices are rounded to 4 decimals;
/// - volume: log-normal around 1,000,000 shares a day (scaled by Δ), higher on large moves.
/// Daily bars skip Saturdays and Sundays; intraday bars are continuous.
public struct SyntheticMarket: Sendable {
  public var seed: UInt64
  public var bars: Int
  public var assets: Int
  public var interval: BarInterval
  /// The first bar's timestamp (default 2000-01-03, a Monday).
  public var start: Int64
  public var initialPrice: Double

  public init(seed: UInt64 = 42, bars: Int, assets: Int = 1, interval: BarInterval? = nil,
              start: Int64 = UTCCalendar.days(year: 2000, month: 1, day: 3) * UTCCalendar.nanosecondsPerDay,
              initialPrice: Double = 100) {
    precondition(bars >= 0 && assets >= 1, "bars must be >= 0 and assets >= 1")
    self.seed = seed
    self.bars = bars
    self.assets = assets
    self.interval = interval ?? (try! BarInterval(1, .day))
    self.start = start
    self.initialPrice = initialPrice
  }

  /// The asset names, `SYN1`, `SYN2`, … (zero-padded to equal width).
  public var assetNames: [String] {
    let width = String(assets).count
    return (1...assets).map { k in
      let digits = String(k)
      return "SYN" + String(repeating: "0", count: width - digits.count) + digits
    }
  }

  /// The timestamps of the bars.
  public func timestamps() -> [Int64] {
    var out = [Int64]()
    out.reserveCapacity(bars)
    var t = start
    let step = interval.nanoseconds
    let daily = interval.unit == .day && interval.count == 1
    while out.count < bars {
      if !daily || UTCCalendar.weekday(days: UTCCalendar.day(of: t)) < 5 { out.append(t) }
      t += step
    }
    return out
  }

  /// One frame per asset (`open`, `high`, `low`, `close`, `volume`), in `assetNames` order.
  public func generate() -> [(name: String, frame: Frame)] {
    let times = timestamps()
    let index: TimeIndex
    do { index = try TimeIndex(times) } catch { preconditionFailure("synthetic timestamps are increasing") }
    let barDays = Double(interval.nanoseconds) / Double(UTCCalendar.nanosecondsPerDay)
    let scale = barDays.squareRoot()
    // The shared market path: regime and factor draws, one stream.
    var marketRandom = SplitMix64(seed: seed)
    var marketShock = [Double](repeating: 0, count: bars)
    var volatility = [Double](repeating: 0, count: bars)
    var turbulent = false
    let leaveCalm = barDays / 60, leaveTurbulent = barDays / 15
    for i in 0..<bars {
      if marketRandom.nextUniform() < (turbulent ? leaveTurbulent : leaveCalm) { turbulent.toggle() }
      volatility[i] = (turbulent ? 0.03 : 0.01) * scale
      marketShock[i] = marketRandom.nextNormal()
    }
    return zip(assetNames, 0..<assets).map { name, asset in
      var random = SplitMix64(seed: seed ^ (0x5EED_0000_0000 &+ UInt64(asset + 1) &* 0x9E37_79B9))
      var open = [Double](repeating: 0, count: bars), high = open, low = open, close = open, volume = open
      var previousClose = initialPrice * (1 + 0.1 * Double(asset))
      let drift = 0.0003 * barDays
      for i in 0..<bars {
        let sigma = volatility[i]
        let gap = 0.2 * sigma * random.nextNormal()
        let move = drift + sigma * (0.6 * marketShock[i] + 0.8 * random.nextNormal())
        let o = previousClose * exp(gap)
        let c = o * exp(move)
        let h = Swift.max(o, c) * exp(0.5 * sigma * Swift.abs(random.nextNormal()))
        let l = Swift.min(o, c) * exp(-0.5 * sigma * Swift.abs(random.nextNormal()))
        open[i] = Self.round4(o); high[i] = Self.round4(h); low[i] = Self.round4(l); close[i] = Self.round4(c)
        let activity = 1 + 2 * Swift.abs(move) / Swift.max(sigma, 1e-12)
        volume[i] = (1_000_000 * barDays * activity * exp(0.3 * random.nextNormal())).rounded()
        previousClose = close[i]
      }
      let frame: Frame
      do {
        frame = try Frame(index: index, columns: [("open", open), ("high", high), ("low", low), ("close", close), ("volume", volume)])
      } catch { preconditionFailure("synthetic columns have equal lengths") }
      return (name, frame)
    }
  }

  static func round4(_ x: Double) -> Double { (x * 10_000).rounded() / 10_000 }
}
