import Foundation
import Kairos
import KairosTestSupport
import Testing

/// The Swift example of README.md, compiled and run, so the README cannot drift from the API.
@Suite struct ReadmeExampleTests {
  @Test func readmeSwiftExample() throws {
    let directory = TestPaths.temporaryDirectory()
    let aapl = directory.appendingPathComponent("aapl.csv").path
    try FileManager.default.copyItem(atPath: TestPaths.sample(SampleData.aaplDailyUnadjusted), toPath: aapl)
    FileManager.default.changeCurrentDirectoryPath(directory.path)

    // --- README example begins
    let frame = try CSVReader.readOHLCV(path: "aapl.csv")           // Frame: index + columns
    let close = try frame.column("close")                            // Column<Double>, O(1), no copy
    let year2008 = frame.rows(from: UTCCalendar.parseTimestamp("2008-01-01"),
                              through: UTCCalendar.parseTimestamp("2008-12-31"))   // zero-copy
    let weekly = frame.resampled(to: try BarInterval(parsing: "1w"))
    try CSVWriter.write(weekly, to: "weekly.csv")                    // atomic, exact round trip

    let x = Matrix([[1, 2], [3, 4], [5, 6]])
    let gram = BLAS.syrk(x)                                          // XᵀX
    let beta = try LAPACK.solvePositiveDefinite(gram, try BLAS.multiply(x, Matrix([[1], [2], [3]]), transposeA: .transpose))
    // --- README example ends

    #expect(close.count == 3270 && year2008.rowCount == 253 && weekly.rowCount == 679)
    #expect(try CSVReader.readOHLCV(path: "weekly.csv") == weekly)
    #expect(allClose(beta.columnMajorValues, [0, 0.5], rtol: 1e-12, atol: 1e-12))  // y = x₂ / 2
  }
}
