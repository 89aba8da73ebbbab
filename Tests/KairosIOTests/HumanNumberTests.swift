import KairosIO
import Testing

@Suite struct HumanNumberTests {
  @Test func groupsThousandsAndRoundsToTheCent() {
    #expect(HumanNumber.grouped(3270) == "3,270" && HumanNumber.grouped(-1_234_567) == "-1,234,567" && HumanNumber.grouped(999) == "999")
    #expect(HumanNumber.money(184_654.95) == "184,654.95")
    #expect(HumanNumber.money(-1047.2) == "-1,047.20")
    #expect(HumanNumber.money(0.004) == "0.00" && HumanNumber.money(-0.004) == "0.00")
    #expect(HumanNumber.money(1_000_000.999) == "1,000,001.00")
  }
}
