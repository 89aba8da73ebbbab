import KairosBacktest
import KairosFeatures
import Yams

/// Any text as a run config (the strict key check, then the settings decoder and their
/// validation) and as a feature spec: each returns a value or a typed error, never traps.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
  let schema = YAMLSchema.keys(RunSettings.keys + ["data", "strategy", "grid", "where", "params", "out", "threads"])
  if (try? schema.check(text, file: "fuzz.yaml")) != nil, let settings = try? YAMLDecoder().decode(RunSettings.self, from: text) {
    _ = try? settings.configuration()
  }
  _ = try? FeatureSpec.parse(yaml: text, name: "fuzz.yaml")
  return 0
}
