/// Storage documents: incoming invoices and moves between storages (docs/api.md).
extension Client {
  public enum WireAction {
    case wire, unwire
    var text: String { self == .wire ? "wire" : "unwire" }
  }

  /// POST /storage/invoices. Not idempotent: every call makes a new document, so it is never
  /// resent once it may have reached the server. Returns the new invoice's id.
  public func createInvoice(json text: String) throws(CaffestaError) -> Operation<(id: Int, httpStatus: Int)> {
    let invoice = try Arguments.object(text, "invoice_json")
    let check = FieldChecker(document: "invoice_json")
    _ = try check.string(invoice["number"], "number")
    _ = try Arguments.documentDate(try check.string(invoice["date"], "date"), "invoice_json: date")
    _ = try check.id(try check.object(invoice["storage"], "storage")["caf_id"], "storage.caf_id")
    try Self.checkItems(invoice, check)
    return createDocument("\(Self.apiPrefix)/storage/invoices", text, effect: .invoiceCreated)
  }

  /// PUT /storage/invoices/{id} with {"action": "wire"|"unwire"}.
  public func wireInvoice(id: Int64, _ action: WireAction) throws(CaffestaError) -> Operation<Reply> {
    wire("\(Self.apiPrefix)/storage/invoices/\(try Arguments.id(id, "invoice_id"))", action, .wired("the invoice", action))
  }

  /// GET /storage/invoices?start=YYYY-MM-DD
  public func listInvoices(since start: String) throws(CaffestaError) -> Operation<Reply> {
    let day = try Arguments.day(start, "start_date")
    return payloadReply(.get, "\(Self.apiPrefix)/storage/invoices?start=\(day)")
  }

  public func getInvoice(id: Int64) throws(CaffestaError) -> Operation<Reply> {
    payloadReply(.get, "\(Self.apiPrefix)/storage/invoices/\(try Arguments.id(id, "invoice_id"))")
  }

  /// POST /storage/moves; like invoices, never resent once it may have arrived.
  public func createMove(json text: String) throws(CaffestaError) -> Operation<(id: Int, httpStatus: Int)> {
    let move = try Arguments.object(text, "move_json")
    let check = FieldChecker(document: "move_json")
    if let date = move["date"], !date.isNull {
      _ = try Arguments.documentDate(try check.string(date, "date"), "move_json: date")
    }
    _ = try check.id(try check.object(move["storage_from"], "storage_from")["caf_id"], "storage_from.caf_id")
    _ = try check.id(try check.object(move["storage_to"], "storage_to")["caf_id"], "storage_to.caf_id")
    try Self.checkItems(move, check)
    return createDocument("\(Self.apiPrefix)/storage/moves", text, effect: .moveCreated)
  }

  /// PUT /storage/moves/{id} with {"action": "wire"|"unwire"} (docs/api.md's decision on the path).
  public func wireMove(id: Int64, _ action: WireAction) throws(CaffestaError) -> Operation<Reply> {
    wire("\(Self.apiPrefix)/storage/moves/\(try Arguments.id(id, "move_id"))", action, .wired("the move", action))
  }

  /// A document's items: a non-empty array of {amount >= 0, product_code}.
  private static func checkItems(_ document: JSON, _ check: FieldChecker) throws(CaffestaError) {
    let items = try check.array(document["items"], "items", nonEmpty: true)
    for index in 0..<items.count {
      let item = try check.object(items[index], "items[\(index)]")
      _ = try check.number(item["amount"], "items[\(index)].amount", nonNegative: true)
      _ = try check.string(item["product_code"], "items[\(index)].product_code")
    }
  }

  private func createDocument(_ path: String, _ body: String, effect: Effect) -> Operation<(id: Int, httpStatus: Int)> {
    Operation(self, effect: effect) { context, done in
      context.send(.post, path, body: body, read: { (answer: JSON, status: Int) throws(CaffestaError) -> (id: Int, httpStatus: Int) in
        (try Self.idField("id", of: Self.unwrap(answer), call: "POST \(context.config.baseURL)\(path)"), status)
      }, done)
    }
  }

  private func wire(_ path: String, _ action: WireAction, _ effect: Effect) -> Operation<Reply> {
    payloadReply(.put, path, body: #"{"action":"\#(action.text)"}"#, effect: effect)
  }
}
