import Yams

/// The keys a YAML settings file may hold, checked before it is decoded: an unknown key (a
/// misspelling that decoding would silently ignore) or a key given twice is an error naming
/// the file, the line and column, and the nearest known key. Used for feature specs and every
/// command's config file.
public indirect enum YAMLSchema: Sendable {
  /// A mapping with these keys, each with its own schema.
  case mapping([String: YAMLSchema])
  /// A list whose items follow the schema.
  case list(YAMLSchema)
  /// Anything (a scalar, or a value checked elsewhere, e.g. a map of parameter names).
  case any

  /// A mapping whose keys are all `.any`.
  public static func keys(_ names: [String]) -> YAMLSchema { .mapping(Dictionary(uniqueKeysWithValues: names.map { ($0, .any) })) }

  /// This mapping with `other`'s keys added (a mapping too).
  public func adding(_ other: YAMLSchema) -> YAMLSchema {
    guard case let .mapping(a) = self, case let .mapping(b) = other else { return self }
    return .mapping(a.merging(b) { first, _ in first })
  }

  /// Checks `text` (the file `file`) against the schema. A document that is not YAML is left
  /// to the decoder, which says why.
  public func check(_ text: String, file: String) throws(YAMLKeyError) {
    guard let node = try? Yams.compose(yaml: text) else { return }
    try check(node, file: file, path: "")
  }

  func check(_ node: Node, file: String, path: String) throws(YAMLKeyError) {
    switch (self, node) {
    case let (.mapping(allowed), .mapping(mapping)):
      var seen: Set<String> = []
      for (key, value) in mapping {
        let name = key.string ?? ""
        let mark = key.mark
        guard seen.insert(name).inserted else {
          throw YAMLKeyError(file: file, line: mark?.line, column: mark?.column, key: name, place: path, problem: .duplicate)
        }
        guard let schema = allowed[name] else {
          throw YAMLKeyError(file: file, line: mark?.line, column: mark?.column, key: name, place: path,
                             problem: .unknown(nearest: Self.nearest(name, in: allowed.keys.sorted()), known: allowed.keys.sorted()))
        }
        try schema.check(value, file: file, path: path.isEmpty ? name : "\(path).\(name)")
      }
    case let (.list(item), .sequence(sequence)):
      for (k, value) in sequence.enumerated() { try item.check(value, file: file, path: "\(path)[\(k)]") }
    default:
      return  // a type mismatch is the decoder's to report
    }
  }

  /// The known key closest to `name` by edit distance (within a third of its length, at least 2).
  static func nearest(_ name: String, in known: [String]) -> String? {
    func distance(_ a: [Character], _ b: [Character]) -> Int {
      var row = Array(0...b.count)
      for (i, x) in a.enumerated() {
        var previous = row[0]
        row[0] = i + 1
        for (j, y) in b.enumerated() {
          let current = row[j + 1]
          row[j + 1] = Swift.min(row[j + 1] + 1, row[j] + 1, previous + (x == y ? 0 : 1))
          previous = current
        }
      }
      return row[b.count]
    }
    let scored = known.map { ($0, distance(Array(name.lowercased()), Array($0))) }.min { $0.1 < $1.1 }
    guard let (best, d) = scored, d <= Swift.max(2, name.count / 3) else { return nil }
    return best
  }
}

/// A key a settings file may not hold.
public struct YAMLKeyError: Error, Equatable, Sendable, CustomStringConvertible {
  public enum Problem: Equatable, Sendable {
    case unknown(nearest: String?, known: [String])
    case duplicate
  }
  public let file: String
  /// 1-based, as editors count (`nil` when the parser gave no position).
  public let line: Int?, column: Int?
  public let key: String
  /// Where the key is (`strategies[1]`, empty at the top level).
  public let place: String
  public let problem: Problem

  public var description: String {
    let position = line.map { ":\($0)" + (column.map { ":\($0)" } ?? "") } ?? ""
    let location = place.isEmpty ? "" : " in \(place)"
    switch problem {
    case let .unknown(nearest, known):
      return "\(file)\(position): unknown key '\(key)'\(location)" + (nearest.map { "; did you mean '\($0)'?" } ?? "")
        + " (known: \(known.joined(separator: ", ")))"
    case .duplicate:
      return "\(file)\(position): the key '\(key)'\(location) is given twice"
    }
  }
}
