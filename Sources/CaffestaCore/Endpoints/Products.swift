/// Products (docs/api.md, Products).
extension Client {
  /// Upsert by ref_code as docs/api.md decides: PUT by ref_code, and on "not found" POST.
  /// Returns {"id", "ref_code", "action": "created"|"updated"}: the id as the server wrote it,
  /// the ref_code as the caller did. The body is sent as written.
  public func upsertProduct(json text: String) throws(CaffestaError) -> Reply {
    let product = try JSONText.scan(text, what: "product_json", anyValue: true, children: true)
    let (refCode, refToken) = try Self.refCode(of: product)
    let deadline = callDeadline()
    let (answer, status, action) = try upsert(refCode: refCode, body: text, deadline: deadline)
    let id = try productId(in: answer, action: action, refCode: refCode, deadline: deadline)
    return Reply(json: #"{"id":\#(id),"ref_code":\#(refToken),"action":"\#(action)"}"#, httpStatus: status)
  }

  private func upsert(refCode: String, body: String, deadline: Int64) throws(CaffestaError) -> (JSON, Int, String) {
    do {
      let (answer, status) = try send(.put, "\(Self.apiPrefix)/product/by_ref_code/\(PathSegment.encode(refCode))",
                                      body: body, deadline: deadline)
      return (answer, status, "updated")
    } catch {
      guard Self.isProductNotFound(error) else { throw error }
    }
    let (answer, status) = try send(.post, "\(Self.apiPrefix)/product/", body: body, deadline: deadline)
    return (answer, status, "created")
  }

  /// HTTP 404, or an API error whose text says the product is not found.
  static func isProductNotFound(_ error: CaffestaError) -> Bool {
    if error.status == .notFound { return true }
    guard error.status == .api else { return false }
    return Bytes.contains(error.message, "not found", ignoringCase: true)
      || Bytes.contains(error.message, "найден")
  }

  /// The product's ref_code, decoded (for the path) and as the caller wrote it (for results).
  static func refCode(of product: JSONText) throws(CaffestaError) -> (value: String, token: String) {
    guard product.isObject else { throw .invalid("product_json must be a JSON object") }
    guard let range = product.member("ref_code"), let refCode = product.string(at: range) else {
      throw .invalid("product_json needs a string \"ref_code\"")
    }
    try checkRefCode(refCode, "product_json \"ref_code\"")
    return (refCode, product.slice(range))
  }

  /// The Caffesta id from a write's answer (`data.id`, as written); when the answer carries
  /// none, a read. The write's name and the path are built only when a message or the read needs them.
  private func productId(in answer: JSON, action: String, refCode: String, deadline: Int64) throws(CaffestaError) -> String {
    let written = try Self.writtenId(
      in: answer, call: action == "updated" ? "PUT \(Self.productPath(refCode))" : "POST \(Self.apiPrefix)/product/")
    switch written {
    case let id?: return id
    case nil:
      let path = Self.productPath(refCode)
      let (read, _) = try send(.get, path, deadline: deadline)
      guard let id = try Self.writtenId(in: read, call: "GET \(path)") else {
        throw CaffestaError(.protocolError, "GET \(path): the answer has no integer data.id")
      }
      return id
    }
  }

  static func productPath(_ refCode: String) -> String {
    "\(apiPrefix)/product/by_ref_code/\(PathSegment.encode(refCode))"
  }

  /// `data.id` of an answer as the server wrote it (any length): nil when absent; a PROTOCOL
  /// error when it is not a positive integer (an id of 0 or -1 names no product).
  static func writtenId(in answer: JSON, call: @autoclosure () -> String) throws(CaffestaError) -> String? {
    // Read from the answer's text: `data` an object with an `id` that is not null.
    guard let source = answer.source, source.isObject, let data = source.memberText("data"), data.isObject,
      let value = data.member("id"), data.byte(at: value) != UInt8(ascii: "n")
    else { return nil }
    guard let id = data.positiveIntegerToken(value) else {
      throw CaffestaError(.protocolError, "\(call()): data.id is not a positive integer")
    }
    return id
  }
}

/// The other product calls (docs/api.md, Products).
extension Client {
  /// GET /product/by_ref_code/{ref_code}: the product's `data`.
  public func getProduct(refCode: String) throws(CaffestaError) -> Reply {
    try payloadReply(.get, "\(Self.apiPrefix)/product/by_ref_code/\(try Self.checkedRefCode(refCode))")
  }

  /// PUT /product/{id}
  public func updateProduct(id: Int64, json text: String) throws(CaffestaError) -> Reply {
    _ = try Arguments.object(text, "product_json")
    return try payloadReply(.put, "\(Self.apiPrefix)/product/\(try Arguments.id(id, "product_id"))", body: text)
  }

  /// PUT /product/by_ref_code/{ref_code}
  public func updateProduct(refCode: String, json text: String) throws(CaffestaError) -> Reply {
    _ = try Arguments.object(text, "product_json")
    return try payloadReply(.put, "\(Self.apiPrefix)/product/by_ref_code/\(try Self.checkedRefCode(refCode))", body: text)
  }

  /// POST /product/import (whole menu: what the body lacks is removed) or
  /// /product/import_part_menu (adds and updates only).
  public func importMenu(json text: String, whole: Bool) throws(CaffestaError) -> Reply {
    let body = try Arguments.object(text, "menu_json")
    let check = FieldChecker(document: "menu_json")
    let items = try check.array(body["items"], "items")
    for index in 0..<items.count {
      let item = try check.object(items[index], "items[\(index)]")
      guard let id = item["id"], id.string != nil || id.integer != nil else {
        throw .invalid("menu_json: items[\(index)].id must be the item's code (a string or an integer)")
      }
    }
    let path = whole ? "import" : "import_part_menu"
    return try payloadReply(.post, "\(Self.apiPrefix)/product/\(path)", body: text)
  }

  /// A ref_code argument, encoded as one path segment.
  static func checkedRefCode(_ refCode: String) throws(CaffestaError) -> String {
    try checkRefCode(refCode, "ref_code")
    return PathSegment.encode(refCode)
  }

  /// 1 to 1024 bytes, no NUL: it would reach the server as %00, which servers written in C
  /// read as the end of the path. Other characters, tabs and line breaks too, are encoded.
  static func checkRefCode(_ refCode: String, _ name: String) throws(CaffestaError) {
    guard !refCode.isEmpty else { throw .invalid("\(name) must not be empty") }
    guard refCode.utf8.count <= Limits.refCodeBytes else { throw .invalid("\(name) is longer than 1024 bytes") }
    guard !refCode.utf8.contains(0) else { throw .invalid("\(name) may not hold a NUL character") }
  }
}
