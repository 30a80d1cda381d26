import Testing
@testable import CaffestaCore

/// The API's final shapes (docs/api.md), through the core with scripted answers.
@Suite struct FieldShapeTests {
  let order = #"{"bill":{"total_sum":1,"items":[{"count":1,"total_sum":1,"product_id":1}]}}"#

  @Test func storageIdsComeFromLabelsNotKeys() throws {
    let (client, _) = try scriptedClient([answer(200, #"{"2":"(id:7) Общий склад","1":"(id:1) Склад","3":"Без номера"}"#)])
    #expect(try client.listStorages().run().json == #"[{"id":1,"name":"Склад","label":"(id:1) Склад","position":1},"#
      + #"{"id":7,"name":"Общий склад","label":"(id:7) Общий склад","position":2},"#
      + #"{"id":null,"name":"Без номера","label":"Без номера","position":3}]"#)
  }

  @Test func storageLabels() {
    #expect(Client.storageLabel("(id:12) Бар") == (12, "Бар"))
    #expect(Client.storageLabel("(id:) Бар") == (nil, "(id:) Бар"))
    #expect(Client.storageLabel("(id:0) Бар") == (nil, "(id:0) Бар"))
    #expect(Client.storageLabel("(id:-3) Бар") == (nil, "(id:-3) Бар"))
    #expect(Client.storageLabel("(id:99999999999999999999) Бар") == (nil, "(id:99999999999999999999) Бар"))
    #expect(Client.storageLabel("Склад (id:4)") == (nil, "Склад (id:4)"))
  }

  @Test func aStorageKeyThatIsNotAPositionIsAProtocolError() throws {
    let (client, _) = try scriptedClient([answer(200, #"{"a":"(id:1) Склад"}"#)])
    #expect(throws: CaffestaError.self) { try client.listStorages().run() }
  }

  @Test func anOrderMadeAtOnce() throws {
    let (client, transport) = try scriptedClient([answer(200, #"{"success":true,"data":{"status":"success","message":"u-1"}}"#)])
    let submitted = try client.submitOrder(json: order).run()
    #expect(submitted.json == #"{"job_id":null,"status":"success","uuid":"u-1"}"#)
    #expect(transport.sent.first?.url == "http://127.0.0.1:9/a/v1.1/draft/receipts")
    let waited = try client.waitForOrder(submitted: submitted.json, timeoutMs: 1000).run()
    #expect(waited.json == #"{"job_id":null,"status":"success","uuid":"u-1"}"#)
    #expect(transport.sent.count == 1)
  }

  @Test func anOrderThroughAJobWithABareStatusAnswer() throws {
    let (client, transport) = try scriptedClient([
      answer(200, #"{"success":true,"data":{"job_id":"54300903","status":"pending"}}"#),
      answer(200, #"{"job_id":"54300903","status":"success","message":"u-2"}"#),
    ])
    let submitted = try client.submitOrder(json: order).run()
    #expect(submitted.json == #"{"job_id":54300903,"status":"pending","uuid":null}"#)
    let waited = try client.waitForOrder(submitted: submitted.json, timeoutMs: 5000).run()
    #expect(waited.json == #"{"job_id":54300903,"status":"success","uuid":"u-2"}"#)
    #expect(transport.sent.last?.url == "http://127.0.0.1:9/a/v1.0/draft/get_job_status/54300903")
  }

  @Test func aFailedOrderIsAnAPIErrorWithTheReason() throws {
    let (client, _) = try scriptedClient([answer(200, #"{"success":true,"data":{"status":"failed","message":"Смена закрыта"}}"#)])
    do {
      _ = try client.createOrder(json: order).run()
      Issue.record("no error")
    } catch {
      #expect(error.status == .api)
      #expect(error.message.contains("Смена закрыта"))
    }
  }

  @Test func aNullJobIdIsNoJob() throws {
    let (client, _) = try scriptedClient([answer(200, #"{"success":true,"data":{"job_id":null,"status":"success","message":"u-4"}}"#)])
    #expect(try client.submitOrder(json: order).run().json == #"{"job_id":null,"status":"success","uuid":"u-4"}"#)
  }

  @Test func anAnswerWithNeitherJobNorUUIDIsAProtocolError() throws {
    let (client, _) = try scriptedClient([answer(200, #"{"success":true,"data":{"status":"pending"}}"#)])
    do {
      _ = try client.submitOrder(json: order).run()
      Issue.record("no error")
    } catch {
      #expect(error.status == .protocolError)
      #expect(error.message.contains("may have been made"))
    }
  }

  @Test func theOldCreateGivesJobZeroForAnOrderMadeAtOnce() throws {
    let (client, _) = try scriptedClient([answer(200, #"{"success":true,"data":{"status":"success","message":"u-3"}}"#)])
    #expect(try client.createOrder(json: order).run().id == 0)
  }

  func message(_ status: Int, _ body: String) -> String {
    switch AnswerClassifier.classify(HTTPAnswer(status: status, body: Array(body.utf8)), call: "GET /x") {
    case .success: return "ok"
    case .failure(let error): return error.message
    }
  }

  @Test func serverTextsWhereverTheServerPutsThem() {
    #expect(message(200, #"{"success":false,"data":{"status":"SQLSTATE[23505]"}}"#) == "GET /x: SQLSTATE[23505]")
    #expect(message(200, #"{"success":false,"data":{"message":"закрыто"}}"#) == "GET /x: закрыто")
    #expect(message(200, #"{"code":"error","message":"POS blocked"}"#) == "GET /x: POS blocked")
    #expect(message(200, #"{"code":"error","data":"bad ts"}"#) == "GET /x: bad ts")
    #expect(message(200, #"{"code":"error"}"#) == #"GET /x: the API answered code "error""#)
    #expect(message(500, #"{"data":{"message":"down"}}"#) == "GET /x: HTTP 500: down")
    // In a success, data.message and data.status are data.
    #expect(message(200, #"{"success":true,"data":{"status":"success","message":"u"}}"#) == "ok")
  }

  @Test func salesGroupingGoesIntoTheQuery() throws {
    let (client, transport) = try scriptedClient([answer(200, #"{"data":[{"caf_terminal_id":null}],"success":true}"#)])
    let reply = try client.exportSales(.byPOS, start: nil, end: nil, shiftDay: "2022-04-20", addGroupBy: "terminal_id").run()
    #expect(reply.json == #"[{"caf_terminal_id":null}]"#)
    #expect(transport.sent.first?.url == "http://127.0.0.1:9/a/v1.0/product/export_sales_totals?shift_day=2022-04-20&add_gr_by=terminal_id")
    #expect(throws: CaffestaError.self) {
      try client.exportSales(.byPOS, start: nil, end: nil, shiftDay: "2022-04-20", addGroupBy: "x&y=1").run()
    }
  }
}
