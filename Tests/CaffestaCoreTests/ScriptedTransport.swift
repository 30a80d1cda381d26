@testable import CaffestaCore

/// A transport that answers from a script instead of the network, and records what it was sent.
final class ScriptedTransport: Transport {
  private var script: [TransportResult]
  private(set) var sent: [HTTPRequest] = []

  init(_ script: [TransportResult]) { self.script = script }

  func send(_ request: HTTPRequest, settings: TransportSettings) -> TransportResult {
    sent.append(request)
    guard !script.isEmpty else { return .answer(HTTPAnswer(status: 599, body: [])) }
    return script.removeFirst()
  }
}

func answer(_ status: Int, _ body: String, retryAfter: Int? = nil) -> TransportResult {
  .answer(HTTPAnswer(status: status, body: Array(body.utf8), retryAfterSeconds: retryAfter))
}

func failure(_ status: Status, neverSent: Bool) -> TransportResult {
  .failure(TransportFailure(status: status, message: "scripted", neverSent: neverSent))
}

func scriptedClient(_ script: [TransportResult]) throws -> (Client, ScriptedTransport) {
  let transport = ScriptedTransport(script)
  let client = try Client.make(accountName: "demo", apiKey: "key", transport: transport)
  try client.setBaseURL("http://127.0.0.1:9")
  return (client, transport)
}
