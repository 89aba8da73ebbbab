import Foundation
import Hummingbird
import KairosLive
import Logging
import NIOCore

/// The dashboard of a paper session (docs/DESIGN.md §10; routes in the README): Hummingbird on
/// loopback unless told otherwise, every route but `/health` behind the state folder's token,
/// the page, its JSON API and server-sent events.
///
/// Security: the token is compared in constant time; a browser gets it once in `?token=` and
/// keeps it in an HttpOnly, SameSite=Strict cookie; a request whose Host is not the address
/// listened on is refused (a DNS-rebinding page cannot reach the API); no CORS header is ever
/// sent (other origins cannot read a response); every response carries a CSP that allows
/// nothing but this origin, `nosniff`, `no-referrer`, `DENY` framing and `no-store`.
public final class DashboardServer: @unchecked Sendable {
  public struct Address: Sendable, Equatable {
    public var host: String, port: Int
    public init(host: String, port: Int) { self.host = host; self.port = port }

    /// `127.0.0.1:8080`, `localhost:0`, `[::1]:8080`, `:8080` (loopback).
    public init(parsing text: String) throws(MonitorError) {
      let expected = "HOST:PORT, e.g. 127.0.0.1:8080 (port 0: any free port)"
      guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
        throw MonitorError.badAddress(text, expected: expected)
      }
      var host = String(text[..<colon])
      if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
      self.host = host.isEmpty ? "127.0.0.1" : host
      self.port = port
    }

