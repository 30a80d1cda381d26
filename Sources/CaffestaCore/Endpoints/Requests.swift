/// The auth check and the raw request: the two calls that work for any endpoint.
extension Client {
  static let apiPrefix = "/a/v1.0"

  /// GET /a/v1.0/storage/test: succeeds when the key is accepted.
  public func authTest() -> Operation<Reply> {
    single(.get, "\(Self.apiPrefix)/storage/test", read: Self.wholeAnswer)
  }

  /// Any request. The body is checked (valid JSON, no duplicate keys) and sent as written; GET
  /// and DELETE take none. The answer's whole body comes back as written, after classification.
  public func request(method: String, path: String, body: String?) throws(CaffestaError) -> Operation<Reply> {
    let httpMethod = try Validation.method(method)
    let encodedPath = try Validation.requestPath(path)
    if let body {
      guard httpMethod != .get, httpMethod != .delete else {
        throw .invalid("a \(httpMethod.text) request takes no body: send it without one (NULL in C, None in Python, null in PHP)")
      }
      _ = try JSONText.scan(body, what: "body_json", anyValue: true)
    }
    return single(httpMethod, encodedPath, body: body, effect: httpMethod == .get ? nil : .requestApplied,
                  read: Self.wholeAnswer)
  }

  /// The answer's whole body as the server wrote it ("null" for a 204).
  static func wholeAnswer(_ answer: JSON, _ status: Int) -> Reply {
    Reply(json: answer.source?.text ?? "null", httpStatus: status)
  }
}
