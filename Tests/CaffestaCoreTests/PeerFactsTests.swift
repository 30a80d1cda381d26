import Testing
@testable import CaffestaCore

/// The pure parts of issue 13's fixes (the real peers are in Tests/c/test_peers.c): paths,
/// proxies named without passwords, what an error message tells, HTTP/2 GOAWAY bookkeeping.
@Suite struct PeerFactsTests {
  @Test func pathsAreKeptAsWrittenOrRefused() throws {
    #expect(try Validation.requestPath("/a/%2F/b;c=d?x=1&y=:@!$'()*+,") == "/a/%2F/b;c=d?x=1&y=:@!$'()*+,")
    #expect(try Validation.requestPath("/.../.x/%2E%2E") == "/.../.x/%2E%2E")
    #expect(try Validation.requestPath("/чай") == "/%D1%87%D0%B0%D0%B9")
    #expect(try Validation.requestPath("/a?next=../b") == "/a?next=../b")  // a query is not a path
    for bad in ["/a/../b", "/..", "/./a", "/a/.", "/a<b", "/a>b", "/a\"b", "/a{b", "/a}b", "/a|b", "/a^b", "/a`b",
                "/a b", "/a\\b", "/a#b", "/a%zz", "/a%4"] {
      #expect(throws: CaffestaError.self, "\(bad)") { try Validation.requestPath(bad) }
    }
    #expect(throws: CaffestaError.self) { try Validation.baseURL("http://h/x/../y") }
  }

  @Test func proxiesAreNamedWithoutTheirPassword() throws {
    #expect(Proxy.named("http://alice:s3cret@proxy.example:3128") == "the proxy http://alice@proxy.example:3128")
    #expect(Proxy.named("http://proxy.example:3128/") == "the proxy http://proxy.example:3128")
    #expect(Proxy.named("socks5h://u:p:q@[::1]:1080") == "the proxy socks5h://u@[::1]:1080")
    #expect(Proxy.port("http://a:b@h:3128") == 3128)
    #expect(Proxy.port("http://h") == 1080)
    #expect(try Proxy.validated("direct") == "")
    #expect(try Proxy.validated("http://h:3128") == "http://h:3128")
    for bad in ["", "h:3128", "ftp://h", "http://", "http://:80", "http://a b", "http://ключ"] {
      #expect(throws: CaffestaError.self, "\(bad)") { try Proxy.validated(bad) }
    }
  }

  /// (The environment's proxy and no_proxy are tested from C, Tests/c/test_peers.c: setenv
  /// here would race libcurl's getenv in the suites running alongside.)
  @Test func aConnectFailureIsTheProxysOnlyWhenLibcurlNamesItsPort() {
    #expect(Proxy.mentions(port: 3128, in: "Failed to connect to proxy.example port 3128 after 0 ms: refused"))
    #expect(!Proxy.mentions(port: 312, in: "Failed to connect to proxy.example port 3128 after 0 ms"))
  }

  @Test func messagesCarryTheFacts() {
    func message(_ answer: HTTPAnswer) -> String {
      guard case .failure(let error) = AnswerClassifier.classify(answer, call: "GET /x") else { return "" }
      return error.message
    }
    let page = Array("<!DOCTYPE html><html><head><TITLE>\n  502   Bad\tGateway </TITLE></head></html>".utf8)
    #expect(message(HTTPAnswer(status: 502, body: page)).contains("an HTML page titled \"502 Bad Gateway\""))
    #expect(message(HTTPAnswer(status: 200, body: page)).contains("an HTML page titled \"502 Bad Gateway\""))
    #expect(message(HTTPAnswer(status: 302, body: [], location: "https://elsewhere/x")).contains("a redirect to https://elsewhere/x"))
    #expect(message(HTTPAnswer(status: 503, body: [], retryAfterSeconds: 40)).contains("(Retry-After: 40 s)"))
    guard case .failure(let proxy) = AnswerClassifier.classify(
      HTTPAnswer(status: 407, body: [], proxyName: "the proxy http://h:3128"), call: "GET /x")
    else { Issue.record("a proxy's 407 was a success"); return }
    #expect(proxy.status == .proxy)
    #expect(proxy.httpStatus == 407)
  }

  @Test func onlyStreamsAboveAGoawaysLastStreamMayBeResent() {
    let ledger = GoawayLedger()
    let trace = StreamTrace(ledger: ledger)
    func line(_ text: String) { var copy = text; copy.withUTF8 { trace.read(UnsafeRawBufferPointer($0)) } }
    line("Connected to 127.0.0.1 (127.0.0.1) port 443 (#3)\n")
    line("Using Stream ID: 101 (easy handle 0x1)\n")
    #expect(!trace.mayResend())  // no GOAWAY yet: the connection may just have died
    line("recveived GOAWAY, error=0, last_stream=101\n")
    #expect(!trace.mayResend())  // 101 was processed
    line("Using Stream ID: 103 (easy handle 0x1)\n")
    #expect(trace.mayResend())
    line("Connected to 127.0.0.1 (127.0.0.1) port 443 (#4)\n")  // libcurl's retry moves on
    #expect(trace.mayResend())  // the stream's connection counts, not the new one
    trace.reset(ledger: ledger)
    line("Re-using existing connection #4 with host 127.0.0.1\n")
    line("Using Stream ID: 1 (easy handle 0x1)\n")
    #expect(!trace.mayResend())  // another connection, without GOAWAY
    line("REFUSED_STREAM, retrying a fresh connect\n")
    #expect(trace.mayResend())
    #expect(!trace.mayResend())  // once per refusal
  }
}
