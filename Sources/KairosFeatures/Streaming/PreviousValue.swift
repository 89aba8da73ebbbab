/// The value an indicator had one bar earlier (`NaN` at the first bar): the channel of the
/// bars before the current one, for breakouts.
public struct PreviousValue<Base: StreamingIndicator>: StreamingIndicator {
  var base: Base
  var last = Double.nan
  public init(_ base: Base) { self.base = base }
  public mutating func update(_ x: Base.Input) -> Double {
    defer { last = base.update(x) }
    return last
  }
}
