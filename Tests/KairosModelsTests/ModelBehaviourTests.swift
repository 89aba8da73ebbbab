import Foundation
import KairosFeatures
import KairosFrame
import KairosLinalg
import KairosModels
import KairosTestSupport
import Testing

@Suite struct ModelBehaviourTests {
  @Test func unpenalizedSeparableDataStopsWithAClearError() throws {
    let data = try Dataset.load("separable")
    #expect(throws: ModelError.separable) { try LogisticRegression(l2: 0).fit(data.x, data.y) }
    // Penalized: finite coefficients.
    let fit = try LogisticRegression(l2: 0.01).fit(data.x, data.y)
    #expect(fit.coefficients.allSatisfy(\.isFinite) && fit.gradientNorm <= 1e-10)
  }

  @Test func badInputsAreNamed() throws {
    let data = try Dataset.load("random_labels")
    var y = data.y
    y[7] = 2
    #expect(throws: ModelError.nonBinaryLabels(row: 7, value: 2)) { try LogisticRegression(l2: 1).fit(data.x, y) }
    #expect(throws: ModelError.singleClass(label: 1)) { try LogisticRegression(l2: 1).fit(data.x, [Double](repeating: 1, count: data.y.count)) }
    #expect(throws: ModelError.negativePenalty(-1)) { try RidgeRegression(l2: -1).fit(data.x, data.y) }
    let few = Matrix(rows: 3, columns: 3, columnMajor: [1, 2, 3, 4, 5, 6, 7, 8, 10])
    #expect(throws: ModelError.notEnoughRows(rows: 3, features: 3)) { try RidgeRegression(l2: 1).fit(few, [1, 2, 3]) }
    var x = data.x
    x[4, 2] = .nan
    #expect(throws: ModelError.nonFinite(row: 4, column: "rsi")) {
      try RidgeRegression(l2: 1).fit(x, data.y, names: ["a", "b", "rsi", "d", "e", "f"])
    }
    #expect(ModelError.nonFinite(row: 4, column: "rsi").description.contains("row 5 has NaN or infinity in 'rsi'"))
  }

  @Test func fitsAreIdenticalForOneAndTwoThreads() throws {
    // More rows than one accumulation chunk (65,536), so the threads really split the work.
    var random = RandomData(seed: 12)
    let n = 150_000, p = 4
    let x = random.normalMatrix(rows: n, columns: p)
    let y = (0..<n).map { i in x[i, 0] - 0.5 * x[i, 2] + random.random.nextNormal() }
    let labels = y.map { $0 > 0 ? 1.0 : 0.0 }
    let a = try RidgeRegression(l2: 1, threads: 1).fit(x, y), b = try RidgeRegression(l2: 1, threads: 2).fit(x, y)
    #expect(a.coefficients.map(\.bitPattern) == b.coefficients.map(\.bitPattern) && a.intercept.bitPattern == b.intercept.bitPattern)
    let c = try LogisticRegression(l2: 1, threads: 1).fit(x, labels), d = try LogisticRegression(l2: 1, threads: 2).fit(x, labels)
    #expect(c.coefficients.map(\.bitPattern) == d.coefficients.map(\.bitPattern) && c.intercept.bitPattern == d.intercept.bitPattern)
  }

  @Test func standardizerSeesOnlyTrainingRows() throws {
    var random = RandomData(seed: 3)
    let x = random.normalMatrix(rows: 100, columns: 3)
    let fitted = Standardizer.fit(x, rows: 0..<70)
    // Change every later row: the fitted statistics and the transformed training rows stay.
    var changed = x
    for i in 70..<100 { for j in 0..<3 { changed[i, j] = 1e6 * Double(i + j) } }
    let refitted = Standardizer.fit(changed, rows: 0..<70)
    #expect(fitted == refitted)
    let a = fitted.transform(x), b = refitted.transform(changed)
    for i in 0..<70 { for j in 0..<3 { #expect(a[i, j].bitPattern == b[i, j].bitPattern) } }
    // Against a direct computation (population std, like scikit-learn's StandardScaler).
    let column = (0..<70).map { x[$0, 1] }
    let mean = column.reduce(0, +) / 70
    let std = (column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 70).squareRoot()
    #expect(isClose(fitted.mean[1], mean, rtol: 1e-14) && isClose(fitted.std[1], std, rtol: 1e-14))
    // A constant column keeps a scale of 1.
    #expect(Standardizer.fit(Matrix(rows: 3, columns: 1, columnMajor: [2, 2, 2])).std == [1])
  }

  func featureSet(rows: Int, seed: UInt64) throws -> FeatureSet {
    let prices = SyntheticMarket(seed: seed, bars: rows).generate()[0].frame
    let spec = FeatureSpec(features: [FeatureDefinition(kind: "returns"), FeatureDefinition(kind: "rsi"), FeatureDefinition(kind: "zscore", window: 20)],
                           target: .nextReturnSign(horizon: 1))
    return try FeatureSet(spec: spec, frame: prices)
  }

  @Test func modelFilesRoundTripBitForBit() throws {
    let set = try featureSet(rows: 500, seed: 1)
    for kind in ModelKind.allCases {
      let model = try LinearModel.fit(kind, on: set, l2: 0.7, standardize: kind == .logistic)
      let data = try model.jsonData()
      let back = try LinearModel.decode(data, name: "model.json")
      #expect(back == model)
      #expect(back.coefficients.map(\.bitPattern) == model.coefficients.map(\.bitPattern))
      let text = String(decoding: data, as: UTF8.self)
      #expect(text.contains("\"kind\" : \"\(kind.rawValue)\"") && text.contains("\"training\""))
      #expect(text.contains(kind == .logistic ? "\"standardization\" : {" : "\"standardization\" : null"))
    }
    #expect(throws: ModelError.self) { try LinearModel.decode(Data("{}".utf8), name: "bad.json") }
  }

  @Test func predictionsFollowTheModel() throws {
    let set = try featureSet(rows: 400, seed: 2)
    let model = try LinearModel.fit(.logistic, on: set, l2: 1, standardize: true)
    let p = try model.predictProbabilities(set.matrix), classes = try model.predict(set.matrix)
    let scaled = model.standardization!.transform(set.matrix)
    for i in [0, 17, 250] {
      var z = model.intercept
      for j in 0..<set.names.count { z += scaled[i, j] * model.coefficients[j] }
      #expect(isClose(p[i], 1 / (1 + exp(-z)), rtol: 1e-12))
      #expect(classes[i] == (p[i] > 0.5 ? 1 : 0))
    }
    let ridge = try LinearModel.fit(.ridge, on: set, l2: 1)
    #expect(throws: ModelError.self) { try ridge.predictProbabilities(set.matrix) }
  }

  @Test func batchTrainingIsIdenticalForOneAndTwoThreads() throws {
    let sets = try (1...4).map { try featureSet(rows: 300, seed: $0) }
    var tasks: [TrainingTask] = []
    for set in sets { for l2 in [0.1, 1, 10] { for kind in ModelKind.allCases { tasks.append(TrainingTask(kind: kind, set: set, l2: l2)) } } }
    let one = BatchTrainer.fit(tasks, threads: 1), two = BatchTrainer.fit(tasks, threads: 2)
    for (a, b) in zip(one, two) { #expect(try a.get() == b.get()) }
    let single = try LinearModel.fit(tasks[5].kind, on: tasks[5].set, l2: tasks[5].l2)
    #expect(try one[5].get() == single)
  }
}
