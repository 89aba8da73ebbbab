// swift-tools-version:6.1
// libFuzzer targets for the parsers and decoders that read user files (issue 9): the CSV reader,
// the timestamp and decimal parsers (through the reader's one-field paths) and the config and
// feature-spec decoders. Each is a library target defining `LLVMFuzzerTestOneInput`; `Fuzz/run`
// builds them with `-sanitize=fuzzer` and links each with libFuzzer's `main` (a short run in
// `make test`, a long one in `make fuzz`). A separate package: the instrumentation never reaches
// the product.
import PackageDescription

let package = Package(
  name: "kairos-fuzz",
  platforms: [.macOS(.v15)],
  dependencies: [
    .package(name: "kairos", path: ".."),
    .package(url: "https://github.com/jpsim/Yams", from: "5.0.0"),
  ],
  targets: [
    .target(name: "FuzzCSV", dependencies: [.product(name: "KairosIO", package: "kairos")]),
    .target(name: "FuzzTimestamp", dependencies: [.product(name: "KairosIO", package: "kairos")]),
    .target(name: "FuzzDecimal", dependencies: [.product(name: "KairosIO", package: "kairos")]),
    .target(
      name: "FuzzConfig",
      dependencies: [.product(name: "KairosBacktest", package: "kairos"), .product(name: "KairosFeatures", package: "kairos"),
                     .product(name: "Yams", package: "Yams")]),
  ],
  swiftLanguageModes: [.v6]
)
