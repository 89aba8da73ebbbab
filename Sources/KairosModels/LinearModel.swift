import Foundation
import KairosCore
import KairosFeatures
import KairosLinalg

/// What every model offers: predictions for rows of features, in the model's feature order.
public protocol Model: Sendable {
  var features: [String] { get }
  /// Ridge: the predicted value. Logistic: the predicted class (1 when the probability is above 0.5).
  func predict(_ x: Matrix) throws(ModelError) -> [Double]
}

/// A model that gives class probabilities (`predict_proba`'s positive column in scikit-learn).
public protocol ProbabilisticModel: Model {
  func predictProbabilities(_ x: Matrix) throws(ModelError) -> [Double]
}

/// The two linear model families.
public enum ModelKind: String, Codable, Sendable, CaseIterable {
  case ridge, logistic
}

/// A fitted linear model as stored in `MODEL.json` (docs/DESIGN.md §8).
///
/// Coefficients are in the units of the standardized features when `standardization` is
/// present (`predict` standardizes the input first); the JSON round-trips every `Double` to the
/// same bits.
public struct LinearModel: ProbabilisticModel, Codable, Equatable {
  public struct Training: Codable, Sendable, Equatable {
    public var rows: Int
    /// ISO 8601 timestamps of the first and last training rows.
    public var from: String
    public var to: String
  }

  public let kind: ModelKind
  public let features: [String]
  public let intercept: Double
  public let coefficients: [Double]
  public let l2: Double
  public let standardization: Standardizer?
  public let training: Training

  public init(kind: ModelKind, features: [String], intercept: Double, coefficients: [Double], l2: Double,
              standardization: Standardizer?, training: Training) {
    self.kind = kind; self.features = features; self.intercept = intercept; self.coefficients = coefficients
    self.l2 = l2; self.standardization = standardization; self.training = training
  }

  enum CodingKeys: String, CodingKey { case kind, features, intercept, coefficients, l2, standardization, training }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(kind, forKey: .kind)
    try c.encode(features, forKey: .features)
    try c.encode(intercept, forKey: .intercept)
    try c.encode(coefficients, forKey: .coefficients)
    try c.encode(l2, forKey: .l2)
    try c.encode(standardization, forKey: .standardization)  // explicit null when absent
    try c.encode(training, forKey: .training)
  }

  /// Fits a model of `kind` on a feature set (its target must be present).
  ///
  /// With `standardize`, a `Standardizer` is fitted on these rows and the penalty applies to the
  /// standardized coefficients (like scikit-learn's `StandardScaler` + model pipeline).
  public static func fit(
    _ kind: ModelKind, on set: FeatureSet, l2: Double, standardize: Bool = false,
    weights: [Double]? = nil, threads: Int = 1
  ) throws(ModelError) -> LinearModel {
    guard let target = set.target else { throw .shapeMismatch("the feature set has no target column") }
    guard set.rowCount > 0 else { throw .notEnoughRows(rows: 0, features: set.names.count) }
    let scaler = standardize ? Standardizer.fit(set.matrix) : nil
    let x = scaler?.transform(set.matrix) ?? set.matrix
    let intercept: Double, coefficients: [Double]
    switch kind {
    case .ridge:
      let fit = try RidgeRegression(l2: l2, threads: threads).fit(x, target, weights: weights, names: set.names)
      (intercept, coefficients) = (fit.intercept, fit.coefficients)
    case .logistic:
      let fit = try LogisticRegression(l2: l2, threads: threads).fit(x, target, weights: weights, names: set.names)
      (intercept, coefficients) = (fit.intercept, fit.coefficients)
    }
    let dateOnly = set.timestamps.allSatisfy(UTCCalendar.isMidnight)
    return LinearModel(
      kind: kind, features: set.names, intercept: intercept, coefficients: coefficients, l2: l2, standardization: scaler,
      training: Training(rows: set.rowCount, from: UTCCalendar.iso8601(set.timestamps.first!, dateOnly: dateOnly),
                         to: UTCCalendar.iso8601(set.timestamps.last!, dateOnly: dateOnly)))
  }

  /// `b + xᵀw` for every row (after standardization, when the model has one).
  public func decisionFunction(_ x: Matrix) throws(ModelError) -> [Double] {
    guard x.columns == coefficients.count else {
      throw .shapeMismatch("the model has \(coefficients.count) features, the data \(x.columns) columns")
    }
    let input = standardization?.transform(x) ?? x
    do {
      return try BLAS.gemv(input, coefficients).map { $0 + intercept }
    } catch { throw .linalg(error) }
  }

  public func predict(_ x: Matrix) throws(ModelError) -> [Double] {
    let z = try decisionFunction(x)
    return kind == .ridge ? z : z.map { $0 > 0 ? 1 : 0 }
  }

  /// Logistic: `P(y = 1 | x) = 1 / (1 + e^{−(b + xᵀw)})`. Ridge models have no probabilities.
  public func predictProbabilities(_ x: Matrix) throws(ModelError) -> [Double] {
    guard kind == .logistic else { throw .shapeMismatch("a ridge model predicts values, not probabilities") }
    return try decisionFunction(x).map(LogisticRegression.sigmoid)
  }

  /// The model as pretty-printed JSON (docs/DESIGN.md §8).
  public func jsonData() throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return try encoder.encode(self)
  }

  /// Reads a model file (a missing file, unreadable bytes and bad JSON are each named).
  public static func load(path: String) throws(ModelError) -> LinearModel {
    let data: Data
    do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
      throw .unreadableModel(file: path, reason: FileManager.default.fileExists(atPath: path) ? "\(error.localizedDescription)" : "no such file")
    }
    return try decode(data, name: path)
  }

  /// Reads a model from JSON; `name` appears in errors.
  public static func decode(_ data: Data, name: String) throws(ModelError) -> LinearModel {
    let model: LinearModel
    do { model = try JSONDecoder().decode(LinearModel.self, from: data) } catch {
      throw .unreadableModel(file: name, reason: "\(error)")
    }
    guard model.coefficients.count == model.features.count else {
      throw .unreadableModel(file: name, reason: "\(model.features.count) features but \(model.coefficients.count) coefficients")
    }
    if let s = model.standardization, s.mean.count != model.features.count || s.std.count != model.features.count {
      throw .unreadableModel(file: name, reason: "the standardization does not have one mean and std per feature")
    }
    return model
  }
}
