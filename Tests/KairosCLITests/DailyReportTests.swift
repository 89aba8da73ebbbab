import KairosReports
import Testing

/// The daily and exposure report by hand: two assets, four bars, a missing close.
@Suite struct DailyReportTests {
  @Test func weightsExposureConcentrationAndDrawdownByHand() {
    let equity = [100.0, 110, 99, 121]
    let report = DailyReport(equity: equity, returns: [0, 0.1, -0.1, 21.0 / 99], positions: [[0, 1, 1, 2], [0, -2, 0, 0]],
                             close: [[10, 20, .nan, 30], [5, 10, 12, 12]], initialCapital: 100, tradesClosed: [0, 0, 1, 0])
    #expect(report.pnl == [0, 10, -11, 22])
    #expect(report.drawdown == [0, 0, 99.0 / 110 - 1, 0])
    // Bar 1: weights 20/110 and −20/110; bar 2: asset 0 marked at its last close (20).
    #expect(report.weights[0] == [0, 20.0 / 110, 20.0 / 99, 60.0 / 121] && report.weights[1] == [0, -20.0 / 110, 0, 0])
    #expect(report.grossExposure[1] == 40.0 / 110 && report.netExposure[1] == 0)
    #expect(report.concentration == [0, 0.5, 1, 1] && report.largestWeight[1] == 20.0 / 110)
    #expect(report.exposed == [false, true, true, true] && report.tradesClosed == [0, 0, 1, 0])
    #expect(report.meanConcentrationWhileInvested == 2.5 / 3)
  }
}
