/// Products (docs/api.md, Products).
extension Client {
  /// Upsert by ref_code as docs/api.md decides: PUT by ref_code, and on "not found" POST.
  /// Returns {"id", "ref_code", "action": "created"|"updated"}: the id as the server wrote it,
  /// the ref_code as the caller did. The body is sent as written.
  public func upsertProduct(json text: String) throws(CaffestaError) -> Operation<Reply> {
    let product = try JSONText.scan(text, what: "product_json", anyValue: true, children: true)
    let (refCode, refToken) = try Self.refCode(of: product)
    return Operation(self, effect: .productSaved) { context, done in
      Self.upsert(context, refCode: refCode, body: text) { result in
        done(result.map { written in
          Reply(json: #"{"id":\#(written.id),"ref_code":\#(refToken),"action":"\#(written.action)"}"#,
                httpStatus: written.httpStatus)
        })
      }
    }
  }

  /// What an upsert wrote: the id as the server wrote it, the write's HTTP status, and
  /// "updated" or "created".
  typealias Written = (id: String, httpStatus: Int, action: String)

  /// One upsert's requests: PUT by ref_code, POST when that found no product, and a read of the
  /// id when the write's answer names none. `deadline` and `item` are a bulk item's. A failure
  /// carries its delivery state (a 2xx answer without a usable id: may have arrived).
  static func upsert(_ context: CallContext, refCode: String, body: String, deadline: Int64? = nil, item: Int? = nil,
                     _ done: @escaping (Result<Written, CaffestaError>) -> Void) {
    let path = productPath(refCode)
    context.send(.put, path, body: body, deadline: deadline, item: item) { result in
      switch result {
      case .success(let (answer, status)):
        idOrRead(context, answer, status, "updated", call: "PUT \(path)", refCode: refCode, deadline: deadline, item: item, done)
      case .failure(let error) where isProductNotFound(error):
        let create = "\(apiPrefix)/product/"
        context.send(.post, create, body: body, deadline: deadline, item: item) { result in
          switch result {
          case .success(let (answer, status)):
            idOrRead(context, answer, status, "created", call: "POST \(create)", refCode: refCode, deadline: deadline,
                     item: item, done)
          case .failure(let error): done(.failure(error))
          }
        }
      case .failure(let error): done(.failure(error))
      }
    }
  }

  /// The Caffesta id from a write's answer (`data.id`, as written); when the answer carries
  /// none, a read.
  private static func idOrRead(_ context: CallContext, _ answer: JSON, _ status: Int, _ action: String, call: String,
                               refCode: String, deadline: Int64?, item: Int?,
                               _ done: @escaping (Result<Written, CaffestaError>) -> Void) {
    do throws(CaffestaError) {
      if let id = try writtenId(in: answer, call: call) { return done(.success((id, status, action))) }
    } catch {
      return done(.failure(CaffestaError(error.status, error.message, httpStatus: status, delivery: .mayHaveArrived)))
    }
    let path = productPath(refCode)
    context.send(.get, path, deadline: deadline, item: item) { result in
      done(result.flatMap { (read, readStatus) in
        Result { () throws(CaffestaError) -> Written in
          guard let id = try writtenId(in: read, call: "GET \(path)") else {
            throw CaffestaError(.protocolError, "GET \(path): the answer has no integer data.id", httpStatus: readStatus,
                                delivery: .mayHaveArrived)
          }
          return (id, status, action)
        }
      })
    }
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
  public func getProduct(refCode: String) throws(CaffestaError) -> Operation<Reply> {
    payloadReply(.get, "\(Self.apiPrefix)/product/by_ref_code/\(try Self.checkedRefCode(refCode))")
  }

  /// PUT /product/{id}
  public func updateProduct(id: Int64, json text: String) throws(CaffestaError) -> Operation<Reply> {
    _ = try Arguments.object(text, "product_json")
    return payloadReply(.put, "\(Self.apiPrefix)/product/\(try Arguments.id(id, "product_id"))", body: text,
                        effect: .productUpdated)
  }

  /// PUT /product/by_ref_code/{ref_code}
  public func updateProduct(refCode: String, json text: String) throws(CaffestaError) -> Operation<Reply> {
    _ = try Arguments.object(text, "product_json")
    return payloadReply(.put, "\(Self.apiPrefix)/product/by_ref_code/\(try Self.checkedRefCode(refCode))", body: text,
                        effect: .productUpdated)
  }

  /// POST /product/import (whole menu: what the body lacks is removed) or
  /// /product/import_part_menu (adds and updates only).
  public func importMenu(json text: String, whole: Bool) throws(CaffestaError) -> Operation<Reply> {
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
    return payloadReply(.post, "\(Self.apiPrefix)/product/\(path)", body: text, effect: .menuImported)
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
