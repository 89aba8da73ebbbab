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
    try Self.checkNesting(text, file: file)
    let node: Node?
    do { node = try Yams.compose(yaml: text) } catch {
      // Not YAML at all: the parser's own position and words (e.g. a tab used for indentation).
      throw YAMLKeyError(file: file, line: nil, column: nil, key: "", place: "", problem: .syntax("\(error)"))
    }
    guard let node else { return }
    try rejectBaseSixty(node, file: file)
    try check(node, file: file, path: "")
  }

  /// YAML 1.1 reads `1:30` as the base-60 integer 90, and Yams, asked for an integer, reads
  /// any scalar with a colon that way — and traps when the arithmetic overflows (`99:99:…`,
  /// or `999999999999999999:1`; found by fuzzing). A plain scalar whose base-60 reading would
  /// overflow is refused before any decoding, wherever it is; others (`fast=5:50:5`) pass.
  func rejectBaseSixty(_ node: Node, file: String) throws(YAMLKeyError) {
    switch node {
    case let .scalar(scalar):
      guard scalar.style == .plain || scalar.style == .any, Self.baseSixtyOverflows(scalar.string) else { return }
      throw YAMLKeyError(file: file, line: scalar.mark.map { $0.line }, column: scalar.mark.map { $0.column }, key: scalar.string, place: "",
                         problem: .syntax("'\(scalar.string)' reads as a base-60 number too large for an integer; write the value itself (or quote it)"))
    case let .mapping(mapping):
      for (key, value) in mapping { try rejectBaseSixty(key, file: file); try rejectBaseSixty(value, file: file) }
    case let .sequence(sequence):
      for value in sequence { try rejectBaseSixty(value, file: file) }
    @unknown default:
      return
    }
  }

  /// The deepest nesting a settings file may have. Yams loads nodes recursively and overflows
  /// the stack on a few thousand levels (`{{{{…`, found by fuzzing); no config comes near this.
  public static let maximumNesting = 64

  /// Refuses text nested deeper than `maximumNesting`, before Yams sees it: brackets (`[`, `{`
  /// minus their closers, counted everywhere — quotes and comments included, so a refusal can
  /// only err on the safe side) and block indentation (leading spaces and `- ` markers, at
  /// least one column per level).
  static func checkNesting(_ text: String, file: String) throws(YAMLKeyError) {
    var depth = 0, line = 1, column = 0, atLineStart = true, indent = 0
    func refuse(_ what: String) -> YAMLKeyError {
      YAMLKeyError(file: file, line: line, column: column, key: "", place: "",
                   problem: .syntax("\(what) nested deeper than \(maximumNesting) levels; a settings file needs a few"))
    }
    for byte in text.utf8 {
      column += 1
      if byte == 10 { line += 1; column = 0; atLineStart = true; indent = 0; continue }
      if atLineStart {
        if byte == 32 || byte == 45 { indent += 1 } else { atLineStart = false }
        if indent > 4 * maximumNesting { throw refuse("indentation") }
      }
      if byte == 91 || byte == 123 {
        depth += 1
        if depth > maximumNesting { throw refuse("brackets") }
      } else if (byte == 93 || byte == 125) && depth > 0 {
        depth -= 1
      }
    }
  }

  /// Whether Yams's base-60 reading of `text` (its `String.sexagesimal()`: the integer fields
  /// split at colons, non-numbers dropped, least significant last) overflows `Int`.
  static func baseSixtyOverflows(_ text: String) -> Bool {
    let text = text.replacingOccurrences(of: "_", with: "")
    guard text.contains(":") else { return false }
    var body = Substring(text)
    if body.hasPrefix("-") || body.hasPrefix("+") { body = body.dropFirst() }
    if body.hasPrefix("0") { return false }  // read as hex, binary or octal instead: never base 60
    var base = 1, value = 0
    for digit in String(body).components(separatedBy: ":").compactMap({ Int($0, radix: 10) }).reversed() {
      let (term, o1) = digit.multipliedReportingOverflow(by: base)
      let (sum, o2) = value.addingReportingOverflow(term)
      let (next, o3) = base.multipliedReportingOverflow(by: 60)
      if o1 || o2 || o3 { return true }
      (value, base) = (sum, next)
    }
    return false
  }

  /// A decoding error in the terms of the file: the key (and its line when it can be found in
  /// `text`) and what was expected there. The one rewriting of `DecodingError` for every
  /// settings file and feature spec.
  public static func describe(_ error: DecodingError, in text: String) -> String {
    func place(_ path: [CodingKey]) -> String {
      let names = path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
      let key = path.last(where: { $0.intValue == nil })?.stringValue
      let line = key.flatMap { k in
        text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex {
          let trimmed = $0.drop { $0 == " " || $0 == "-" }
          return trimmed.hasPrefix(k + ":")
        }
      }
      let joined = names.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
      return (line.map { "line \($0 + 1): " } ?? "") + (names.isEmpty ? "the document" : "'\(joined)'")
    }
    func expected(_ type: Any.Type) -> String {
      let name = "\(type)"
      if type == Double.self || type == Float.self { return "a number" }
      if type == Int.self { return "a whole number" }
      if type == Bool.self { return "true or false" }
      if type == String.self { return "text" }
      if name.contains("Array") { return "a list (- item lines)" }
      if name.contains("Dictionary") || name.contains("Mapping") || name.contains("Keyed") { return "a mapping (key: value lines)" }
      return "a value of type \(name)"
    }
    switch error {
    case let .typeMismatch(type, context): return "\(place(context.codingPath)): expected \(expected(type))"
    case let .valueNotFound(type, context): return "\(place(context.codingPath)): expected \(expected(type)), found nothing"
    case let .keyNotFound(key, context): return "\(place(context.codingPath + [key])): this key is required"
    case let .dataCorrupted(context): return "\(place(context.codingPath)): \(context.debugDescription)"
    @unknown default: return "\(error)"
    }
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
    /// The text is not YAML (the parser's message, with its line and column).
    case syntax(String)
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
    case let .syntax(message):
      return "\(file)\(position): not valid YAML: \(message.split(separator: "\n").first.map(String.init) ?? message)"
    }
  }
}
