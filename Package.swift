// swift-tools-version:6.1
// Kairos: a research engine for systematic trading (see README.md and docs/DESIGN.md §2).
import PackageDescription

let package = Package(
  name: "kairos",
  platforms: [.macOS(.v15)],
  products: [
    .library(name: "Kairos", targets: ["Kairos"]),
    .library(name: "KairosCore", targets: ["KairosCore"]),
    .library(name: "KairosFrame", targets: ["KairosFrame"]),
    .library(name: "KairosLinalg", targets: ["KairosLinalg"]),
    .library(name: "KairosIO", targets: ["KairosIO"]),
    .library(name: "KairosFeatures", targets: ["KairosFeatures"]),
    .library(name: "KairosModels", targets: ["KairosModels"]),
    .library(name: "KairosBacktest", targets: ["KairosBacktest"]),
    .library(name: "KairosResearch", targets: ["KairosResearch"]),
    .library(name: "KairosReports", targets: ["KairosReports"]),
    .library(name: "KairosLive", targets: ["KairosLive"]),
    .executable(name: "kairos", targets: ["KairosCLI"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/jpsim/Yams", from: "5.0.0"),
    // The paper-trading session's durable state (SQLite; Debian's libsqlite3-dev).
    .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
  ],
  targets: [
    // MARK: - C system libraries (Debian: apt-get install libopenblas-dev liblapacke-dev)
    .systemLibrary(
      name: "CKairosOpenBLAS", pkgConfig: "openblas",
      providers: [.apt(["libopenblas-dev"]), .brew(["openblas"])]),
    .systemLibrary(
      name: "CKairosLAPACKE", pkgConfig: "lapacke",
      providers: [.apt(["liblapacke-dev"]), .brew(["lapack"])]),

    // MARK: - Public modules (bottom-up; a module imports only from the layers docs/DESIGN.md §2
    // allows: Tests/ModuleGraph/check_module_graph.py checks it in `make test`)
    .target(name: "KairosCore"),
    .target(name: "KairosFrame", dependencies: ["KairosCore"]),
    .target(name: "KairosLinalg", dependencies: ["KairosCore", "CKairosOpenBLAS", "CKairosLAPACKE"]),
    .target(
      name: "KairosIO", dependencies: ["KairosCore", "KairosFrame"],
      exclude: ["SampleData/README.md"],
      resources: [.copy("SampleData")]),
    .target(name: "KairosFeatures", dependencies: ["KairosCore", "KairosFrame", "KairosLinalg", "Yams"]),
    .target(name: "KairosModels", dependencies: ["KairosCore", "KairosFrame", "KairosLinalg", "KairosFeatures"]),
    .target(name: "KairosBacktest", dependencies: ["KairosCore", "KairosFrame", "KairosIO", "KairosFeatures"]),
    .target(name: "KairosResearch", dependencies: ["KairosCore", "KairosFrame", "KairosIO", "KairosLinalg", "KairosFeatures", "KairosModels", "KairosBacktest", "KairosReports"]),
    .target(name: "KairosReports", dependencies: ["KairosCore", "KairosFrame", "KairosIO", "KairosBacktest"]),
    .target(
      name: "KairosLive",
      dependencies: ["KairosCore", "KairosFrame", "KairosIO", "KairosFeatures", "KairosModels", "KairosBacktest", .product(name: "GRDB", package: "GRDB.swift")]),
    .target(name: "Kairos", dependencies: [
      "KairosCore", "KairosFrame", "KairosLinalg", "KairosIO", "KairosFeatures", "KairosModels", "KairosBacktest",
      "KairosResearch", "KairosReports", "KairosLive"]),

    // MARK: - Executables
    .executableTarget(
      name: "KairosCLI",
      dependencies: ["Kairos", "Yams", .product(name: "ArgumentParser", package: "swift-argument-parser")]),

    // MARK: - Test support and test bundles
    .target(name: "KairosTestSupport", dependencies: ["Kairos"], path: "Tests/KairosTestSupport"),
    .testTarget(name: "KairosCoreTests", dependencies: ["KairosCore", "KairosTestSupport"]),
    .testTarget(name: "KairosFrameTests", dependencies: ["KairosFrame", "KairosTestSupport"]),
    .testTarget(name: "KairosLinalgTests", dependencies: ["KairosLinalg", "KairosTestSupport"]),
    .testTarget(name: "KairosIOTests", dependencies: ["Kairos", "KairosIO", "KairosTestSupport"]),
    .testTarget(
      name: "KairosFeaturesTests", dependencies: ["KairosFeatures", "KairosIO", "KairosTestSupport"],
      resources: [.copy("Fixtures")]),
    .testTarget(
      name: "KairosModelsTests", dependencies: ["KairosModels", "KairosIO", "KairosTestSupport"],
      resources: [.copy("Fixtures")]),
    .testTarget(
      name: "KairosBacktestTests", dependencies: ["KairosBacktest", "KairosIO", "KairosTestSupport"],
      resources: [.copy("Fixtures")]),
    .testTarget(name: "KairosResearchTests", dependencies: ["KairosResearch", "KairosIO", "KairosTestSupport"]),
    .testTarget(name: "KairosLiveTests", dependencies: ["KairosLive", "KairosIO", "KairosModels", "KairosFeatures", "KairosTestSupport"]),
    .testTarget(name: "KairosCLITests", dependencies: ["KairosCLI", "KairosIO", "KairosReports", "KairosTestSupport"]),
  ],
  swiftLanguageModes: [.v6]
)
