import KairosCore

/// An indicator as a state updated one bar at a time: the form a live session needs, and the
/// one definition of the indicator — its batch kernel is the fold of `update` over a column
/// (`Column.streamed(_:)`), so the batch and bar-by-bar values are the same bits when both
/// start from the same bar.
///
/// How much history each needs (docs/DESIGN.md §1):
/// - **finite-window** indicators (rolling sum, mean, deviation, extremum, percentile rank,
///   efficiency ratio, choppiness, Bollinger, Donchian) depend only on the values in their
///   window: once the window is full they give the same bits whatever bar the history started
///   at (sums are exact, see `ExactWindowSum`);
/// - **recursive** indicators (EMA, Wilder's RSI and ATR, MACD) remember every bar: a live
///   session that must match a backtest carries their state from the backtest's first bar; a
///   later start converges geometrically (the seed's weight after k bars is `(1 − α)^k`, e.g.
///   below 1e-12 relative after 14 × span bars for an EMA, `α = 2 / (span + 1)`; for Wilder's
///   smoothing `α = 1 / period`).
public protocol StreamingIndicator: Sendable {
  associatedtype Input
  /// Takes the next bar's input and returns the indicator's value at that bar (`NaN` while
  /// unknown).
  mutating func update(_ input: Input) -> Double
}

extension Column where Element == Double {
  /// The fold of a streaming indicator over this column: its batch kernel.
  public func streamed<S: StreamingIndicator>(_ state: S) -> Column<Double> where S.Input == Double {
    var s = state
    return _map { x, out in
      for i in 0..<x.count { out[i] = s.update(x[i]) }
    }
  }
}

/// The fold of a streaming indicator over several aligned columns (e.g. high, low, close).
@inlinable
public func streamed<S: StreamingIndicator>(_ state: S, count: Int, input: (Int) -> S.Input) -> Column<Double> {
  var s = state
  return Column(unsafeUninitializedCount: count) { out in
    for i in 0..<count { out[i] = s.update(input(i)) }
  }
}

/// The fold of a streaming indicator of a bar's high, low and close over three aligned columns.
public func streamed<S: StreamingIndicator>(_ state: S, high: Column<Double>, low: Column<Double>, close: Column<Double>) -> Column<Double>
where S.Input == HighLowClose {
  precondition(high.count == low.count && low.count == close.count, "high, low and close must have equal lengths")
  return high.withUnsafeBufferPointer { h in
    low.withUnsafeBufferPointer { l in
      close.withUnsafeBufferPointer { c in
        streamed(state, count: c.count) { HighLowClose(high: h[$0], low: l[$0], close: c[$0]) }
      }
    }
  }
}