    public var isLoopback: Bool { host == "localhost" || host == "::1" || host.hasPrefix("127.") }
  }

  public let source: MonitorSource
  public let token: String
  public let address: Address
  public let allowRemote: Bool
  public private(set) var port = 0
  var task: Task<Void, any Error>?
  let ticker = Ticker()

  /// - Throws: `MonitorError.remoteNotAllowed` for a non-loopback address without `allowRemote`.
  public init(source: MonitorSource, token: String, address: Address, allowRemote: Bool = false) throws(MonitorError) {
    guard address.isLoopback || allowRemote else { throw MonitorError.remoteNotAllowed(address.host) }
    self.source = source; self.token = token; self.address = address; self.allowRemote = allowRemote
  }

  /// Starts listening; returns the port (the one asked for, or the free one given for 0).
  ///
  /// - Throws: `MonitorError.cannotListen` when the address is taken or not this machine's.
  @discardableResult
  public func start(timeout: Double = 10) throws(MonitorError) -> Int {
    let started = DispatchSemaphore(value: 0)
    let bound = Bound()
    var logger = Logger(label: "kairos-dashboard")
    logger.logLevel = .critical
    let app = Application(router: router(), configuration: .init(address: .hostname(address.host, port: address.port), serverName: "kairos"),
                          onServerRunning: { channel in bound.port = channel.localAddress?.port ?? 0; started.signal() }, logger: logger)
    let ticker = self.ticker, source = self.source
    task = Task {
      let tick = Task { while !Task.isCancelled { ticker.set(source.version); try? await Task.sleep(nanoseconds: 100_000_000) } }
      defer { tick.cancel() }
      do { try await app.runService() } catch { bound.error = "\(error)"; started.signal(); throw error }
    }
    guard started.wait(timeout: .now() + timeout) == .success, bound.error == nil, bound.port > 0 else {
      task?.cancel()
      throw MonitorError.cannotListen("\(address.host):\(address.port)", reason: bound.error ?? "the server did not start in \(Int(timeout)) s")
    }
    port = bound.port
    return port
  }

  /// Ends the event streams (their clients see the end of the stream). The listener is left to
  /// the process's exit: cancelling a running Hummingbird service with open connections trips
  /// an assertion in SwiftNIO's writers.
  public func stop() {
    ticker.stopping = true
    Thread.sleep(forTimeInterval: 0.25)
  }

  /// The page's address with the one-time token (what to open in a browser).
  public var pageURL: String {
    let host = address.host.contains(":") ? "[\(address.host)]" : address.host
    return "http://\(host):\(port)/?token=\(token)"
  }

  final class Bound: @unchecked Sendable { var port = 0; var error: String? }

  /// The latest `MonitorSource.version`, polled once for every client.
  final class Ticker: @unchecked Sendable {
    let lock = NSLock()
    var value = 0
    private var stopRequested = false
    var stopping: Bool {
      get { lock.withLock { stopRequested } }
      set { lock.withLock { stopRequested = newValue } }
    }
    func set(_ v: Int) { lock.withLock { value = v } }
    var current: Int { lock.withLock { value } }
  }

  func router() -> Router<BasicRequestContext> {
    let router = Router()
    let server = self
    let hosts: (@Sendable () -> Set<String>)? = allowRemote ? nil : { @Sendable in server.allowedHosts }
    router.add(middleware: Guard(token: token, hosts: hosts))
    let source = self.source, ticker = self.ticker
    @Sendable func json(_ text: String) -> Response {
      Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
    @Sendable func feed() -> (state: String, since: String, detail: String)? { SessionJournal.feedState(folder: source.folder) }
    router.get("/health") { _, _ in Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: "ok\n"))) }
    @Sendable func html(_ text: String) -> Response {
      Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
    router.get("/") { _, _ -> Response in
      html(try source.render("/") { s in
        let title = "Kairos paper session: " + (s?.status.symbols.joined(separator: ", ") ?? URL(fileURLWithPath: source.folder).lastPathComponent)
        return DashboardPage.shell(title: title, panels: DashboardPage.panels(s, backtest: s?.backtestEquity, tail: source.events, feed: feed()))
      })
    }
    router.get("/fragment") { _, _ in html(try source.render("/fragment") { s in DashboardPage.panels(s, backtest: s?.backtestEquity, tail: source.events, feed: feed()) }) }
    router.get("/app.js") { _, _ in Response(status: .ok, headers: [.contentType: "text/javascript; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: DashboardPage.script))) }
    router.get("/app.css") { _, _ in Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: DashboardPage.style))) }
    router.get("/api/status") { _, _ in json(try source.render("status") { DashboardAPI.status($0, feed: feed()) }) }
    router.get("/api/positions") { _, _ in json(try source.render("positions") { DashboardAPI.positions($0) }) }
    router.get("/api/orders") { _, _ in json(try source.render("orders") { DashboardAPI.orders($0, filledOnly: false) }) }
    router.get("/api/fills") { _, _ in json(try source.render("fills") { DashboardAPI.orders($0, filledOnly: true) }) }
    router.get("/api/equity") { request, _ in
      let full = request.uri.queryParameters["full"] == "1"
      return json(try source.render(full ? "equity-full" : "equity") { DashboardAPI.equity($0, backtest: $0?.backtestEquity, points: full ? 0 : 2_000) })
    }
    router.get("/api/alerts") { _, _ in json(try source.render("alerts") { _ in DashboardAPI.alerts(source.events) }) }
    router.get("/api/feeds") { _, _ in json(try source.render("feeds") { DashboardAPI.feeds($0, tail: source.events, feed: feed()) }) }
    router.get("/api/model") { _, _ in json(try source.render("model") { DashboardAPI.model($0) }) }
    router.get("/api/events") { _, _ -> Response in
      Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store"], body: .init { writer in
        var last = ticker.current, quiet = 0
        try await writer.write(ByteBuffer(string: "retry: 1000\nevent: hello\ndata: {\"version\": \(last)}\n\n"))
        while !Task.isCancelled && !ticker.stopping {
          try await Task.sleep(nanoseconds: 100_000_000)
          let now = ticker.current
          if now != last {
            last = now; quiet = 0
            try await writer.write(ByteBuffer(string: "event: bar\ndata: {\"version\": \(now)}\n\n"))
          } else {
            quiet += 1
            if quiet >= 150 { quiet = 0; try await writer.write(ByteBuffer(string: ": keep-alive\n\n")) }
          }
        }
        try await writer.finish(nil)
      })
    }
    return router
  }

  /// `host:port` forms a browser sends for the address listened on.
  var allowedHosts: Set<String> {
    var hosts: Set<String> = ["127.0.0.1:\(port)", "localhost:\(port)", "[::1]:\(port)"]
    hosts.insert((address.host.contains(":") ? "[\(address.host)]" : address.host) + ":\(port)")
    return hosts
  }

  struct Guard: RouterMiddleware {
    typealias Context = BasicRequestContext
    let token: String
    /// The Host values accepted; nil: any (`--dashboard-allow-remote`).
    let hosts: (@Sendable () -> Set<String>)?
    static let cookie = "kairos_token"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
      var response: Response
      var setCookie = false
      if let hosts, !(request.head.authority.map { hosts().contains($0.lowercased()) } ?? false) {
        response = Self.refuse(.misdirectedRequest, "wrong Host: this dashboard answers to the address it listens on only")
      } else if request.uri.path == "/health" || authorized(request) {
        response = try await next(request, context)
      } else if request.uri.path == "/", let given = request.uri.queryParameters["token"], DashboardToken.matches(given, token) {
        response = try await next(request, context)
        setCookie = true
      } else {
        response = Self.refuse(.unauthorized, "a token is needed: Authorization: Bearer TOKEN, or open /?token=TOKEN once (the token is in the state folder's dashboard_token)")
        response.headers[.wwwAuthenticate] = "Bearer realm=\"kairos\""
      }
      if setCookie { response.headers[.setCookie] = "\(Self.cookie)=\(token); HttpOnly; SameSite=Strict; Path=/" }
      response.headers[.contentSecurityPolicy] = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
      response.headers[.xContentTypeOptions] = "nosniff"
      response.headers[.init("Referrer-Policy")!] = "no-referrer"
      response.headers[.init("X-Frame-Options")!] = "DENY"
      if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
      return response
    }

    func authorized(_ request: Request) -> Bool {
      if let value = request.headers[.authorization], value.hasPrefix("Bearer "), DashboardToken.matches(value.dropFirst(7), token) { return true }
      for header in request.headers[values: .cookie] {
        for part in header.split(separator: ";") {
          let pair = part.trimmingCharacters(in: .whitespaces)
          if pair.hasPrefix(Self.cookie + "="), DashboardToken.matches(pair.dropFirst(Self.cookie.count + 1), token) { return true }
        }
      }
      return false
    }

    static func refuse(_ status: HTTPResponse.Status, _ message: String) -> Response {
      Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: message + "\n")))
    }
  }
}
