/// One position's state and the rules that move it: the single owner of units, the pending
/// order, the entry, the stop and target levels, and the directions the engine will not
/// re-enter. The single-asset core holds one book; the portfolio core one per asset, over one
/// cash account (passed in, never stored here).
///
/// Conventions (docs/DESIGN.md §4): an order decided at the close of bar t (`decide`) fills on
/// the next bar with a valid price; exits are whole; stops and targets are levels set at the
/// entry fill; every fill returns its records, which the core routes to its recorder.
public struct PositionBook: Sendable, Equatable {
  /// Signed units held (> 0 long, < 0 short).
  public internal(set) var units = 0.0
  /// The order decided at the last close: the target direction (+1, −1, 0) and whether it is live.
  public internal(set) var pending: Int8 = 0
  public internal(set) var hasPending = false
  /// The direction a stop or target closed: not re-entered until the rule leaves it.
  public internal(set) var stoppedDirection: Int8 = 0
  /// The entry last refused while halted: recorded once, not again until the rule changes its mind.
  public internal(set) var refusedDirection: Int8 = 0
  /// The open position's entry: bar, fill price, value `units × price` and fee.
  public internal(set) var entryBar = 0, entryPrice = 0.0, entryValue = 0.0, entryFee = 0.0
  /// Stop-loss and take-profit levels (`NaN`: none).
  public internal(set) var stopLevel = Double.nan, targetLevel = Double.nan
  /// The last valid close (equity is marked with it when a bar has no close).
  public internal(set) var lastClose = Double.nan
  /// The indicators of the last close that decided an order or held a position: what the next
  /// fill is sized and charged with.
  public internal(set) var known = DecisionInputs.unknown

  public init() {}

  /// +1 long, −1 short, 0 flat.
  @inline(__always)
  public var direction: Int8 { units > 0 ? 1 : (units < 0 ? -1 : 0) }

  /// Σ of the value marked at `price` (0 when flat).
  @inline(__always)
  public func value(at price: Double) -> Double { units == 0 ? 0 : units * price }

  // MARK: - At the close: the next order

  /// The order for the next bar, from the rule's target after the close of bar t (shorts
  /// already clamped by the caller). The one statement of these rules, in this order:
  ///
  /// 1. **After a stop or target exit** the closed direction is not re-entered until the
  ///    rule's target leaves it (until then the target counts as flat).
  /// 2. **While halted** the target is flat: a held position, long or short, is closed at the
  ///    next valid price (reason `halt`), and a pending exit is never cancelled — a missing
  ///    price only delays it. When the rule asks for a direction other than flat and other
  ///    than the one held, that entry is sent to be refused and recorded (`clip = halted`) at
  ///    the bar where it would have filled — once each time the rule asks for a direction
  ///    other than the last one refused (asking flat in between does not count). A refusal
  ///    that has not reached a valid price yet stays pending while the rule still asks for it.
  /// 3. The order is the target when it differs from the position, and none when not.
  @inline(__always)
  public mutating func decide(target: Int8, halted: Bool) {
    var target = target
    if stoppedDirection != 0 {
      if target == stoppedDirection { target = 0 } else { stoppedDirection = 0 }
    }
    let held = direction
    if halted {
      if target == 0 || target == held {
        target = 0
      } else if target != refusedDirection {
        refusedDirection = target
      } else if !(hasPending && pending == target) {
        target = 0
      }
    } else {
      refusedDirection = 0
    }
    if target != held { pending = target; hasPending = true } else { hasPending = false }
  }

  /// The rule's target as the engine may act on it: a short is flat when shorts are not
  /// allowed. The one statement of that rule (single-asset, portfolio, quiet stretches).
  @inline(__always)
  public static func permitted(_ target: Int8, allowShort: Bool) -> Int8 { target < 0 && !allowShort ? 0 : target }

  /// Keeps `inputs` as the indicators the next fill uses.
  @inline(__always)
  public mutating func remember(_ inputs: DecisionInputs) { known = inputs }

  /// Marks the close of a bar (`NaN`: keeps the last valid one).
  @inline(__always)
  public mutating func mark(close: Double) { if !close.isNaN { lastClose = close } }

  // MARK: - Fills

