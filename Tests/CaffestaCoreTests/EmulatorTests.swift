import Glibc
import Testing
@testable import CaffestaCore

/// The core against the emulator, over real libcurl; scripts/with-emulator.sh provides it.
@Suite(.enabled(if: getenv("CAFFESTA_BASE_URL") != nil, "needs scripts/with-emulator.sh"))
struct EmulatorTests {
  let client: Client

  init() throws {
    let key = String(cString: getenv("CAFFESTA_API_KEY"))
    client = try Client.make(accountName: "demo", apiKey: key)
    try client.setBaseURL(String(cString: getenv("CAFFESTA_BASE_URL")))
  }

  @Test func authTest() throws {
    let reply = try client.authTest().run()
    #expect(reply.httpStatus == 200)
  }

  @Test func upsertCreatesThenUpdates() throws {
    let body = #"{"ref_code":"swift-test/1","name":"Тест","measure":"pcs","type":"product","cancellation_type":0,"for_sale":true,"use_discounts":true,"caf_tax_id":1,"category_ref_code":"c","workspace_ref_code":"w","prices":[]}"#
    let first = try JSON.parse(try client.upsertProduct(json: body).run().json, what: "result")
    let second = try JSON.parse(try client.upsertProduct(json: body).run().json, what: "result")
    #expect(second["action"]?.string == "updated")
    #expect(first["id"]?.integer == second["id"]?.integer)
  }

  @Test func wrongKeyIsUnauthorized() throws {
    let wrong = try Client.make(accountName: "demo", apiKey: "wrong-key")
    try wrong.setBaseURL(String(cString: getenv("CAFFESTA_BASE_URL")))
    do {
      _ = try wrong.authTest().run()
      Issue.record("expected unauthorized")
    } catch {
      #expect(error.status == .unauthorized)
      #expect(error.httpStatus == 401)
      #expect(!error.message.contains("wrong-key"))
    }
  }
}
