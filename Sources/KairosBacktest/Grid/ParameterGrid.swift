import Foundation
import KairosCore

/// A Cartesian grid of parameter values with an optional constraint.
///
/// Axes are written as on the command line: `fast=5:100` (5 to 100 step 1), `slow=10:300:2`,
/// `threshold=0.5,0.55,0.6`, or a single value `k=2`. Combinations are in lexicographic order
/// of the axes as listed, the first axis varying slowest (docs/DESIGN.md §6).
public struct ParameterGrid: Sendable {
  public struct Axis: Sendable, Equatable {
    public let name: String
    public let values: [Double]
  }

  public let axes: [Axis]
  public let constraint: Constraint?
  /// The combinations that satisfy the constraint, each a value per axis, in row order. Lazy:
  /// a combination is decoded from its index, so a grid of ten million combinations holds
  /// only the indexes the constraint kept (4 bytes each), never an array per combination.
  public let combinations: Combinations

  public var names: [String] { axes.map(\.name) }

  /// The most combinations a grid may have (their indexes are 32-bit); a larger grid is split
  /// into runs (`--shard`, or ranges of the first axis).
  public static let maximumCombinations = Int(UInt32.max)

  /// - Parameters:
  ///   - fixed: parameters every combination shares (`--param`, a config's `params:`): they
  ///     become one-value axes after the swept ones, in name order, so they are applied like
  ///     any axis and written into the result's columns.
  ///   - constraint: e.g. `fast<slow`; it may name fixed parameters too.
  /// - Throws: `BacktestError.invalidGrid` for a malformed axis, a name given twice (also as
  ///   both swept and fixed), more than `maximumCombinations` before the constraint;
  ///   `invalidConstraint`, `emptyGrid`.
  public init(_ specs: [String], fixed: [String: Double] = [:], where constraint: String? = nil) throws(BacktestError) {
    var axes: [Axis] = []
    for spec in specs {
      let axis = try Self.parse(spec)
      guard !axes.contains(where: { $0.name == axis.name }) else { throw .invalidGrid("'\(axis.name)' appears twice") }
      axes.append(axis)
    }
    for (name, value) in fixed.sorted(by: { $0.key < $1.key }) {
      guard !axes.contains(where: { $0.name == name }) else { throw .invalidGrid("'\(name)' is both swept (--grid) and fixed (--param)") }
      guard value.isFinite else { throw .invalidGrid("the fixed parameter '\(name)' is not a finite number") }
      axes.append(Axis(name: name, values: [value]))
    }
    // Counted before anything is made (the constraint can only remove some).
    var product = 1
    for axis in axes {
      let (p, overflow) = product.multipliedReportingOverflow(by: axis.values.count)
      product = overflow ? .max : p
    }
    guard product <= Self.maximumCombinations else {
      throw .invalidGrid("\(product == .max ? "more than 9.2e18" : String(product)) combinations (before the constraint), more than the "
                         + "\(Self.maximumCombinations) one run can index; split the grid into runs over ranges of the first axis '\(axes.first?.name ?? "")'")
    }
    let parsed = try constraint.map { (text) throws(BacktestError) -> Constraint in try Constraint(text, names: axes.map(\.name)) }
    let combinations = Combinations(axes: axes.map(\.values), constraint: parsed)
    guard !combinations.isEmpty else { throw .emptyGrid }
    self.axes = axes
    self.constraint = parsed
    self.combinations = combinations
  }

  /// The parameters of combination `k` by name.
  public func parameters(_ k: Int) -> [String: Double] {
    Dictionary(uniqueKeysWithValues: zip(names, combinations[k]))
  }

  /// The axes that shape a rule's targets: all but those of engine parameters
  /// (`CommonParameter.engineOnly`).
  public var signalAxes: [Int] { axes.indices.filter { !CommonParameter.engineOnly.contains(axes[$0].name) } }

  /// Whether combinations `j` and `k` have the same values on `signalAxes`: then they differ at
  /// most in engine parameters, their rules give the same targets, and they may share a
  /// `SignalTrack` (every other parameter is the same in every combination).
  public func sameSignal(_ j: Int, _ k: Int, signalAxes: [Int]) -> Bool { sameValues(j, k, on: signalAxes) }

  /// Numbers the tuples of value indexes on some axes (mixed radix): the key by which a sweep
  /// takes once per distinct tuple what depends on those axes alone — e.g. the engine
  /// configuration of 125 stop multiples, made 125 times for ten million rows, not ten million.
  public struct ValueKey: Sendable {
    let axes: [Int], radices: [Int]
    /// How many keys there are (`0..<count`).
    public let count: Int

