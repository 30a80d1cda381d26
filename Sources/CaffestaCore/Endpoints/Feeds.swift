/// The update feeds under /draft/get_* (docs/api.md, Update feeds): all GET, envelope `code: ok`.
extension Client {
  /// The reference lists that take no arguments.
  public enum ReferenceList {
    case categories, workspaces, taxes, modifierGroups
    var path: String {
      switch self {
      case .categories: return "get_categories"
      case .workspaces: return "get_workspaces"
      case .taxes: return "get_taxes"
      case .modifierGroups: return "get_modifier_groups"
      }
    }
  }

  /// GET /draft/get_updates/{pos_id}: one Unix timestamp per section.
  public func updates(posId: Int64) throws(CaffestaError) -> Operation<Reply> {
    payloadReply(.get, "\(Self.apiPrefix)/draft/get_updates/\(try Arguments.id(posId, "pos_id"))")
  }

  /// One keyset page of products: {"items": [...], "next_start_id": id or null}. Pass
  /// next_start_id as start_id for the next page; null means the catalog has been read. The
  /// items are the server's text.
  public func productsPage(posId: Int64, startId: Int64, since ts: Int64) throws(CaffestaError) -> Operation<Reply> {
    let pos = try Arguments.id(posId, "pos_id")
    guard startId >= 0 else { throw .invalid("start_id must be 0 or a product id") }
    let ts = try Arguments.timestamp(ts, "ts")
    return Operation(self) { context, done in
      Self.productPage(context, pos: pos, start: Int(startId), ts: ts) { result in
        done(result.map { (page, next, status) in
          let nextText = next.map { "\($0)" } ?? "null"
          return Reply(json: #"{"items":\#(page.text),"next_start_id":\#(nextText)}"#, httpStatus: status)
        })
      }
    }
  }

  /// Every product, following the keyset pages to the end.
  public func allProducts(posId: Int64, since ts: Int64) throws(CaffestaError) -> Operation<Reply> {
    let pos = try Arguments.id(posId, "pos_id")
    let ts = try Arguments.timestamp(ts, "ts")
    return Operation(self) { context, done in
      Self.allProducts(context, pos: pos, ts: ts) { result in
        done(result.map { (all, status) in Reply(json: all, httpStatus: status) })
      }
    }
  }

  /// All pages, within the call's deadline: one array of the products as the server wrote them.
  /// Each page is requested from a turn of the driver after the last one's answer: no recursion.
  static func allProducts(_ context: CallContext, pos: Int, ts: Int,
                          _ done: @escaping (Result<(String, Int), CaffestaError>) -> Void) {
    var all = "["
    func fetch(from start: Int) {
      productPage(context, pos: pos, start: start, ts: ts) { result in
        switch result {
        case .failure(let error): done(.failure(error))
        case .success(let (page, next, status)):
          for member in page.members {
            if all.utf8.count > 1 { all += "," }
            all += page.slice(member.value)
          }
          if let next { fetch(from: next) } else { done(.success((all + "]", status))) }
        }
      }
    }
    fetch(from: 0)
  }

  /// One page (its text, scanned for the items); `next` is the last id, or nil when the page is
  /// empty. A page whose last id does not move forward would loop for ever: a protocol error.
  private static func productPage(_ context: CallContext, pos: Int, start: Int, ts: Int,
                                  _ done: @escaping (Result<(JSONText, Int?, Int), CaffestaError>) -> Void) {
    let path = "\(apiPrefix)/draft/get_products0/\(pos)/\(start)/\(ts)"
    context.send(.get, path, read: { (answer: JSON, status: Int) throws(CaffestaError) -> (JSONText, Int?, Int) in
      let items = unwrap(answer)
      guard items.isArray, let page = payloadJSONText(answer), page.isArray else {
        throw CaffestaError(.protocolError, "GET \(path): expected an array of products")
      }
      guard items.count > 0 else { return (page, nil, status) }
      guard let last = items[items.count - 1]?["id"]?.integer, last > start else {
        throw CaffestaError(.protocolError, "GET \(path): the page's last id does not follow start_id \(start)")
      }
      return (page, last, status)
    }, done)
  }

  /// GET /draft/get_balances/{pos_id}/{ts}
  public func balances(posId: Int64, since ts: Int64) throws(CaffestaError) -> Operation<Reply> {
    let pos = try Arguments.id(posId, "pos_id")
    return payloadReply(.get, "\(Self.apiPrefix)/draft/get_balances/\(pos)/\(try Arguments.timestamp(ts, "ts"))")
  }

  /// GET /draft/get_clients/{ts}: loyalty clients.
  public func loyaltyClients(since ts: Int64) throws(CaffestaError) -> Operation<Reply> {
    payloadReply(.get, "\(Self.apiPrefix)/draft/get_clients/\(try Arguments.timestamp(ts, "ts"))")
  }

  public func referenceList(_ list: ReferenceList) -> Operation<Reply> {
    payloadReply(.get, "\(Self.apiPrefix)/draft/\(list.path)")
  }

  /// GET /draft/get_product_shop_data/{pos_id}/{ts}: per-shop price, stop list, availability.
  public func productShopData(posId: Int64, since ts: Int64) throws(CaffestaError) -> Operation<Reply> {
    let pos = try Arguments.id(posId, "pos_id")
    return payloadReply(
      .get, "\(Self.apiPrefix)/draft/get_product_shop_data/\(pos)/\(try Arguments.timestamp(ts, "ts"))")
  }
}
