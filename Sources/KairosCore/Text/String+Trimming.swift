extension StringProtocol {
  /// The text without leading and trailing whitespace (Foundation-free, for parsers and
  /// command-line values).
  public func trimmingWhitespace() -> String {
    var s = Substring(self)
    while let c = s.first, c.isWhitespace { s.removeFirst() }
    while let c = s.last, c.isWhitespace { s.removeLast() }
    return String(s)
  }
}
