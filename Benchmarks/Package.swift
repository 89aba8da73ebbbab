// swift-tools-version:6.1
// Kairos benchmarks: a separate package so the harness never enters the main dependency graph
// (swift-collections' layout). Run through `make bench`, which also runs the Python peers.
import PackageDescription

let package = Package(
  name: "kairos-benchmarks",
  platforms: [.macOS(.v15)],
  dependencies: [
    .package(name: "kairos", path: ".."),
  ],
  targets: [
    .executableTarget(
      name: "KairosBenchmarks",
      dependencies: [.product(name: "Kairos", package: "kairos")],
      path: "Sources/KairosBenchmarks"),
  ],
  swiftLanguageModes: [.v6]
)
