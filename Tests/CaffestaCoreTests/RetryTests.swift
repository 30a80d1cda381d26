import Testing
@testable import CaffestaCore

@Suite struct RetryTests {
  @Test func getRetries503ThenSucceeds() throws {
    let (client, transport) = try scriptedClient([
      answer(503, ""), answer(503, ""), answer(200, #"{"success":true,"data":{"id":"test"}}"#),
    ])
    _ = try client.authTest().run()
    #expect(transport.sent.count == 3)
  }

  @Test func retriesStopAtTheConfiguredCount() throws {
    let (client, transport) = try scriptedClient([answer(502, ""), answer(502, ""), answer(502, "")])
    try client.setMaxRetries(1)
    #expect(throws: CaffestaError.self) { try client.authTest().run() }
    #expect(transport.sent.count == 2)
  }

  @Test func postIsNotResentOnceItMayHaveArrived() throws {
    let (client, transport) = try scriptedClient([failure(.network, neverSent: false), answer(200, "{}")])
    do {
      _ = try client.request(method: "POST", path: "/a/v1.0/storage/invoices", body: "{}").run()
      Issue.record("expected a network error")
    } catch {
      #expect(error.status == .network)
    }
    #expect(transport.sent.count == 1)
  }

  @Test func postIsNotResentAfter502() throws {
    let (client, transport) = try scriptedClient([answer(502, ""), answer(200, "{}")])
    #expect(throws: CaffestaError.self) {
      try client.request(method: "POST", path: "/a/v1.0/storage/invoices", body: "{}").run()
    }
    #expect(transport.sent.count == 1)
  }

  @Test func postIsResentWhenItNeverLeft() throws {
    let (client, transport) = try scriptedClient([
      failure(.network, neverSent: true), answer(503, ""), answer(200, #"{"success":true,"data":{"id":7}}"#),
    ])
    let reply = try client.request(method: "POST", path: "/a/v1.0/storage/invoices", body: "{}").run()
    #expect(reply.json == #"{"success":true,"data":{"id":7}}"#)
    #expect(transport.sent.count == 3)
  }

  @Test func getIsResentAfterAResetConnection() throws {
    let (client, transport) = try scriptedClient([failure(.network, neverSent: false), answer(200, "[]")])
    _ = try client.request(method: "GET", path: "/a/v1.0/draft/receipts/x/info", body: nil).run()
    #expect(transport.sent.count == 2)
  }

  @Test func connectTimeoutsOnEveryAttemptSayTheRetriesRanOutNotTheTime() throws {
    let (client, transport) = try scriptedClient([
      failure(.timeout, neverSent: true), failure(.timeout, neverSent: true), failure(.timeout, neverSent: true),
    ])
    do {
      _ = try client.request(method: "GET", path: "/x", body: nil).run()
      Issue.record("expected a timeout")
    } catch {
      #expect(error.status == .timeout)
      #expect(error.message.contains("(retried 2 times)"))
      #expect(!error.message.contains("ran out of time"))
    }
    #expect(transport.sent.count == 3)
  }

  @Test func timeoutsAfterSendingAreNotRetried() throws {
    let (client, transport) = try scriptedClient([failure(.timeout, neverSent: false), answer(200, "[]")])
    #expect(throws: CaffestaError.self) { try client.request(method: "GET", path: "/x", body: nil).run() }
    #expect(transport.sent.count == 1)
  }

  @Test func retryAfterBeyondTheDeadlineGivesUpAtOnce() throws {
    let (client, transport) = try scriptedClient([answer(429, "", retryAfter: 30), answer(200, "{}")])
    try client.setTimeouts(connectMs: 100, requestMs: 1_000)
    do {
      _ = try client.authTest().run()
      Issue.record("expected rate limited")
    } catch {
      #expect(error.status == .rateLimited)
    }
    #expect(transport.sent.count == 1)
  }

  @Test func upsertFallsBackToCreateOnNotFound() throws {
    let (client, transport) = try scriptedClient([
      answer(404, #"{"success":false,"data":{"error":"product not found"}}"#),
      answer(200, #"{"success":true,"data":{"id":42}}"#),
    ])
    let reply = try client.upsertProduct(json: #"{"ref_code":"a/b","name":"x"}"#).run()
    #expect(reply.json == #"{"id":42,"ref_code":"a/b","action":"created"}"#)
    #expect(transport.sent.map(\.url) == [
      "http://127.0.0.1:9/a/v1.0/product/by_ref_code/a%2Fb", "http://127.0.0.1:9/a/v1.0/product/",
    ])
  }

  @Test func upsertDoesNotCreateOnOtherErrors() throws {
    let (client, transport) = try scriptedClient([answer(200, #"{"success":false,"data":{"error":"caf_tax_id is invalid"}}"#)])
    #expect(throws: CaffestaError.self) { try client.upsertProduct(json: #"{"ref_code":"x"}"#).run() }
    #expect(transport.sent.count == 1)
  }
}

@Suite struct RetryPolicyTests {
  @Test func retryAfterIsHonouredAndCapped() {
    let policy = RetryPolicy(maxRetries: 2)
    #expect(policy.delayBeforeRetry(after: answer(429, "", retryAfter: 3), method: .post, attempt: 0) == 3_000)
    #expect(policy.delayBeforeRetry(after: answer(503, "", retryAfter: 100), method: .get, attempt: 0) == 30_000)
    #expect(policy.delayBeforeRetry(after: answer(429, "", retryAfter: 3), method: .get, attempt: 2) == nil)
  }

  @Test func backoffGrowsWithJitterAndACap() {
    let policy = RetryPolicy(maxRetries: 10)
    for attempt in 0..<12 {
      let full = min(RetryPolicy.baseDelayMs << min(attempt, 10), RetryPolicy.maxBackoffMs)
      let delay = policy.backoff(attempt)
      #expect(delay >= full / 2 && delay <= full)
    }
  }
}
