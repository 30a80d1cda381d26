/// The auth check and the raw request: the two calls that work for any endpoint.
extension Client {
  static let apiPrefix = "/a/v1.0"

  /// GET /a/v1.0/storage/test: succeeds when the key is accepted.
  public func authTest() throws(CaffestaError) -> Reply {
    let (json, status) = try send(.get, "\(Self.apiPrefix)/storage/test")
    return Reply(json: json.source?.text ?? "null", httpStatus: status)
  }

  /// Any request. The body is checked (valid JSON, no duplicate keys) and sent as written; GET
  /// and DELETE take none. The answer's whole body comes back as written, after classification.
  public func request(method: String, path: String, body: String?) throws(CaffestaError) -> Reply {
    let httpMethod = try Validation.method(method)
    let encodedPath = try Validation.requestPath(path)
    if let body {
      guard httpMethod != .get, httpMethod != .delete else {
        throw .invalid("a \(httpMethod.text) request takes no body: send it without one (NULL in C, None in Python, null in PHP)")
      }
      _ = try JSONText.scan(body, what: "body_json", anyValue: true)
    }
    let (json, status) = try send(httpMethod, encodedPath, body: body)
    return Reply(json: json.source?.text ?? "null", httpStatus: status)
  }
}
