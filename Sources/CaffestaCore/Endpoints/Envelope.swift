/// docs/api.md's answer envelopes: `{"success": ..., "data": ...}` and `{"code": "ok", "data": ...}`
/// wrap the payload; bare objects and arrays are the payload. Errors were classified already.
extension Client {
  static func isEnvelope(_ answer: JSON) -> Bool {
    if let source = answer.source {  // an answer: read from its text, no tree needed
      return source.isObject && (source.member("success") != nil || source.member("code") != nil)
    }
    return answer.isObject && (answer["success"] != nil || answer["code"] != nil)
  }

  /// The payload: `data`, or the bare answer, or null when a write's envelope carries no data
  /// (`{"success": true}`).
  static func unwrap(_ answer: JSON) -> JSON {
    guard isEnvelope(answer) else { return answer }
    return answer["data"] ?? JSON.null()
  }

  /// The payload's text as the server wrote it: `data` cut out of the envelope, or the whole answer.
  static func payloadText(_ answer: JSON) -> String {
    guard let source = answer.source else { return "null" }  // a 204 No Content
    guard isEnvelope(answer) else { return source.text }
    guard let data = source.member("data") else { return "null" }
    return source.slice(data)
  }

  /// The payload's text, scanned for its children (elements of an array, members of an object).
  static func payloadJSONText(_ answer: JSON) -> JSONText? {
    try? JSONText.scan(payloadText(answer), what: "the answer's data", anyValue: true, children: true,
                       allowDuplicates: true)
  }

  /// The token of `data.<key>` as the server wrote it, when it is a positive integer (any length).
  static func idToken(_ key: StaticString, in answer: JSON) -> String? {
    guard let source = answer.source, answer.isObject, let data = source.memberText("data"),
      let id = data.member(key)
    else { return nil }
    return data.positiveIntegerToken(id)
  }

  /// The integer `key` of a payload, for the create calls ("id", "job_id"); ids may come as
  /// strings. Any positive 64-bit id is accepted, as the calls that take ids back accept.
  static func idField(_ key: String, of data: JSON, call: String) throws(CaffestaError) -> Int {
    if let id = data[key]?.integer, id > 0 { return id }
    if let text = data[key]?.string, let id = Int(text), id > 0 { return id }
    throw CaffestaError(.protocolError, "\(call): the answer has no positive \"\(key)\" within 64 bits")
  }
}