    /// The key of combination `k` of `grid`.
    public func callAsFunction(_ k: Int, of grid: ParameterGrid) -> Int {
      var key = 0
      for (a, radix) in zip(axes, radices) { key = key &* radix &+ grid.combinations.valueIndex(k, axis: a) }
      return key
    }
  }

  /// The key of the value tuples of `axes`, or nil when there are more than `limit` tuples.
  public func valueKey(on axes: [Int], limit: Int) -> ValueKey? {
    var count = 1
    for a in axes {
      let (p, overflow) = count.multipliedReportingOverflow(by: self.axes[a].values.count)
      guard !overflow, p <= limit else { return nil }
      count = p
    }
    return ValueKey(axes: axes, radices: axes.map { self.axes[$0].values.count }, count: count)
  }

  /// Whether combinations `j` and `k` have the same values on `axes` (grid axis indexes).
  public func sameValues(_ j: Int, _ k: Int, on axes: [Int]) -> Bool {
    axes.allSatisfy { combinations.valueIndex(j, axis: $0) == combinations.valueIndex(k, axis: $0) }
  }

  /// The combinations of a grid in row order (first axis slowest), decoded on demand from a
  /// mixed-radix index; with a constraint, the indexes that satisfy it (found once, at `init`).
  public struct Combinations: RandomAccessCollection, Sendable, Equatable {
    let values: [[Double]]
    /// `strides[a]`: how many consecutive indexes share one value of axis `a`.
    let strides: [Int]
    /// The Cartesian indexes kept by the constraint (nil: all of them).
    let kept: [UInt32]?
    let total: Int

    init(axes: [[Double]], constraint: Constraint?) {
      values = axes
      var strides = [Int](repeating: 1, count: axes.count)
      var stride = 1
      for a in axes.indices.reversed() { strides[a] = stride; stride *= axes[a].count }
      self.strides = strides
      guard let constraint else { kept = nil; total = stride; return }
      // An odometer over the Cartesian product: one buffer, updated digit by digit.
      var digits = [Int](repeating: 0, count: axes.count)
      var current = axes.map { $0[0] }
      var kept: [UInt32] = []
      for index in 0..<stride {
        if constraint.isSatisfied(current) { kept.append(UInt32(index)) }
        var a = axes.count - 1
        while a >= 0 {
          digits[a] += 1
          if digits[a] < axes[a].count { current[a] = axes[a][digits[a]]; break }
          digits[a] = 0; current[a] = axes[a][0]; a -= 1
        }
      }
      self.kept = kept
      total = kept.count
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { total }

    /// The Cartesian index of combination `k`.
    @inline(__always)
    func cartesian(_ k: Int) -> Int { kept.map { Int($0[k]) } ?? k }

    /// The value of axis `axis` in combination `k`.
    public func value(_ k: Int, axis: Int) -> Double {
      values[axis][(cartesian(k) / strides[axis]) % values[axis].count]
    }

    /// The index of axis `axis`'s value in combination `k` (`0..<values[axis].count`).
    public func valueIndex(_ k: Int, axis: Int) -> Int { (cartesian(k) / strides[axis]) % values[axis].count }

    public subscript(k: Int) -> [Double] {
      let c = cartesian(k)
      return values.indices.map { a in values[a][(c / strides[a]) % values[a].count] }
    }
  }

  static func parse(_ spec: String) throws(BacktestError) -> Axis {
    let parts = spec.split(separator: "=", maxSplits: 1).map { String($0).trimmingWhitespace() }
    guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
      throw .invalidGrid("expected NAME=a:b[:step] or NAME=v1,v2,…; was '\(spec)'")
    }
    let name = parts[0], body = parts[1]
    func number(_ text: Substring) throws(BacktestError) -> Double {
      guard let v = Double(String(text).trimmingWhitespace()), v.isFinite else { throw .invalidGrid("'\(text)' in '\(spec)' is not a number") }
      return v
    }
    var values: [Double]
    if body.contains(":") {
      let bounds = body.split(separator: ":", omittingEmptySubsequences: false)
      guard bounds.count == 2 || bounds.count == 3 else { throw .invalidGrid("a range is a:b or a:b:step; was '\(spec)'") }
      let a = try number(bounds[0]), b = try number(bounds[1]), step = bounds.count == 3 ? try number(bounds[2]) : 1
      guard step > 0 else { throw .invalidGrid("the step must be positive in '\(spec)'") }
      guard a <= b else { throw .invalidGrid("the range is empty: \(a) > \(b) in '\(spec)'") }
      // Counted in floating point first: a huge range must be an error, not an Int overflow.
      let span = ((b - a) / step + 1e-9).rounded(.down)
      guard span.isFinite, span < 1_000_000 else {
        throw .invalidGrid("'\(spec)' has \(span.isFinite ? String(format: "%.0f", span + 1) : "too many") values; at most 1,000,000 per axis")
      }
      let count = Int(span) + 1
      // Each value from its index (no accumulated rounding), cleaned to 12 significant digits.
      values = (0..<count).map { Self.clean(a + Double($0) * step) }
    } else {
      values = []
      for part in body.split(separator: ",") { values.append(try number(part)) }
    }
    guard !values.isEmpty else { throw .invalidGrid("'\(spec)' has no values") }
    return Axis(name: name, values: values)
  }

