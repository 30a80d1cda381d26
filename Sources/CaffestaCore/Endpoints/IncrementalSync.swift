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
    let path = "\(Self.apiPrefix)/draft/get_updates/\(pos)"
    let (answer, status) = try send(.get, path, deadline: deadline)
    let timestamps = Self.unwrap(answer)
    guard timestamps.isObject else { throw CaffestaError(.protocolError, "GET \(path): expected an object") }
    var changed: [String] = []
    var data: [String] = []
    for section in timestamps.keys {
      guard let now = timestamps[section]?.integer else { continue }
      let since = known[section]?.integer
      if let since, now <= since { continue }
      changed.append(JSONWriter.quote(section))
      try fetchFeed(section, pos: pos, since: since ?? 0, into: &data, deadline: deadline)
    }
    let json = #"{"timestamps":\#(Self.payloadText(answer)),"changed":[\#(joined(changed))],"data":{\#(joined(data))}}"#
    return Reply(json: json, httpStatus: status)
  }

  private func joined(_ parts: [String]) -> String {
    var out = ""
    for part in parts { out += out.isEmpty ? part : "," + part }
    return out
  }

  /// Adds `"feed":payload` entries to `data`, each payload as the server wrote it.
  private func fetchFeed(_ section: String, pos: Int, since ts: Int, into data: inout [String], deadline: Int64)
    throws(CaffestaError)
  {
    let prefix = "\(Self.apiPrefix)/draft"
    func feed(_ name: String, _ path: String) throws(CaffestaError) -> String {
      let (answer, _) = try send(.get, "\(prefix)/\(path)", deadline: deadline)
      return #""\#(name)":\#(Self.payloadText(answer))"#
    }
    switch section {
    case "products":
      data.append(#""products":\#(try allProducts(pos: pos, ts: ts, deadline: deadline).0)"#)
      data.append(try feed("product_shop_data", "get_product_shop_data/\(pos)/\(ts)"))
    case "balances": data.append(try feed("balances", "get_balances/\(pos)/\(ts)"))
    case "clients": data.append(try feed("clients", "get_clients/\(ts)"))
    case "categories": data.append(try feed("categories", "get_categories"))
    case "workspaces": data.append(try feed("workspaces", "get_workspaces"))
    case "taxes": data.append(try feed("taxes", "get_taxes"))
    default: break
    }
  }
}