  /// Closes the whole position at `price` (before costs) on bar `t`; cash moves by the proceeds.
  public mutating func exit(at price: Double, bar t: Int, reason: OrderReason, costs: ExecutionCost,
                            cash: inout Double) -> (order: OrderRecord, trade: TradeRecord) {
    let quantity = Swift.abs(units)
    let side: Int8 = units > 0 ? -1 : 1
    let p = costs.fillPrice(price, side: side, quantity: quantity, known: known)
    let value = quantity * p
    let orderFee = costs.orderFee(value: value)
    let pnl: Double
    if units > 0 {
      cash += value - orderFee
      pnl = (value - orderFee) - (entryValue + entryFee)
    } else {
      cash -= value + orderFee
      pnl = (entryValue - entryFee) - (value + orderFee)
    }
    if reason == .stopLoss || reason == .takeProfit { stoppedDirection = units > 0 ? 1 : -1 }
    let order = OrderRecord(bar: t, side: side, units: quantity, price: p, fee: orderFee, reason: reason, status: .filled, clip: .none)
    let trade = TradeRecord(entryBar: entryBar, exitBar: t, entryPrice: entryPrice, exitPrice: p, units: units,
                            pnl: pnl, returnValue: pnl / (entryValue + entryFee), exitReason: reason)
    units = 0
    stopLevel = .nan; targetLevel = .nan
    return (order, trade)
  }

  /// Opens `quantity > 0` units in `direction` at the costed fill price `p` on bar `t`, sized
  /// and clipped by the core; sets the stop and target at their distances from `p`.
  public mutating func enter(_ direction: Int8, quantity: Double, price p: Double, bar t: Int, clip: ClipReason,
                             stopDistance: Double, targetDistance: Double, costs: ExecutionCost,
                             cash: inout Double) -> OrderRecord {
    let value = quantity * p
    let orderFee = costs.orderFee(value: value)
    if direction > 0 { cash -= value + orderFee; units = quantity } else { cash += value - orderFee; units = -quantity }
    entryBar = t; entryPrice = p; entryValue = value; entryFee = orderFee
    stopLevel = stopDistance.isNaN ? .nan : (direction > 0 ? p - stopDistance : p + stopDistance)
    targetLevel = targetDistance.isNaN ? .nan : (direction > 0 ? p + targetDistance : p - targetDistance)
    return OrderRecord(bar: t, side: direction, units: quantity, price: p, fee: orderFee, reason: .entry, status: .filled, clip: clip)
  }

  // MARK: - Stops and targets

  /// Whether bar `b`'s open or range reaches a stop or target level (a cheap test, so the exact
  /// rule runs only on bars that can trigger).
  @inline(__always)
  public func levelsReached(_ b: BarPrices) -> Bool {
    guard units != 0 else { return false }
    return Self.levelsReached(b, long: units > 0, stop: stopLevel, target: targetLevel)
  }

  /// The test of `levelsReached` for a position held `long` (or short) with these levels
  /// (`NaN`: none), for loops that hoist the position out.
  @inline(__always)
  public static func levelsReached(_ b: BarPrices, long: Bool, stop: Double, target: Double) -> Bool {
    levelsReached(lowReach: b.lowReach, highReach: b.highReach, long: long, stop: stop, target: target)
  }

  /// The same test on the bar's reach down and up (`BarPrices.lowReach`, `highReach`): the
  /// open and the range at once, as the quiet loop reads them from precomputed columns.
  @inline(__always)
  public static func levelsReached(lowReach low: Double, highReach high: Double, long: Bool, stop: Double, target: Double) -> Bool {
    long ? (low <= stop || high >= target) : (high >= stop || low <= target)
  }

  /// The exit a stop or target makes on bar `b`, if any: a gap through a level at the open
  /// (`gap`: the position was held at the open) fills at the open; else a level inside the
  /// range fills at the level; the stop is assumed first when both are touched.
  public func stopExit(_ b: BarPrices, gap: Bool) -> (price: Double, reason: OrderReason)? {
    guard units != 0, !(stopLevel.isNaN && targetLevel.isNaN) else { return nil }
    let long = units > 0
    if gap && !b.open.isNaN {
      if long ? b.open <= stopLevel : b.open >= stopLevel { return (b.open, .stopLoss) }
      if long ? b.open >= targetLevel : b.open <= targetLevel { return (b.open, .takeProfit) }
    }
    if b.high.isNaN || b.low.isNaN { return nil }
    if long ? b.low <= stopLevel : b.high >= stopLevel { return (stopLevel, .stopLoss) }
    if long ? b.high >= targetLevel : b.low <= targetLevel { return (targetLevel, .takeProfit) }
    return nil
  }

  /// The pending order has been acted on (filled, refused or rejected).
  @inline(__always)
  mutating func clearPending() { hasPending = false }
}
