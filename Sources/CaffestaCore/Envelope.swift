/// docs/api.md's answer envelopes: `{"success": ..., "data": ...}` and `{"code": "ok", "data": ...}`
/// wrap the payload; bare objects and arrays are the payload. Errors were classified already.
extension Client {
  /// Sends the request and returns the payload: `data`, or the bare answer, or null when a
  /// write's envelope carries no data (`{"success": true}`).
  func payload(_ method: HTTPMethod, _ path: String, body: JSON? = nil, deadline: Int64? = nil)
    throws(CaffestaError) -> (JSON, Int)
  {
    let (answer, status) = try send(method, path, body: try body?.serialized(), deadline: deadline)
    return (Self.unwrap(answer), status)
  }

  static func unwrap(_ answer: JSON) -> JSON {
    guard answer.isObject, answer["success"] != nil || answer["code"] != nil else { return answer }
    return answer["data"] ?? JSON.null()
  }

  /// A reply carrying the payload as JSON text.
  func payloadReply(_ method: HTTPMethod, _ path: String, body: JSON? = nil) throws(CaffestaError) -> Reply {
    let (data, status) = try payload(method, path, body: body)
    return Reply(json: try data.serialized(), httpStatus: status)
  }

  /// The integer `key` of a payload, for the create calls ("id", "job_id"); ids may come as
  /// strings. Any positive 64-bit id is accepted, as the calls that take ids back accept.
  static func idField(_ key: String, of data: JSON, call: String) throws(CaffestaError) -> Int {
    if let id = data[key]?.integer, id > 0 { return id }
    if let text = data[key]?.string, let id = Int(text), id > 0 { return id }
    throw CaffestaError(.protocolError, "\(call): the answer has no positive \"\(key)\"")
  }
}
