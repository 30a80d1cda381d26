import Testing
@testable import CaffestaCore

/// A scripted transport that calls cancel() on its client while the first request is "in flight".
final class CancellingTransport: Transport {
  private var script: [TransportResult]
  private(set) var sent: [HTTPRequest] = []
  weak var client: Client?

  init(_ script: [TransportResult]) { self.script = script }

  func send(_ request: HTTPRequest, settings: TransportSettings) -> TransportResult {
    if sent.isEmpty { client?.cancel() }
    sent.append(request)
    guard !script.isEmpty else { return .answer(HTTPAnswer(status: 599, body: [])) }
    return script.removeFirst()
  }
}

private func cancellingClient(_ script: [TransportResult]) throws -> (Client, CancellingTransport) {
  let transport = CancellingTransport(script)
  let client = try Client.make(accountName: "demo", apiKey: "key-never-logged", transport: transport)
  try client.setBaseURL("http://127.0.0.1:9")
  transport.client = client
  return (client, transport)
}

@Suite struct CancelLogTests {
  @Test func aCancelledCallIsNotRetried() throws {
    let (client, transport) = try cancellingClient([answer(503, ""), answer(200, #"{"success":true}"#)])
    do {
      _ = try client.authTest().run()
      Issue.record("expected CANCELLED")
    } catch {
      #expect(error.status == .cancelled)
      #expect(error.httpStatus == 503)
    }
    #expect(transport.sent.count == 1)
    _ = try client.authTest().run()  // the next call runs normally
  }

  @Test func aBulkCallSendsNothingMoreAfterACancel() throws {
    let ok = answer(200, #"{"success":true,"data":{"id":5}}"#)
    let (client, transport) = try cancellingClient([ok, ok, ok])
    let bulk = try client.upsertMany(
      json: #"[{"ref_code":"a"},{"ref_code":"b"},{"ref_code":"c"}]"#, concurrency: 1).run()
    #expect(transport.sent.count == 1)
    #expect((bulk.failed, bulk.cancelled) == (2, 2))
    #expect(bulk.json == #"[{"ref_code":"a","action":"updated","id":5},{"ref_code":"b","action":"cancelled"},{"ref_code":"c","action":"cancelled"}]"#)
  }

  @Test func theLogHasOneEventPerAttemptWithoutTheKeyOrBody() throws {
    let (client, _) = try scriptedClient([answer(503, #"{"error":"secret text"}"#, retryAfter: 1),
                                          answer(200, #"{"success":true,"data":{"id":1}}"#)])
    var events: [String] = []
    client.setLog { events.append($0) }
    _ = try client.request(method: "PUT", path: "/a/v1.0/product/by_ref_code/x", body: #"{"name":"body text"}"#).run()
    #expect(events.count == 2)
    #expect(events.first?.contains(#""http_status":503"#) == true)
    #expect(events.first?.contains(#""retry":true,"retry_delay_ms":1000,"retry_after_s":1"#) == true)
    #expect(events.last?.contains(#""attempt":2"#) == true)
    #expect(events.last?.contains(#""status":"CAFFESTA_OK""#) == true)
    for event in events {
      #expect(!event.contains("key") && !event.contains("secret text") && !event.contains("body text"))
    }
  }
}
