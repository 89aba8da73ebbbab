import KairosCore
import KairosFrame

/// What a model learns to predict. Every target looks ahead, so it is computed only for
/// training and never enters a feature.
///
/// YAML: `target: next_return_sign`, or `target: {kind: next_return, horizon: 5}`, or
/// `target: {kind: column, column: label}`.
public enum TargetDefinition: Codable, Sendable, Equatable {
  /// 1 when `close[t + horizon] > close[t]`, else 0 (a tie is 0); `NaN` when unknown.
  case nextReturnSign(horizon: Int)
  /// `close[t + horizon] / close[t] − 1`.
  case nextReturn(horizon: Int)
  /// A column of the data, as it is.
  case column(String)

  enum CodingKeys: String, CodingKey { case kind, horizon, column }

  public init(from decoder: Decoder) throws {
    do {
      if let single = try? decoder.singleValueContainer(), let text = try? single.decode(String.self) {
        self = try Self.make(kind: text, horizon: nil, column: nil)
        return
      }
      let c = try decoder.container(keyedBy: CodingKeys.self)
      self = try Self.make(kind: try c.decode(String.self, forKey: .kind),
                           horizon: try c.decodeIfPresent(Int.self, forKey: .horizon),
                           column: try c.decodeIfPresent(String.self, forKey: .column))
    } catch let error as FeatureError {
      // Decoders pass DecodingErrors through; anything else would become "not valid YAML".
      throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
    }
  }

  static func make(kind: String, horizon: Int?, column: String?) throws -> TargetDefinition {
    let h = horizon ?? 1
    guard h >= 1 else { throw FeatureError.invalidSpec("target horizon must be at least 1, was \(h)") }
    switch kind {
    case "next_return_sign": return .nextReturnSign(horizon: h)
    case "next_return": return .nextReturn(horizon: h)
    case "column":
      guard let column else { throw FeatureError.invalidSpec("a column target needs 'column: NAME'") }
      return .column(column)
    default:
      throw FeatureError.invalidSpec("unknown target kind '\(kind)'; expected next_return_sign, next_return or column")
    }
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    switch self {
    case let .nextReturnSign(h): try c.encode("next_return_sign", forKey: .kind); try c.encode(h, forKey: .horizon)
    case let .nextReturn(h): try c.encode("next_return", forKey: .kind); try c.encode(h, forKey: .horizon)
    case let .column(name): try c.encode("column", forKey: .kind); try c.encode(name, forKey: .column)
    }
  }

  /// The target column for `frame`.
  public func compute(on frame: Frame) throws(FeatureError) -> Column<Double> {
    switch self {
    case let .column(name):
      guard let values = frame[name] else { throw .missingColumn(name: name, feature: "target", available: frame.columnNames) }
      return values
    case let .nextReturn(h), let .nextReturnSign(h):
      guard let close = frame["close"] else { throw .missingColumn(name: "close", feature: "target", available: frame.columnNames) }
      let ahead = close.lagged(-h)
      let sign: Bool
      if case .nextReturnSign = self { sign = true } else { sign = false }
      return Column(unsafeUninitializedCount: close.count) { out in
        for i in 0..<close.count {
          let r = ahead[i] / close[i] - 1
          out[i] = r.isNaN ? .nan : (sign ? (r > 0 ? 1 : 0) : r)
        }
      }
    }
  }
}
