/// Incremental sync for POS and shop integrations: fetch only the feeds whose section's
/// timestamp grew since the caller's last sync.
extension Client {
  /// `known` is the `timestamps` object of the previous result ("{}" the first time). Returns
  /// {"timestamps": {...}, "changed": [sections], "data": {feed: payload}}. Sections without a
  /// documented feed (menus, desks, settings, ...) appear in "changed" only.
  public func syncChanges(posId: Int64, known text: String) throws(CaffestaError) -> Reply {
    let pos = try Arguments.id(posId, "pos_id")
    let known = try Arguments.object(text, "known_json")
    for key in known.keys {
      guard let value = known[key]?.integer, value >= 0 else {
        throw .invalid("known_json: \"\(key)\" must be a Unix timestamp >= 0")
      }
    }
    let deadline = callDeadline()
    let (timestamps, status) = try payload(.get, "\(Self.apiPrefix)/draft/get_updates/\(pos)", deadline: deadline)
    guard timestamps.isObject else {
      throw CaffestaError(.protocolError, "GET \(Self.apiPrefix)/draft/get_updates/\(pos): expected an object")
    }
    let changed = try JSON.array()
    let data = try JSON.object()
    for section in timestamps.keys {
      guard let now = timestamps[section]?.integer else { continue }
      let since = known[section]?.integer
      if let since, now <= since { continue }
      try changed.append(try JSON.string(section))
      try fetchFeed(section, pos: pos, since: since ?? 0, into: data, deadline: deadline)
    }
    let result = try JSON.object()
    try result.set("timestamps", timestamps)
    try result.set("changed", changed)
    try result.set("data", data)
    return Reply(json: try result.serialized(), httpStatus: status)
  }

  private func fetchFeed(_ section: String, pos: Int, since ts: Int, into data: JSON, deadline: Int64)
    throws(CaffestaError)
  {
    let prefix = "\(Self.apiPrefix)/draft"
    func feed(_ path: String) throws(CaffestaError) -> JSON { try payload(.get, "\(prefix)/\(path)", deadline: deadline).0 }
    switch section {
    case "products":
      try data.set("products", try allProducts(pos: pos, ts: ts, deadline: deadline).0)
      try data.set("product_shop_data", try feed("get_product_shop_data/\(pos)/\(ts)"))
    case "balances": try data.set("balances", try feed("get_balances/\(pos)/\(ts)"))
    case "clients": try data.set("clients", try feed("get_clients/\(ts)"))
    case "categories": try data.set("categories", try feed("get_categories"))
    case "workspaces": try data.set("workspaces", try feed("get_workspaces"))
    case "taxes": try data.set("taxes", try feed("get_taxes"))
    default: break
    }
  }
}
