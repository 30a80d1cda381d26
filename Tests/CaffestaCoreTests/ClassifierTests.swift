import Testing
@testable import CaffestaCore

@Suite struct ClassifierTests {
  func status(_ code: Int, _ body: String) -> Status {
    switch AnswerClassifier.classify(HTTPAnswer(status: code, body: Array(body.utf8)), call: "GET /x") {
    case .success: return .ok
    case .failure(let error): return error.status
    }
  }

  @Test func envelopes() {
    #expect(status(200, #"{"success":true,"data":{"id":7}}"#) == .ok)
    #expect(status(200, #"{"success":false,"data":{"error":"name is required"}}"#) == .api)
    #expect(status(200, #"{"success":true,"data":{"error":"storage not found"}}"#) == .api)
    #expect(status(200, #"{"code":"ok","data":{"products":1}}"#) == .ok)
    #expect(status(200, #"{"code":"error","data":null}"#) == .api)
    #expect(status(200, #"[{"id":1}]"#) == .ok)
    #expect(status(200, #"{"1":"(id:1) Cafe storage"}"#) == .ok)
  }

  @Test func httpStatuses() {
    #expect(status(401, #"{"error":"wrong key"}"#) == .unauthorized)
    #expect(status(403, "") == .unauthorized)
    #expect(status(404, #"{"success":false,"data":{"error":"product not found"}}"#) == .notFound)
    #expect(status(429, "") == .rateLimited)
    #expect(status(500, "<html>oops</html>") == .server)
    #expect(status(503, "") == .server)
    #expect(status(418, "") == .http)
    #expect(status(302, "") == .http)
  }

  @Test func answersThatAreNotJSON() {
    #expect(status(200, "") == .protocolError)
    #expect(status(200, "<html><body>Bad Gateway</body></html>") == .protocolError)
    #expect(status(200, #"{"success":true,"data":{"id":7"#) == .protocolError)
    #expect(status(200, #"{"name":"Кофе ÿ"}"#) == .ok)
    #expect(status(200, String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)) == .protocolError)
  }

  @Test func invalidUTF8IsAProtocolError() {
    let body: [UInt8] = Array(#"{"a":""#.utf8) + [0xFF, 0xFE] + Array(#""}"#.utf8)
    guard case .failure(let error) = AnswerClassifier.classify(HTTPAnswer(status: 200, body: body), call: "GET /x") else {
      Issue.record("invalid UTF-8 was accepted")
      return
    }
    #expect(error.status == .protocolError)
  }

  @Test func messagesNameTheCallAndTheServerText() {
    let result = AnswerClassifier.classify(
      HTTPAnswer(status: 200, body: Array(#"{"success":false,"data":{"error":"поле name обязательно"}}"#.utf8)),
      call: "POST /a/v1.0/product/")
    guard case .failure(let error) = result else {
      Issue.record("expected an API error")
      return
    }
    #expect(error.message == "POST /a/v1.0/product/: поле name обязательно")
    #expect(error.httpStatus == 200)
  }
}

@Suite struct AnswerShapeTests {
  @Test func noContentIsASuccessWithNull() throws {
    let (client, _) = try scriptedClient([answer(204, "")])
    #expect(try client.request(method: "DELETE", path: "/a/v1.0/x", body: nil).run().json == "null")
  }

  @Test func nulInsideAStringIsValidJSON() throws {
    let (client, transport) = try scriptedClient([answer(200, #"{"success":true,"data":{"name":"a\u0000b"}}"#)])
    let reply = try client.request(method: "POST", path: "/a/v1.0/x", body: #"{"note":"x\u0000y"}"#).run()
    #expect(reply.json == #"{"success":true,"data":{"name":"a\u0000b"}}"#)
    #expect(transport.sent.first?.body == #"{"note":"x\u0000y"}"#)
  }

  @Test func jobIdsAreNumbersInEveryAnswer() throws {
    let (client, _) = try scriptedClient([answer(200, #"{"success":true,"data":{"job_id":"54300903","status":"pending","message":null}}"#)])
    #expect(try client.orderJobStatus(jobId: 54300903).run().json == #"{"job_id":54300903,"status":"pending","message":null}"#)
  }
}
