import Foundation
import KairosCore
import Testing

@Suite struct ColumnTests {
  @Test func slicesShareStorageAndIndexFromZero() {
    let column = Column<Double>([1, 2, 3, 4, 5])
    let slice = column[rows: 1..<4]
    #expect(Array(slice) == [2, 3, 4])
    #expect(slice[0] == 2)
    #expect(slice.indices == 0..<3)
    column.withUnsafeBufferPointer { parent in
      slice.withUnsafeBufferPointer { child in
        #expect(child.baseAddress == parent.baseAddress! + 1)  // zero-copy
      }
    }
    #expect(Array(slice[rows: 1..<2]) == [3])
  }

  @Test func copyOnWriteKeepsValueSemantics() {
    let original = Column<Double>([1, 2, 3])
    var copy = original
    copy[1] = 20
    #expect(Array(original) == [1, 2, 3])
    #expect(Array(copy) == [1, 20, 3])
  }

  @Test func identityComparesBits() {
    let a = Column<Double>([.nan, 0.0, 1])
    #expect(a.isIdentical(to: Column([.nan, 0.0, 1])))
    #expect(!a.isIdentical(to: Column([.nan, -0.0, 1])))
    #expect(a != Column([.nan, 0.0, 1]))  // IEEE: NaN != NaN
  }

  @Test func kahanSumDoesNotDrift() {
    var sum = KahanSum()
    var naive = 0.0
    for _ in 0..<1_000_000 { sum.add(0.1); naive += 0.1 }
    #expect(abs(sum.value - 100_000) < 1e-9)
    #expect(abs(naive - 100_000) > 1e-7)  // the drift Kahan removes
    var special = KahanSum()
    special.add(1); special.add(.infinity)
    #expect(special.value == .infinity)
  }

  @Test func splitMixIsDeterministic() {
    var a = SplitMix64(seed: 7), b = SplitMix64(seed: 7)
    #expect((0..<10).map { _ in a.next() } == (0..<10).map { _ in b.next() })
    var c = SplitMix64(seed: 1)
    let mean = (0..<100_000).map { _ in c.nextNormal() }.reduce(0, +) / 100_000
    #expect(abs(mean) < 0.02)
  }
}

@Suite struct CalendarTests {
  @Test func civilDaysRoundTripOverCenturies() {
    for days in stride(from: Int64(-200_000), through: 200_000, by: 37) {
      let (y, m, d) = UTCCalendar.civil(days: days)
      #expect(UTCCalendar.days(year: y, month: m, day: d) == days)
    }
  }

  @Test func knownDates() {
    #expect(UTCCalendar.days(year: 1970, month: 1, day: 1) == 0)
    #expect(UTCCalendar.days(year: 2000, month: 3, day: 1) == 11017)
    #expect(UTCCalendar.days(year: 1969, month: 12, day: 31) == -1)
    #expect(UTCCalendar.weekday(days: 0) == 3)  // Thursday
    #expect(UTCCalendar.weekday(days: UTCCalendar.days(year: 2026, month: 11, day: 23)) == 0)  // a Monday
    #expect(UTCCalendar.daysInMonth(year: 2000, month: 2) == 29)
    #expect(UTCCalendar.daysInMonth(year: 1900, month: 2) == 28)
  }

  @Test func iso8601Formatting() {
    let t = UTCCalendar.days(year: 2011, month: 1, day: 3) * UTCCalendar.nanosecondsPerDay + 9 * UTCCalendar.nanosecondsPerHour
    #expect(UTCCalendar.iso8601(t) == "2011-01-03T09:00:00Z")
    #expect(UTCCalendar.iso8601(t, dateOnly: true) == "2011-01-03")
    #expect(UTCCalendar.iso8601(t + 1_500_000) == "2011-01-03T09:00:00.0015Z")
    #expect(UTCCalendar.iso8601(-1) == "1969-12-31T23:59:59.999999999Z")
  }
}

@Suite struct SHA256Tests {
  @Test func knownDigests() {
    #expect(SHA256.hex(Array("".utf8)) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(SHA256.hex(Array(String(repeating: "a", count: 1000).utf8)) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
  }

  /// Against an independent implementation (coreutils' `sha256sum`): every length from 0 to
  /// 200 bytes (each padding case, one block and two), and 1 MB fed in uneven pieces.
  @Test func agreesWithSha256sum() throws {
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    func byte() -> UInt8 { state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407; return UInt8(truncatingIfNeeded: state >> 56) }
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kairos-sha-\(getpid())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    var inputs = (0...200).map { n in (0..<n).map { _ in byte() } }
    inputs.append((0..<1_000_000).map { _ in byte() })
    var ours: [String] = []
    for (k, input) in inputs.enumerated() {
      try Data(input).write(to: folder.appendingPathComponent("\(k)"))
      var h = SHA256()
      var i = 0, piece = 1
      while i < input.count { h.update(input[i..<Swift.min(input.count, i + piece)]); i += piece; piece = piece * 7 % 1_009 + 1 }
      ours.append(h.hexDigest())
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
    process.arguments = inputs.indices.map { folder.appendingPathComponent("\($0)").path }
    let out = Pipe()
    process.standardOutput = out
    try process.run()
    let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    let theirs = text.split(separator: "\n").map { String($0.prefix(64)) }
    #expect(process.terminationStatus == 0 && theirs.count == inputs.count)
    for (k, digest) in theirs.enumerated() where digest != ours[k] { Issue.record("length \(inputs[k].count): \(ours[k]), sha256sum \(digest)") }
  }
}
