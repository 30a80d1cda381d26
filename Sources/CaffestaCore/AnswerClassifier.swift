/// Turns an HTTP answer into the parsed JSON body or a CaffestaError, following docs/api.md's
/// envelopes and status decisions. Pure: no I/O, so it can be fuzzed.
public enum AnswerClassifier {
  /// `call` names the request in messages: "PUT /a/v1.0/product/by_ref_code/x" (built only
  /// for an error).
  public static func classify(_ answer: HTTPAnswer, call: @autoclosure () -> String) -> Result<JSON, CaffestaError> {
    let status = answer.status
    let parsed = answer.body.withUnsafeBytes { bytes in
      Result { () throws(CaffestaError) -> JSON in
        try JSON.parse(bytes, what: "the answer", anyValue: true, failure: .protocolError)
      }
    }
    guard (200..<300).contains(status) else {
      let serverText = (try? parsed.get()).flatMap { errorText($0, failed: true) } ?? bodySnippet(answer.body)
      let suffix = serverText.isEmpty ? "" : ": \(serverText)"
      return .failure(CaffestaError(httpErrorStatus(status), "\(call()): HTTP \(status)\(suffix)", httpStatus: status))
    }
    if status == 204 { return .success(JSON.null()) }  // No Content: a success with nothing to say
    let json: JSON
    switch parsed {
    case .success(let value): json = value
    case .failure(let error):
      let what = answer.body.isEmpty ? "an empty body" : looksLikeHTML(answer.body) ? "an HTML page" : "text that is not JSON"
      return .failure(CaffestaError(.protocolError, "\(call()): HTTP \(status): expected JSON, got \(what) (\(error.message))",
                                    httpStatus: status))
    }
    if let message = apiError(json) {
      return .failure(CaffestaError(.api, "\(call()): \(message)", httpStatus: status))
    }
    return .success(json)
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
  static func apiError(_ json: JSON) -> String? {
    guard json.isObject else { return nil }
    if let text = errorText(json) { return text }
    if json["success"]?.bool == false { return "the API answered success: false" }
    if let code = json["code"]?.string, code != "ok" { return "the API answered code \"\(code)\"" }
    return nil
  }

  /// The server's own error text. `data.error` and a top-level `error` say failure wherever
  /// they are; in an answer that failed otherwise (`success: false`, `code` other than "ok",
  /// an HTTP error status) field code also finds the text in `message`, `data.message`,
  /// `data.status` (an SQL constraint, say) or a `data` string. In a successful answer those
  /// fields mean something else (an order's UUID in `data.message`), so they are left alone.
  static func errorText(_ json: JSON, failed: Bool = false) -> String? {
    guard json.isObject else { return nil }
    let data = json["data"]
    if let text = data?["error"]?.string { return text }
    if let text = json["error"]?.string { return text }
    let code = json["code"]?.string
    guard failed || json["success"]?.bool == false || (code != nil && code != "ok") else { return nil }
    if let text = json["message"]?.string { return text }
    if let text = data?["message"]?.string { return text }
    if let text = data?["status"]?.string { return text }
    return data?.string
  }

  static func looksLikeHTML(_ body: [UInt8]) -> Bool {
    let start = body.drop(while: { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 })
    return start.first == UInt8(ascii: "<")
  }

  /// A short, printable piece of a non-JSON error body (an HTML page's first bytes).
  static func bodySnippet(_ body: [UInt8]) -> String {
    if looksLikeHTML(body) { return "an HTML page" }
    var out: [UInt8] = []
    for byte in body.prefix(120) {
      out.append(byte >= 0x20 && byte < 0x7F ? byte : UInt8(ascii: "?"))
    }
    return String(decoding: out, as: UTF8.self)
  }
}
