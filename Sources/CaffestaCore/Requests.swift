/// The auth check and the raw request: the two calls that work for any endpoint.
extension Client {
  static let apiPrefix = "/a/v1.0"

  /// GET /a/v1.0/storage/test: succeeds when the key is accepted.
  public func authTest() throws(CaffestaError) -> Reply {
    let (json, status) = try send(.get, "\(Self.apiPrefix)/storage/test")
    return Reply(json: try json.serialized(), httpStatus: status)
  }

  /// Any request; the answer's whole body comes back after classification.
  public func request(method: String, path: String, body: String?) throws(CaffestaError) -> Reply {
    let httpMethod = try Validation.method(method)
    let encodedPath = try Validation.requestPath(path)
    var bodyText: String? = nil
    if let body {
      bodyText = try JSON.parse(body, what: "body_json", anyValue: true).serialized()
    }
    let (json, status) = try send(httpMethod, encodedPath, body: bodyText)
    return Reply(json: try json.serialized(), httpStatus: status)
  }
}