  static func clean(_ x: Double) -> Double {
    guard x != 0 else { return 0 }
    var text = String(format12: x)
    if text == "-0" { text = "0" }
    return Double(text) ?? x
  }
}

/// A conjunction of comparisons between parameters and numbers: `fast<slow`,
/// `fast < slow and slow <= 200`, `lower<upper, k>=1.5`.
public struct Constraint: Sendable {
  struct Comparison: Sendable {
    enum Operand: Sendable { case parameter(Int), number(Double) }
    let left: Operand, op: String, right: Operand
  }
  let comparisons: [Comparison]
  public let text: String

  public init(_ text: String, names: [String]) throws(BacktestError) {
    self.text = text
    let clauses = text.replacingAll(" and ", with: ",").replacingAll("&&", with: ",").split(separator: ",")
    var comparisons: [Comparison] = []
    for clause in clauses {
      let c = String(clause).filter { !$0.isWhitespace }
      guard let op = ["<=", ">=", "==", "!=", "<", ">"].first(where: { c.contains($0) }),
        let range = c.range(of: op) else {
        throw .invalidConstraint("expected comparisons such as fast<slow joined by 'and'; was '\(clause)'")
      }
      let lhs = String(c[..<range.lowerBound]), rhs = String(c[range.upperBound...])
      func operand(_ s: String) throws(BacktestError) -> Comparison.Operand {
        if let k = names.firstIndex(of: s) { return .parameter(k) }
        if let v = Double(s) { return .number(v) }
        throw .invalidConstraint("'\(s)' is neither a grid parameter (\(names.joined(separator: ", "))) nor a number")
      }
      comparisons.append(Comparison(left: try operand(lhs), op: op, right: try operand(rhs)))
    }
    guard !comparisons.isEmpty else { throw .invalidConstraint("empty constraint") }
    self.comparisons = comparisons
  }

  public func isSatisfied(_ values: [Double]) -> Bool {
    for c in comparisons {
      func value(_ o: Comparison.Operand) -> Double { switch o { case let .parameter(k): return values[k]; case let .number(v): return v } }
      let a = value(c.left), b = value(c.right)
      let ok: Bool
      switch c.op {
      case "<": ok = a < b
      case "<=": ok = a <= b
      case ">": ok = a > b
      case ">=": ok = a >= b
      case "==": ok = a == b
      default: ok = a != b
      }
      if !ok { return false }
    }
    return true
  }
}

extension String {
  func replacingAll(_ target: String, with replacement: String) -> String {
    var out = "", rest = Substring(self)
    while let r = rest.range(of: target) {
      out += rest[..<r.lowerBound] + replacement
      rest = rest[r.upperBound...]
    }
    return out + rest
  }

  /// `%.12g` without Foundation.
  init(format12 x: Double) {
    // Swift's description is the shortest round-trip form; values from a:b:step grids differ
    // from it only by accumulated rounding, which 12 significant digits remove.
    let digits = 12
    let magnitude = Swift.abs(x)
    let exponent = magnitude == 0 ? 0 : Int((magnitude.log10Floor))
    let scale = pow10(digits - 1 - exponent)
    let rounded = (x * scale).rounded() / scale
    self = "\(rounded)"
  }
}

extension Double {
  var log10Floor: Double {
    var e = 0.0, m = self
    while m >= 10 { m /= 10; e += 1 }
    while m < 1 { m *= 10; e -= 1 }
    return e
  }
}

func pow10(_ k: Int) -> Double {
  var r = 1.0
  if k >= 0 { for _ in 0..<k { r *= 10 } } else { for _ in 0..<(-k) { r /= 10 } }
  return r
}
