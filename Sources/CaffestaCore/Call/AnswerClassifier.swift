/// Turns an HTTP answer into the parsed JSON body or a CaffestaError, following docs/api.md's
/// envelopes and status decisions. Pure: no I/O, so it can be fuzzed. A success's JSON keeps
/// the body's text (`source`): calls return that, not a re-serialized tree.
public enum AnswerClassifier {
  /// `call` names the request in messages: "PUT /a/v1.0/product/by_ref_code/x" (built only
  /// for an error).
  public static func classify(_ answer: HTTPAnswer, call: @autoclosure () -> String) -> Result<JSON, CaffestaError> {
    let status = answer.status
    guard (200..<300).contains(status) else {
      let serverText = (try? scan(answer.body).get()).flatMap { errorText($0, failed: true) } ?? bodySnippet(answer.body)
      var suffix = serverText.isEmpty ? "" : ": \(serverText)"
      if let proxy = answer.proxyName {
        return .failure(CaffestaError(.proxy, "\(call()): \(proxy) refused the request: HTTP \(status)\(suffix)", httpStatus: status))
      }
      if (300..<400).contains(status) {
        suffix += answer.location.map { " (a redirect to \($0), not followed)" } ?? " (a redirect, not followed)"
      }
      if let seconds = answer.retryAfterSeconds, status == 429 || status == 503 {
        suffix += " (Retry-After: \(seconds) s)"
      }
      return .failure(CaffestaError(httpErrorStatus(status), "\(call()): HTTP \(status)\(suffix)", httpStatus: status))
    }
    if status == 204 { return .success(JSON.null()) }  // No Content: a success with nothing to say
    let text: JSONText
    switch scan(answer.body) {
    case .success(let value): text = value
    case .failure(let error):
      let what = answer.body.isEmpty ? "an empty body" : looksLikeHTML(answer.body) ? bodySnippet(answer.body) : "text that is not JSON"
      return .failure(CaffestaError(.protocolError, "\(call()): HTTP \(status): expected JSON, got \(what) (\(error.message))",
                                    httpStatus: status))
    }
    if let message = apiError(text) {
      return .failure(CaffestaError(.api, "\(call()): \(message)", httpStatus: status))
    }
    return .success(JSON(text: text))  // jansson's tree only if a caller asks for one
  }

  /// The answer checked once by the scanner (strict UTF-8, RFC 8259), the top value's members
  /// found: the envelope is read from them, not from a second parse.
  static func scan(_ body: [UInt8]) -> Result<JSONText, CaffestaError> {
    body.withUnsafeBytes { bytes in
      Result { () throws(CaffestaError) -> JSONText in
        try JSONText.scan(bytes, what: "the answer", anyValue: true, children: true, allowDuplicates: true,
                          failure: .protocolError)
      }
    }
  }

  static func httpErrorStatus(_ status: Int) -> Status {
    switch status {
    case 401, 403: return .unauthorized
    case 404: return .notFound
    case 429: return .rateLimited
    case 500..<600: return .server
    default: return .http
    }
  }

  /// Envelope 2 (`success: false`, or a `data.error` string whatever `success` says) and a
  /// `code` other than "ok" (envelope 3) are API errors, carrying the server's text.
  static func apiError(_ json: JSONText) -> String? {
    guard json.isObject else { return nil }
    if let text = errorText(json) { return text }
    if json.boolean("success") == false { return "the API answered success: false" }
    if let code = json.string("code"), code != "ok" { return "the API answered code \"\(code)\"" }
    return nil
  }

  /// The server's own error text. `data.error` and a top-level `error` say failure wherever
  /// they are; in an answer that failed otherwise (`success: false`, `code` other than "ok",
  /// an HTTP error status) field code also finds the text in `message`, `data.message`,
  /// `data.status` (an SQL constraint, say) or a `data` string. In a successful answer those
  /// fields mean something else (an order's UUID in `data.message`), so they are left alone.
  /// Read from the scanner's spans, as jansson would read them (the last of duplicate keys).
  static func errorText(_ json: JSONText, failed: Bool = false) -> String? {
    guard json.isObject else { return nil }
    let dataRange = json.member("data")
    // Only an object's members are looked up; a `data` string is read below.
    let data = dataRange.flatMap { json.byte(at: $0) == UInt8(ascii: "{") ? json.memberText("data") : nil }
    if let text = data?.string("error") { return text }
    if let text = json.string("error") { return text }
    let code = json.string("code")
    guard failed || json.boolean("success") == false || (code != nil && code != "ok") else { return nil }
    if let text = json.string("message") { return text }
    if let text = data?.string("message") { return text }
    if let text = data?.string("status") { return text }
    return dataRange.flatMap { json.string(at: $0) }
  }

  static func looksLikeHTML(_ body: [UInt8]) -> Bool {
    let start = body.drop(while: { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 })
    return start.first == UInt8(ascii: "<")
  }

  /// A short, printable piece of a non-JSON error body: an HTML page's <title>, or the first bytes.
  static func bodySnippet(_ body: [UInt8]) -> String {
    if looksLikeHTML(body) {
      guard let title = htmlTitle(body) else { return "an HTML page" }
      return "an HTML page titled \"\(Bytes.printable(title, limit: 120))\""
    }
    return Bytes.printable(body, limit: 120)
  }

  /// The text of the first <title>...</title> in the first 64 KiB, spaces collapsed, at most 120 bytes.
  static func htmlTitle(_ body: [UInt8]) -> ArraySlice<UInt8>? {
    let head = body.prefix(65_536)
    guard let open = Bytes.find("<title", in: head, ignoringCase: true),
      let close = head[open...].firstIndex(of: UInt8(ascii: ">")),
      let end = Bytes.find("</title", in: head[(close + 1)...], ignoringCase: true)
    else { return nil }
    var text: [UInt8] = []
    for byte in head[(close + 1)..<end] {
      let space = byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
      if space { if let last = text.last, last != 0x20 { text.append(0x20) } } else { text.append(byte) }
    }
    while text.last == 0x20 { text.removeLast() }
    return text.isEmpty ? nil : text.prefix(120)
  }
}
