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
    #expect(try Validation.baseURL("http://127.0.0.1:8080/") == "http://127.0.0.1:8080")
    #expect(try Validation.baseURL("https://proxy.example/caffesta//") == "https://proxy.example/caffesta")
    #expect(try Validation.baseURL("http://[::1]:9000") == "http://[::1]:9000")
    for bad in ["ftp://x", "http://", "http://user@host", "http://h:0", "http://h:99999", "http://h/x?y", "http://h/#f",
                "http://h:", "https://a b"] {
      #expect(throws: CaffestaError.self, "\(bad)") { try Validation.baseURL(bad) }
    }
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
