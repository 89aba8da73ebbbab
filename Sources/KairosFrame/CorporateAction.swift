import KairosCore

/// A split or a cash dividend, effective at the open of its ex-date (docs/DESIGN.md §3).
public struct CorporateAction: Sendable, Equatable {
  public enum Kind: Sendable, Equatable {
    /// New shares per old share (2 for a 2-for-1 split; 0.5 for a 1-for-2 reverse split).
    case split(ratio: Double)
    /// Cash per share, on the unadjusted price basis of the ex-date.
    case dividend(amount: Double)
  }

  /// Midnight UTC of the ex-date, in nanoseconds since the epoch.
  public let exDate: Int64
  public let kind: Kind

  public init(exDate: Int64, kind: Kind) {
    self.exDate = exDate
    self.kind = kind
  }
}

/// The price and volume columns a back-adjustment rewrites.
public struct AdjustmentColumns: Sendable {
  public var prices: [String]
  public var volume: String?
  public var close: String

  /// `open`, `high`, `low`, `close` and `volume`.
  public static let ohlcv = AdjustmentColumns(prices: ["open", "high", "low", "close"], volume: "volume", close: "close")

  public init(prices: [String], volume: String?, close: String) {
    self.prices = prices
    self.volume = volume
    self.close = close
  }
}

extension Frame {
  /// The price factor of every row under CRSP back-adjustment (docs/DESIGN.md §3).
  ///
  /// ```
  /// factor[t] = Π over actions with exDate > t of  1/s             (split of ratio s)
  ///                                               1 − d / close[e−1] (dividend d; close[e−1]
  ///                                                                  is the last raw close
  ///                                                                  before the ex-date)
  /// ```
  /// Actions dated at or before the first row change nothing.
  ///
  /// - Throws: `FrameError.invalidCorporateAction` for a non-positive split ratio, a negative
  ///   dividend, a dividend with no close before its ex-date in the frame, or one at least as
  ///   large as that close.
  public func adjustmentFactors(
    for actions: [CorporateAction], closeColumn: String = "close"
  ) throws(FrameError) -> Column<Double> {
    let close = try column(closeColumn)
    var factors = [Double](repeating: 1, count: rowCount)
    // Row-wise step factor: applied to rows before the action's first row on/after the ex-date.
    var stepAt = [Double](repeating: 1, count: rowCount + 1)
    for action in actions {
      let boundary = index.firstPosition(atOrAfter: action.exDate)  // rows < boundary are before
      switch action.kind {
      case let .split(ratio):
        guard ratio > 0, ratio.isFinite else {
          throw FrameError.invalidCorporateAction(exDate: action.exDate, reason: "split ratio must be positive, was \(ratio)")
        }
        if boundary > 0 { stepAt[boundary] *= 1 / ratio }
      case let .dividend(amount):
        guard amount >= 0, amount.isFinite else {
          throw FrameError.invalidCorporateAction(exDate: action.exDate, reason: "dividend must be non-negative, was \(amount)")
        }
        if boundary == 0 { continue }
        guard boundary < rowCount || index[rowCount - 1] < action.exDate else { continue }
        if boundary == rowCount {
          throw FrameError.invalidCorporateAction(
            exDate: action.exDate,
            reason: "the ex-date is after the last row, so the close before it is not in the data")
        }
        let previousClose = close[boundary - 1]
        guard previousClose.isFinite, previousClose > amount else {
          throw FrameError.invalidCorporateAction(
            exDate: action.exDate,
            reason: "dividend \(amount) needs a close above it on the day before, was \(previousClose)")
        }
        stepAt[boundary] *= 1 - amount / previousClose
      }
    }
    // Walk backwards: the factor of row t is the product of steps at boundaries > t.
    var running = 1.0
    var t = rowCount - 1
    while t >= 0 {
      running *= stepAt[t + 1]
      factors[t] = running
      t -= 1
    }
    return Column(factors)
  }

  /// Back-adjusts prices and volume for splits and dividends (CRSP convention, docs/DESIGN.md §3):
  /// prices before an ex-date are multiplied by the row's factor, volume divided by it (so a
  /// 2-for-1 split doubles earlier volumes). Other columns are left as they are.
  public func adjusted(
    for actions: [CorporateAction], columns: AdjustmentColumns = .ohlcv
  ) throws(FrameError) -> Frame {
    let factors = try adjustmentFactors(for: actions, closeColumn: columns.close)
    return try applyingAdjustment(factors, columns: columns)
  }

  /// Back-adjusts prices and volume from an adjusted-close column: the factor of a row is
  /// `adj_close / close`, applied to every price column (volume divided by it).
  /// - Throws: `FrameError.invalidArgument` naming the first row whose factor is not a positive number.
  public func adjustedFromAdjustedClose(
    _ adjustedCloseColumn: String = "adj_close", columns: AdjustmentColumns = .ohlcv
  ) throws(FrameError) -> Frame {
    let adjusted = try column(adjustedCloseColumn), close = try column(columns.close)
    var factors = [Double](repeating: 1, count: rowCount)
    for i in 0..<rowCount {
      let f = adjusted[i] / close[i]
      guard f.isFinite, f > 0 else {
        throw FrameError.invalidArgument(
          name: adjustedCloseColumn,
          reason: "row \(i + 1) (\(UTCCalendar.iso8601(index[i], dateOnly: UTCCalendar.isMidnight(index[i])))) gives factor \(adjusted[i]) / \(close[i]), expected a positive number")
      }
      factors[i] = f
    }
    return try applyingAdjustment(Column(factors), columns: columns)
  }

  private func applyingAdjustment(_ factors: Column<Double>, columns: AdjustmentColumns) throws(FrameError) -> Frame {
    var result = self
    for name in columns.prices {
      let x = try column(name)
      try result.setColumn(name, Column((0..<rowCount).map { x[$0] * factors[$0] }))
    }
    if let volumeName = columns.volume {
      let v = try column(volumeName)
      try result.setColumn(volumeName, Column((0..<rowCount).map { v[$0] / factors[$0] }))
    }
    return result
  }
}
