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
  public func updates(posId: Int64) throws(CaffestaError) -> Reply {
    try payloadReply(.get, "\(Self.apiPrefix)/draft/get_updates/\(try Arguments.id(posId, "pos_id"))")
  }

  /// One keyset page of products: {"items": [...], "next_start_id": id or null}. Pass
  /// next_start_id as start_id for the next page; null means the catalog has been read. The
  /// items are the server's text.
  public func productsPage(posId: Int64, startId: Int64, since ts: Int64) throws(CaffestaError) -> Reply {
    let pos = try Arguments.id(posId, "pos_id")
    guard startId >= 0 else { throw .invalid("start_id must be 0 or a product id") }
    let (page, next, status) = try productPage(pos: pos, start: Int(startId), ts: try Arguments.timestamp(ts, "ts"),
                                               deadline: callDeadline())
    let nextText = next.map { "\($0)" } ?? "null"
    return Reply(json: #"{"items":\#(page.text),"next_start_id":\#(nextText)}"#, httpStatus: status)
  }

  /// Every product, following the keyset pages to the end.
  public func allProducts(posId: Int64, since ts: Int64) throws(CaffestaError) -> Reply {
    let (all, status) = try allProducts(pos: try Arguments.id(posId, "pos_id"), ts: try Arguments.timestamp(ts, "ts"),
                                        deadline: callDeadline())
    return Reply(json: all, httpStatus: status)
  }

  /// All pages, within one call's deadline: one array of the products as the server wrote them.
  func allProducts(pos: Int, ts: Int, deadline: Int64) throws(CaffestaError) -> (String, Int) {
    var all = "["
    var start = 0
    var status = 0
    while true {
      let (page, next, pageStatus) = try productPage(pos: pos, start: start, ts: ts, deadline: deadline)
      status = pageStatus
      for member in page.members {
        if all.utf8.count > 1 { all += "," }
        all += page.slice(member.value)
      }
      guard let next else { return (all + "]", status) }
      start = next
    }
  }

  /// One page (its text, scanned for the items); `next` is the last id, or nil when the page is
  /// empty. A page whose last id does not move forward would loop for ever: a protocol error.
  private func productPage(pos: Int, start: Int, ts: Int, deadline: Int64) throws(CaffestaError) -> (JSONText, Int?, Int) {
    let path = "\(Self.apiPrefix)/draft/get_products0/\(pos)/\(start)/\(ts)"
    let (answer, status) = try send(.get, path, deadline: deadline)
    let items = Self.unwrap(answer)
    guard items.isArray, let page = Self.payloadJSONText(answer), page.isArray else {
      throw CaffestaError(.protocolError, "GET \(path): expected an array of products")
    }
    guard items.count > 0 else { return (page, nil, status) }
    guard let last = items[items.count - 1]?["id"]?.integer, last > start else {
      throw CaffestaError(.protocolError, "GET \(path): the page's last id does not follow start_id \(start)")
    }
    return (page, last, status)
  }

  /// GET /draft/get_balances/{pos_id}/{ts}
  public func balances(posId: Int64, since ts: Int64) throws(CaffestaError) -> Reply {
    let pos = try Arguments.id(posId, "pos_id")
    return try payloadReply(.get, "\(Self.apiPrefix)/draft/get_balances/\(pos)/\(try Arguments.timestamp(ts, "ts"))")
  }

  /// GET /draft/get_clients/{ts}: loyalty clients.
  public func loyaltyClients(since ts: Int64) throws(CaffestaError) -> Reply {
    try payloadReply(.get, "\(Self.apiPrefix)/draft/get_clients/\(try Arguments.timestamp(ts, "ts"))")
  }

  public func referenceList(_ list: ReferenceList) throws(CaffestaError) -> Reply {
    try payloadReply(.get, "\(Self.apiPrefix)/draft/\(list.path)")
  }

  /// GET /draft/get_product_shop_data/{pos_id}/{ts}: per-shop price, stop list, availability.
  public func productShopData(posId: Int64, since ts: Int64) throws(CaffestaError) -> Reply {
    let pos = try Arguments.id(posId, "pos_id")
    return try payloadReply(
      .get, "\(Self.apiPrefix)/draft/get_product_shop_data/\(pos)/\(try Arguments.timestamp(ts, "ts"))")
  }
}
