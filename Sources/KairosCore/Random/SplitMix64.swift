#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small, fast, seedable random number generator (Steele, Lea & Flood's SplitMix64).
///
/// Every random path in Kairos takes a seed so runs are reproducible; per-task streams are
/// derived as `SplitMix64(seed: base ^ UInt64(task))`.
@frozen
public struct SplitMix64: RandomNumberGenerator, Sendable {
  @usableFromInline internal var _state: UInt64

  @inlinable public init(seed: UInt64) { _state = seed }

  @inlinable
  public mutating func next() -> UInt64 {
    _state &+= 0x9E37_79B9_7F4A_7C15
    var z = _state
    z = (z ^ (z &>> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z &>> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z &>> 31)
  }

  /// A uniform `Double` in [0, 1) with 53 random bits.
  @inlinable
  public mutating func nextUniform() -> Double {
    Double(next() &>> 11) * 0x1.0p-53
  }

  /// A standard normal draw (Box–Muller; one of the pair is discarded for simplicity).
  @inlinable
  public mutating func nextNormal() -> Double {
    let u1 = max(nextUniform(), 0x1.0p-60)
    let u2 = nextUniform()
    return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
  }
}
