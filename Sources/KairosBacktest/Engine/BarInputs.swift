/// One bar of one asset as the engine core sees it: the prices that arrived for it. A missing
/// price is `NaN` (a bar without a price never fills; docs/DESIGN.md §4).
public struct BarPrices: Sendable, Equatable {
  public var open: Double, high: Double, low: Double, close: Double

  @inlinable @inline(__always)
  public init(open: Double, high: Double, low: Double, close: Double) {
    self.open = open; self.high = high; self.low = low; self.close = close
  }

  /// The lowest price the bar trades at, its open included: `min(open, low)`, the one that is
  /// not `NaN` when one is (`NaN` when both are). A level at or above it is reached by the
  /// open or inside the range — one comparison for what a stop test asks of both.
  @inlinable @inline(__always)
  public static func lowReach(open: Double, low: Double) -> Double { .minimum(open, low) }

  /// The highest price the bar trades at, its open included: `max(open, high)` (see `lowReach`).
  @inlinable @inline(__always)
  public static func highReach(open: Double, high: Double) -> Double { .maximum(open, high) }

  @inlinable @inline(__always)
  public var lowReach: Double { Self.lowReach(open: open, low: low) }
  @inlinable @inline(__always)
  public var highReach: Double { Self.highReach(open: open, high: high) }
}

/// A whole history's price columns, as `EngineCore.runQuiet` reads them: the close to mark,
/// and with stop or target levels set each bar's reach down and up (`BarPrices.lowReach`,
/// `highReach`), so the quiet loop tests a level with one comparison and one load per side.
/// The per-bar steps (`Simulator.fold`) read `open`, `high` and `low`.
public struct QuietPrices {
  public let open: UnsafePointer<Double>, high: UnsafePointer<Double>, low: UnsafePointer<Double>, close: UnsafePointer<Double>
  public let lowReach: UnsafePointer<Double>, highReach: UnsafePointer<Double>
  /// No close is `NaN` (when `false`, a missing close marks with the last valid one).
  public let closesComplete: Bool
  @inlinable @inline(__always)
  public init(open: UnsafePointer<Double>, high: UnsafePointer<Double>, low: UnsafePointer<Double>, close: UnsafePointer<Double>,
              lowReach: UnsafePointer<Double>, highReach: UnsafePointer<Double>, closesComplete: Bool = false) {
    self.open = open; self.high = high; self.low = low; self.close = close
    self.lowReach = lowReach; self.highReach = highReach; self.closesComplete = closesComplete
  }
}

/// The indicators known at the close where an order is decided, which that order's fill uses
/// on the next bar: ATR(14) for stop distances and fixed-fractional sizing, σ₂₀ (20-bar sample
/// standard deviation of close-to-close returns) for the impact and volatility-target sizing,
/// ADV₂₀ (20-bar mean volume) for the impact. `NaN` while unknown (warm-up): an entry that
/// needs the ATR is then refused, and the impact term is skipped.
///
/// The core receives them by value at each close, so a live session computes them with the
/// streaming indicators and a backtest reads them from precomputed columns: same numbers,
/// same fills.
public struct DecisionInputs: Sendable, Equatable {
  public var atr: Double, sigma20: Double, averageVolume20: Double

  @inlinable @inline(__always)
  public init(atr: Double, sigma20: Double, averageVolume20: Double) {
    self.atr = atr; self.sigma20 = sigma20; self.averageVolume20 = averageVolume20
  }

  /// Nothing known yet (before the first close).
  public static let unknown = DecisionInputs(atr: .nan, sigma20: .nan, averageVolume20: .nan)

  public static func == (a: Self, b: Self) -> Bool {
    a.atr.bitPattern == b.atr.bitPattern && a.sigma20.bitPattern == b.sigma20.bitPattern
      && a.averageVolume20.bitPattern == b.averageVolume20.bitPattern
  }
}

extension ExitDistance {
  /// The distance from the entry price, in price units: `k × ATR` or `f × price`.
  @inline(__always)
  public func distance(atr: Double, price: Double) -> Double {
    switch self {
    case let .atrMultiple(k): return k * atr
    case let .fraction(f): return f * price
    }
  }

  /// Whether the distance needs the ATR.
  public var needsATR: Bool { if case .atrMultiple = self { return true } else { return false } }
}
