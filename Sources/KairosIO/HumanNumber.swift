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

extension HumanNumber {
  /// `0.3611901719480908` → `36.12 %` (NaN and infinities: `—`).
  public static func percent(_ x: Double, digits: Int = 2) -> String {
    guard x.isFinite else { return "—" }
    return fixed(x * 100, digits: digits) + " %"
  }

  /// `1.23456` → `1.23`, thousands grouped (`12,345.68`); NaN and infinities: `—`.
  public static func fixed(_ x: Double, digits: Int = 2) -> String {
    guard x.isFinite else { return "—" }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = (x.magnitude * scale).rounded()
    guard scaled < 9e18 else { return "\(x)" }
    let units = Int(scaled) / Int(scale), fraction = Int(scaled) % Int(scale)
    var text = grouped(units)
    if digits > 0 {
      let f = String(fraction)
      text += "." + String(repeating: "0", count: digits - f.count) + f
    }
    return (x < 0 && scaled > 0 ? "-" : "") + text
  }
}
