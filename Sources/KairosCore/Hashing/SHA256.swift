/// SHA-256 (FIPS 180-4), for the data-file fingerprints in run manifests and the checksums of
/// sweep parts. Foundation has no SHA-256 on Linux and swift-crypto would add a large build to
/// the research core for one function. Plain Swift at about 54 instructions per byte (the
/// rounds written out with their roles rotated, the state in locals across blocks: 25 % fewer
/// than a loop that moves the eight words each round); a merge hashes on a thread of its own.
public struct SHA256: Sendable {
  private var state: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) =
    (0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19)
  private var pending: [UInt8] = []
  private var length: UInt64 = 0

  /// The 64 round constants, made once and read through a pointer (no lazy-initialisation
  /// check or array retain per block).
  struct Constants: @unchecked Sendable {
    let k: UnsafeMutablePointer<UInt32>
    init() {
      let values: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
      ]
      k = .allocate(capacity: 64)
      k.initialize(from: values, count: 64)
    }
  }
  private static let constants = Constants()

  public init() {}

  /// The hex digest of `bytes`.
  public static func hex<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
    var h = SHA256()
    h.update(bytes)
    return h.hexDigest()
  }

  /// The digest of everything given so far, in lowercase hex (what `sha256sum` prints).
  public mutating func hexDigest() -> String {
    finalize().map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
  }

  public mutating func update<C: Collection>(_ bytes: C) where C.Element == UInt8 {
    length &+= UInt64(bytes.count)
    if bytes.withContiguousStorageIfAvailable({ absorb($0) }) == nil { Array(bytes).withUnsafeBufferPointer { absorb($0) } }
  }

  /// Compresses whole 64-byte blocks straight from `input` (large files hash at memory speed,
  /// without copying); keeps the rest for the next call.
  private mutating func absorb(_ input: UnsafeBufferPointer<UInt8>) {
    guard let base = input.baseAddress else { return }
    var offset = 0
    if !pending.isEmpty {
      let take = Swift.min(64 - pending.count, input.count)
      pending.append(contentsOf: input[0..<take])
      offset = take
      guard pending.count == 64 else { return }
      let block = pending
      pending.removeAll(keepingCapacity: true)
      block.withUnsafeBufferPointer { compress($0.baseAddress!, blocks: 1) }
    }
    let whole = (input.count - offset) / 64
    if whole > 0 {
      compress(base + offset, blocks: whole)
      offset += whole * 64
    }
    pending.append(contentsOf: input[offset...])
  }

  public mutating func finalize() -> [UInt8] {
    let bits = length &* 8
    var tail = pending + [0x80]
    while tail.count % 64 != 56 { tail.append(0) }
    for shift in stride(from: 56, through: 0, by: -8) { tail.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift))) }
    tail.withUnsafeBufferPointer { compress($0.baseAddress!, blocks: $0.count / 64) }
    let words = [state.0, state.1, state.2, state.3, state.4, state.5, state.6, state.7]
    return words.flatMap { w in [UInt8(w >> 24), UInt8(truncatingIfNeeded: w >> 16), UInt8(truncatingIfNeeded: w >> 8), UInt8(truncatingIfNeeded: w)] }
  }

  @inline(__always) static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { x >> n | x << (32 &- n) }

  /// One round with the eight working words in their roles of this round: written out eight
  /// times per loop with the roles rotated, so no word moves between rounds.
  @inline(__always)
  static func round(_ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: inout UInt32, _ e: UInt32, _ f: UInt32, _ g: UInt32,
                    _ h: inout UInt32, _ kw: UInt32) {
    let t1 = h &+ (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) &+ (g ^ (e & (f ^ g))) &+ kw  // Σ1, Ch
    let t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) &+ ((a & b) | (c & (a | b)))  // Σ0, Maj
    d = d &+ t1
    h = t1 &+ t2
  }

  /// Compresses `blocks` 64-byte blocks from `data` into the state, which stays in locals
  /// across them.
  private mutating func compress(_ data: UnsafePointer<UInt8>, blocks: Int) {
    let k = Self.constants.k
    var (s0, s1, s2, s3, s4, s5, s6, s7) = state
    withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { buffer in
      let w = buffer.baseAddress!, raw = UnsafeRawPointer(data)
      for block in 0..<blocks {
        let p = raw + block &* 64
        for i in 0..<16 { w[i] = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: i &* 4, as: UInt32.self)) }
        for i in 16..<64 {
          let x = w[i &- 15], y = w[i &- 2]
          let sigma0 = Self.rotr(x, 7) ^ Self.rotr(x, 18) ^ (x >> 3)
          let sigma1 = Self.rotr(y, 17) ^ Self.rotr(y, 19) ^ (y >> 10)
          w[i] = w[i &- 16] &+ sigma0 &+ w[i &- 7] &+ sigma1
        }
        var a = s0, b = s1, c = s2, d = s3, e = s4, f = s5, g = s6, h = s7
        var i = 0
        while i < 64 {
          Self.round(a, b, c, &d, e, f, g, &h, k[i] &+ w[i])
          Self.round(h, a, b, &c, d, e, f, &g, k[i &+ 1] &+ w[i &+ 1])
          Self.round(g, h, a, &b, c, d, e, &f, k[i &+ 2] &+ w[i &+ 2])
          Self.round(f, g, h, &a, b, c, d, &e, k[i &+ 3] &+ w[i &+ 3])
          Self.round(e, f, g, &h, a, b, c, &d, k[i &+ 4] &+ w[i &+ 4])
          Self.round(d, e, f, &g, h, a, b, &c, k[i &+ 5] &+ w[i &+ 5])
          Self.round(c, d, e, &f, g, h, a, &b, k[i &+ 6] &+ w[i &+ 6])
          Self.round(b, c, d, &e, f, g, h, &a, k[i &+ 7] &+ w[i &+ 7])
          i &+= 8
        }
        s0 &+= a; s1 &+= b; s2 &+= c; s3 &+= d; s4 &+= e; s5 &+= f; s6 &+= g; s7 &+= h
      }
    }
    state = (s0, s1, s2, s3, s4, s5, s6, s7)
  }
}
