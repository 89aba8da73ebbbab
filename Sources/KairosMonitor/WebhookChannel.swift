import AsyncHTTPClient
import Foundation
import KairosCore
import KairosIO
import KairosLive
import NIOCore

/// Alerts posted as JSON to a URL: Kairos's own object, or the payload Slack's and Discord's
/// incoming webhooks take (`{"text": …}`, `{"content": …}`). A 2xx is delivered; a 429 or a 5xx,
/// a timeout or a refused connection is retried by the outbox (after the server's `Retry-After`
/// when it gives one); any other status is a failure.
public struct WebhookChannel: AlertChannel {
  public enum Format: String, Sendable, CaseIterable { case json, slack, discord }

  public let url: String
  public let format: Format
  public let timeout: Double
  public var name: String { "webhook \(url)" }

  public init(url: String, format: Format = .json, timeout: Double = 10) throws(MonitorError) {
    guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else {
      throw MonitorError.badURL(url, expected: "an http:// or https:// URL")
    }
    self.url = url; self.format = format; self.timeout = timeout
  }

  /// The body for `message` in this channel's format.
  public func payload(_ message: AlertMessage) -> String {
    switch format {
    case .slack: return "{\"text\": \(JSONText.quoted(message.text))}"
    case .discord: return "{\"content\": \(JSONText.quoted(String(message.text.prefix(2000))))}"
    case .json:
      var object = message.alert.json
      object.removeLast()
      object += ", \"text\": \(JSONText.quoted(message.text)), \"suppressed\": \(message.suppressed)"
      if let late = message.lateBySeconds { object += ", \"late_by_seconds\": \(CSVWriter.format((late * 1000).rounded() / 1000))" }
      return object + "}"
    }
  }

  public func send(_ message: AlertMessage) async -> AlertDelivery {
    var request = HTTPClientRequest(url: url)
    request.method = .POST
    request.headers.add(name: "Content-Type", value: "application/json")
    request.headers.add(name: "User-Agent", value: "kairos-alerts")
    request.body = .bytes(ByteBuffer(string: payload(message)))
    do {
      let response = try await HTTPClient.shared.execute(request, timeout: .milliseconds(Int64(timeout * 1000)))
      _ = try? await response.body.collect(upTo: 64 * 1024)
      let status = Int(response.status.code)
      if (200..<300).contains(status) { return .delivered }
      if status == 429 || status >= 500 {
        let after = response.headers.first(name: "Retry-After").flatMap(Double.init)
        return .retry(after: after, reason: "HTTP \(status)")
      }
      return .failed(reason: "HTTP \(status) (not retried: fix the URL or the receiver)")
    } catch {
      return .retry(after: nil, reason: "\(error)")
    }
  }
}

