import Foundation
import KairosCore
import KairosFrame
import Yams

/// A feature spec: which features to compute, an optional target, and whether models should
/// standardize the features. Read from YAML:
///
/// ```yaml
/// features:
///   - kind: log_returns
///   - kind: sma
///     window: 20
///   - kind: rsi
///   - kind: volume_zscore
///     window: 50
/// target: next_return_sign
/// standardize: true
/// ```
public struct FeatureSpec: Codable, Sendable, Equatable {
  public var features: [FeatureDefinition]
  public var target: TargetDefinition?
  public var standardize: Bool?

  public init(features: [FeatureDefinition], target: TargetDefinition? = nil, standardize: Bool? = nil) {
    self.features = features
    self.target = target
    self.standardize = standardize
  }

  /// The name of the target column in computed frames and CSVs.
  public static let targetColumn = "target"

  /// Reads a YAML spec file.
  public static func load(path: String) throws(FeatureError) -> FeatureSpec {
    let text: String
    do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
      throw .unreadableSpec(file: path, reason: FileManager.default.fileExists(atPath: path) ? "not UTF-8 text" : "no such file")
    }
    return try parse(yaml: text, name: path)
  }

  /// The keys a spec file may hold (a misspelled key is an error, not a silent default).
  public static let schema = YAMLSchema.mapping([
    "features": .list(.keys(["kind", "name", "column", "window", "period", "periods", "span", "k", "fast", "slow", "signal", "periods_per_year"])),
    "target": .keys(["kind", "horizon", "column"]),  // or a plain name: a scalar is not checked here
    "standardize": .any,
  ])

  /// Parses YAML text; `name` appears in errors.
  public static func parse(yaml: String, name: String = "spec") throws(FeatureError) -> FeatureSpec {
    do { try schema.check(yaml, file: name) } catch { throw .unreadableSpec(file: name, reason: error.description) }
    let spec: FeatureSpec
    do { spec = try YAMLDecoder().decode(FeatureSpec.self, from: yaml) } catch let error as FeatureError {
      throw error
    } catch let error as DecodingError {
      throw .unreadableSpec(file: name, reason: YAMLSchema.describe(error, in: yaml))
    } catch {
      throw .unreadableSpec(file: name, reason: "\(error)")
    }
    guard !spec.features.isEmpty else { throw .invalidSpec("the spec lists no features") }
    let known = Set(FeatureDefinition.kinds.map(\.kind))
    for (k, feature) in spec.features.enumerated() where !known.contains(feature.kind) {
      throw .unknownFeature(kind: feature.kind, index: k, known: FeatureDefinition.kinds.map(\.kind))
    }
    return spec
  }

  /// Every feature (and the target, as column `target`) of `frame`, on its full timeline,
  /// warm-up `NaN`s included.
  public func compute(on frame: Frame) throws(FeatureError) -> Frame {
    var result = Frame(index: frame.index)
    for (name, column) in try FeatureStream(spec: self, columns: frame.columnNames, rowCount: frame.rowCount).fold(over: frame) {
      do { try result.setColumn(name, column) } catch { preconditionFailure("features have the frame's length") }
    }
    if let target {
      guard !result.hasColumn(Self.targetColumn) else { throw .duplicateName(Self.targetColumn) }
      do { try result.setColumn(Self.targetColumn, try target.compute(on: frame)) } catch let e as FeatureError { throw e } catch {
        preconditionFailure("the target has the frame's length")
      }
    }
    return result
  }

  /// Computes the spec for every asset of a panel, assets in parallel over the cores.
  /// Results are in `panel.assets` order and do not depend on the number of threads.
  public func compute(on panel: Panel) throws(FeatureError) -> [Frame] {
    let frames = panel.assets.map { asset in
      var frame = Frame(index: panel.index)
      for field in panel.fields {
        // Fields and assets come from the panel itself.
        try! frame.setColumn(field, try! panel.series(field, asset: asset))
      }
      return frame
    }
    var results = [Result<Frame, FeatureError>](repeating: .failure(.invalidSpec("not computed")), count: frames.count)
    let spec = self
    results.withUnsafeMutableBufferPointer { buffer in
      nonisolated(unsafe) let out = buffer  // each iteration writes only its own slot
      DispatchQueue.concurrentPerform(iterations: frames.count) { k in
        out[k] = Result { () throws(FeatureError) -> Frame in try spec.compute(on: frames[k]) }
      }
    }
    return try results.map { (r) throws(FeatureError) -> Frame in try r.get() }
  }
}
