import Testing
@testable import CaffestaCore

@Suite struct ValidationTests {
  @Test func accountNamesAreDNSLabels() throws {
    try Validation.accountName("my-cafe-1")
    for bad in ["", "evil.com/x#", "a@b", "a b", String(repeating: "a", count: 64), "кафе"] {
      #expect(throws: CaffestaError.self) { try Validation.accountName(bad) }
    }
  }

  @Test func apiKeysCannotCarryHeaders() {
    for bad in ["", "abc\r\nX-Evil: 1", "with space", "ключ"] {
      #expect(throws: CaffestaError.self) { try Validation.apiKey(bad) }
    }
  }

  @Test func baseURLs() throws {
    #expect(try Validation.baseURL("http://127.0.0.1:8765/") == "http://127.0.0.1:8765")
    #expect(try Validation.baseURL("https://proxy.example/caffesta//") == "https://proxy.example/caffesta")
    #expect(try Validation.baseURL("http://[::1]:9000") == "http://[::1]:9000")
    for bad in ["ftp://x", "http://", "http://user@host", "http://h:0", "http://h:99999", "http://h/x?y", "http://h/#f",
                "http://h:", "https://a b"] {
      #expect(throws: CaffestaError.self, "\(bad)") { try Validation.baseURL(bad) }
    }
  }

  /// The server's root, not the API's: every call adds /a/v1.0, so a doubled prefix is refused.
  @Test func baseURLsEndingInTheAPIPrefixAreRefused() throws {
    for doubled in ["http://h/a/v1.0", "http://h/a/v1.0/", "https://h/proxy/a/v1.1", "http://h:8765/a/v1.23//"] {
      do {
        _ = try Validation.baseURL(doubled)
        Issue.record("\(doubled) was accepted")
      } catch {
        #expect(error.status == .invalidArgument)
        #expect(error.message.contains("API prefix"))
      }
    }
    #expect(try Validation.baseURL("http://h/a/v1") == "http://h/a/v1")
    #expect(try Validation.baseURL("http://h/xa/v1.0") == "http://h/xa/v1.0")
    #expect(try Validation.baseURL("http://h/a/v1.0x") == "http://h/a/v1.0x")
  }

  @Test func requestPaths() throws {
    #expect(try Validation.requestPath("/a/v1.0/draft/storages") == "/a/v1.0/draft/storages")
    #expect(try Validation.requestPath("/x?start=2020-01-01") == "/x?start=2020-01-01")
    #expect(try Validation.requestPath("/кафе") == "/%D0%BA%D0%B0%D1%84%D0%B5")
    for bad in ["", "a/b", "//evil.com/x", "http://other/", "/a b", "/a#b", "/a\r\n"] {
      #expect(throws: CaffestaError.self, "\(bad)") { try Validation.requestPath(bad) }
    }
  }

  @Test func refCodesStayOneSegment() {
    #expect(PathSegment.encode("a/b?c#d e") == "a%2Fb%3Fc%23d%20e")
    #expect(PathSegment.encode("..") == "%2E%2E")
    #expect(PathSegment.encode("100%") == "100%25")
    #expect(PathSegment.encode("Чай") == "%D0%A7%D0%B0%D0%B9")
    #expect(PathSegment.encode("Ab-1_~") == "Ab-1_~")
  }
}

@Suite struct JSONTextTests {
  @Test func arrayElementsAreCutAsWritten() throws {
    let text = #" [ {"ref_code":"a,]","price":0.6} ,"x\"]",[1,[2]],{"b":{"c":"}"}}, 7 ,null] "#
    let scanned = try JSONText.scan(text, what: "t", children: true)
    #expect(scanned.members.map { scanned.slice($0.value) } == [
      #"{"ref_code":"a,]","price":0.6}"#, #""x\"]""#, "[1,[2]]", #"{"b":{"c":"}"}}"#, "7", "null",
    ])
    #expect(try JSONText.scan("[]", what: "t", children: true).members.isEmpty)
  }

  @Test func membersAndDuplicates() throws {
    let scanned = try JSONText.scan(#"{"a":1,"\u0064ata" : {"id":12345678901234567890}}"#, what: "t", children: true)
    #expect(scanned.member("data").map(scanned.slice) == #"{"id":12345678901234567890}"#)
    #expect(scanned.memberText("data")?.member("id").map(scanned.memberText("data")!.slice) == "12345678901234567890")
    #expect(throws: CaffestaError.self) { try JSONText.scan(#"{"x":[{"a":1,"\u0061":2}]}"#, what: "t") }
    do {
      _ = try JSONText.scan(#"{"x":[{"a":1,"a":2}]}"#, what: "body_json")
    } catch {
      #expect(error.message == #"body_json: duplicate key "a" in x[0]"#)
    }
    // precomposed and decomposed é are different keys
    _ = try JSONText.scan("{\"caf\u{E9}\":1,\"cafe\u{301}\":2}", what: "t")
  }

  @Test func wideNumbersAreReadAsHugeOfTheirSign() throws {
    let scanned = try JSONText.scan(#"[12345678901234567890,-1e400,1e-400,7]"#, what: "t")
    #expect(scanned.wide.count == 2)
    let tree = try scanned.tree(what: "t")
    #expect(tree[0]?.number == 1e308 && tree[1]?.number == -1e308 && tree[3]?.integer == 7)
  }

  @Test func upsertSendsTheCallersTextUnchanged() throws {
    let (client, transport) = try scriptedClient([answer(200, #"{"success":true,"data":{"id":1}}"#)])
    let body = #"{"ref_code":"x", "price": 0.6}"#
    _ = try client.upsertProduct(json: body).run()
    #expect(transport.sent.first?.body == body)
  }
}

@Suite struct RefCodeTests {
  @Test func nulNeverReachesAPath() throws {
    for bad in ["a\u{0}b", "\u{0}"] {
      let (client, transport) = try scriptedClient([])
      #expect(throws: CaffestaError.self) { try client.upsertProduct(json: #"{"ref_code":"\#(bad.debugEscaped)"}"#).run() }
      #expect(throws: CaffestaError.self) { try client.getProduct(refCode: bad).run() }
      #expect(transport.sent.isEmpty)
    }
  }
}

extension String {
  /// The text as a JSON string body: control characters as \u escapes.
  var debugEscaped: String {
    var out = ""
    for scalar in unicodeScalars {
      if scalar.value < 0x20 || scalar.value == 0x7F {
        let hex = String(scalar.value, radix: 16)
        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      } else {
        out.unicodeScalars.append(scalar)
      }
    }
    return out
  }
}
