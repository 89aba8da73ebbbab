import Kairos

/// Seeded random inputs for property tests.
public struct RandomData {
  public var random: SplitMix64

  public init(seed: UInt64) { random = SplitMix64(seed: seed) }

  /// A matrix with standard normal entries.
  public mutating func normalMatrix(rows: Int, columns: Int) -> Matrix {
    Matrix(rows: rows, columns: columns, columnMajor: (0..<(rows * columns)).map { _ in random.nextNormal() })
  }

  /// A vector with standard normal entries.
  public mutating func normalVector(_ count: Int) -> [Double] {
    (0..<count).map { _ in random.nextNormal() }
  }

  /// A `Double` drawn to stress formatting: ordinary values, NaN, ±0, ±inf, subnormals,
  /// huge and tiny magnitudes, integers, and arbitrary bit patterns.
  public mutating func awkwardDouble() -> Double {
    switch random.next() % 12 {
    case 0: return .nan
    case 1: return random.next() % 2 == 0 ? 0.0 : -0.0
    case 2: return random.next() % 2 == 0 ? .infinity : -.infinity
    case 3: return Double(bitPattern: random.next() & 0x000F_FFFF_FFFF_FFFF) * (random.next() % 2 == 0 ? 1 : -1)  // subnormal
    case 4: return Double.greatestFiniteMagnitude * random.nextUniform()
    case 5: return Double(Int64(bitPattern: random.next()) >> 12)  // large integers
    case 6: return (random.nextUniform() * 1000).rounded() / 100  // prices like 12.34
    case 7: return Double.leastNormalMagnitude * (1 + random.nextUniform())
    default:
      let bits = random.next()
      let value = Double(bitPattern: bits)
      return value.isNaN ? 1.5 : value
    }
  }
}

/// Naive reference implementations (one obvious loop each, no BLAS).
public enum NaiveLinalg {
  /// `op(A)·op(B)`.
  public static func multiply(_ a: Matrix, transposeA: Bool = false, _ b: Matrix, transposeB: Bool = false) -> Matrix {
    let m = transposeA ? a.columns : a.rows, k = transposeA ? a.rows : a.columns
    let n = transposeB ? b.rows : b.columns
    var c = Matrix(rows: m, columns: n)
    for i in 0..<m {
      for j in 0..<n {
        var s = 0.0
        for l in 0..<k { s += (transposeA ? a[l, i] : a[i, l]) * (transposeB ? b[j, l] : b[l, j]) }
        c[i, j] = s
      }
    }
    return c
  }

  /// Solves `A·x = b` by Gaussian elimination with partial pivoting.
  public static func solve(_ a: Matrix, _ b: [Double]) -> [Double] {
    let n = a.rows
    var m = (0..<n).map { i in (0..<n).map { a[i, $0] } + [b[i]] }
    for col in 0..<n {
      let pivot = (col..<n).max { abs(m[$0][col]) < abs(m[$1][col]) }!
      m.swapAt(col, pivot)
      for row in (col + 1)..<n {
        let f = m[row][col] / m[col][col]
        for k in col...n { m[row][k] -= f * m[col][k] }
      }
    }
    var x = [Double](repeating: 0, count: n)
    for i in stride(from: n - 1, through: 0, by: -1) {
      var s = m[i][n]
      for k in (i + 1)..<n { s -= m[i][k] * x[k] }
      x[i] = s / m[i][i]
    }
    return x
  }
}
