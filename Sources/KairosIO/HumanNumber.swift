/// Numbers as people read them (what a terminal or a page shows; files keep full precision).
public enum HumanNumber {
  /// `3270` → `3,270`.
  public static func grouped(_ n: Int) -> String {
    let digits = String(n.magnitude)
    var out = ""
    for (k, c) in digits.enumerated() {
      if k > 0 && (digits.count - k) % 3 == 0 { out.append(",") }
      out.append(c)
    }
    return n < 0 ? "-" + out : out
  }

  /// `-1234567.891` → `-1,234,567.89`: money to the cent, thousands grouped.
  public static func money(_ x: Double) -> String {
    guard x.isFinite else { return "\(x)" }
    let cents = (x.magnitude * 100).rounded()
    let whole = grouped(Int(cents / 100)), fraction = Int(cents.truncatingRemainder(dividingBy: 100))
    return (x < 0 && cents > 0 ? "-" : "") + whole + "." + (fraction < 10 ? "0" : "") + String(fraction)
  }
}
