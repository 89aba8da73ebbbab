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
    .library(name: "KairosFeeds", targets: ["KairosFeeds"]),
    .library(name: "KairosMonitor", targets: ["KairosMonitor"]),
    .executable(name: "kairos", targets: ["KairosCLI"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/jpsim/Yams", from: "5.0.0"),
    // The paper-trading session's durable state (SQLite; Debian's libsqlite3-dev).
    .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
    // The live feeds' websocket client (and the test exchange's server) and their REST backfill.
    // SwiftNIO underneath: kept out of the research modules, which build without it.
    .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.20.0"),
    .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.0"),
    .package(url: "https://github.com/swift-server/async-http-client", from: "1.30.0"),
    .package(url: "https://github.com/apple/swift-log", from: "1.5.0"),
    .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
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
      dependencies: ["KairosCore", "KairosFrame", "KairosIO", "KairosFeatures", "KairosModels", "KairosBacktest", "KairosResearch", "KairosReports",
                     .product(name: "GRDB", package: "GRDB.swift")]),
    .target(
      name: "KairosFeeds",
      dependencies: ["KairosCore", "KairosIO", "KairosBacktest", "KairosLive",
                     .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                     .product(name: "Logging", package: "swift-log"),
                     .product(name: "AsyncHTTPClient", package: "async-http-client")]),
    // The dashboard (Hummingbird) and the alert webhook (AsyncHTTPClient) of a paper session:
    // beside the feeds, so KairosLive's session and alert rules build without SwiftNIO.
    .target(
      name: "KairosMonitor",
      dependencies: ["KairosCore", "KairosIO", "KairosBacktest", "KairosReports", "KairosLive",
                     .product(name: "Hummingbird", package: "hummingbird"),
                     .product(name: "Logging", package: "swift-log"), .product(name: "NIOCore", package: "swift-nio"),
                     .product(name: "AsyncHTTPClient", package: "async-http-client")]),
    .target(name: "Kairos", dependencies: [
      "KairosCore", "KairosFrame", "KairosLinalg", "KairosIO", "KairosFeatures", "KairosModels", "KairosBacktest",
      "KairosResearch", "KairosReports", "KairosLive"]),

    // MARK: - Executables
    .executableTarget(
      name: "KairosCLI",
      dependencies: ["Kairos", "KairosFeeds", "KairosMonitor", "Yams", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
    // A local exchange for the live tests: Alpaca's and Binance's bar streams and REST bars over
    // loopback from a CSV, with faults on request (Tests/ExchangeSimulator/README.md).
    .executableTarget(
      name: "ExchangeSimulator",
      dependencies: ["KairosCore", "KairosFrame", "KairosIO",
                     .product(name: "Hummingbird", package: "hummingbird"),
                     .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                     .product(name: "Logging", package: "swift-log"), .product(name: "NIOCore", package: "swift-nio")],
      path: "Tests/ExchangeSimulator"),

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
    .testTarget(
      name: "KairosReportsTests", dependencies: ["KairosReports", "KairosBacktest", "KairosCore", "KairosTestSupport"],
      resources: [.copy("Fixtures")]),
    .testTarget(
      name: "KairosLiveTests",
      dependencies: ["KairosLive", "KairosFrame", "KairosIO", "KairosModels", "KairosFeatures", "KairosTestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
    .testTarget(name: "KairosFeedsTests", dependencies: ["KairosFeeds", "KairosLive", "KairosCore", "KairosBacktest", "KairosTestSupport"]),
    .testTarget(name: "KairosCLITests", dependencies: ["KairosCLI", "KairosIO", "KairosReports", "KairosLive", "KairosMonitor", "KairosTestSupport"]),
  ],
  swiftLanguageModes: [.v6]
)
