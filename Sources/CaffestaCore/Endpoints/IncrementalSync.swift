/// Incremental sync for POS and shop integrations: fetch only the feeds whose section's
/// timestamp grew since the caller's last sync.
extension Client {
  /// `known` is the `timestamps` object of the previous result ("{}" the first time). Returns
  /// {"timestamps": {...}, "changed": [sections], "data": {feed: payload}}. Sections without a
  /// documented feed (menus, desks, settings, ...) appear in "changed" only.
  public func syncChanges(posId: Int64, known text: String) throws(CaffestaError) -> Operation<Reply> {
    let pos = try Arguments.id(posId, "pos_id")
    let known = try Arguments.object(text, "known_json")
    var since: [String: Int] = [:]
    for key in known.keys {
      guard let value = known[key]?.integer, value >= 0 else {
        throw .invalid("known_json: \"\(key)\" must be a Unix timestamp >= 0")
      }
      since[key] = value
    }
    return Operation(self) { context, done in
      let path = "\(Self.apiPrefix)/draft/get_updates/\(pos)"
      context.send(.get, path) { result in
        switch result {
        case .failure(let error): done(.failure(error))
        case .success(let (answer, status)):
          let timestamps = Self.unwrap(answer)
          guard timestamps.isObject else {
            return done(.failure(CaffestaError(.protocolError, "GET \(path): expected an object", httpStatus: status)))
          }
          var changed: [String] = []
          var feeds: [Feed] = []
          for section in timestamps.keys {
            guard let now = timestamps[section]?.integer else { continue }
            let last = since[section]
            if let last, now <= last { continue }
            changed.append(JSONWriter.quote(section))
            feeds += Self.feeds(of: section, pos: pos, since: last ?? 0)
          }
          Self.fetch(feeds, context) { result in
            done(result.map { data in
              let json = #"{"timestamps":\#(Self.payloadText(answer)),"changed":[\#(joined(changed))],"data":{\#(joined(data))}}"#
              return Reply(json: json, httpStatus: status)
            })
          }
        }
      }
    }
  }

  /// One feed to fetch: its name in `data`, and where (a path under /draft, or every product page).
  private struct Feed {
    enum Source {
      case path(String)
      case productPages(pos: Int, ts: Int)
    }
    let name: String
    let source: Source
  }

  private static func feeds(of section: String, pos: Int, since ts: Int) -> [Feed] {
    switch section {
    case "products":
      return [Feed(name: "products", source: .productPages(pos: pos, ts: ts)),
              Feed(name: "product_shop_data", source: .path("get_product_shop_data/\(pos)/\(ts)"))]
    case "balances": return [Feed(name: "balances", source: .path("get_balances/\(pos)/\(ts)"))]
    case "clients": return [Feed(name: "clients", source: .path("get_clients/\(ts)"))]
    case "categories": return [Feed(name: "categories", source: .path("get_categories"))]
    case "workspaces": return [Feed(name: "workspaces", source: .path("get_workspaces"))]
    case "taxes": return [Feed(name: "taxes", source: .path("get_taxes"))]
    default: return []
    }
  }

  /// Fetches the feeds one after another, within the call's deadline: `"feed":payload`
  /// entries, each payload as the server wrote it.
  private static func fetch(_ feeds: [Feed], _ context: CallContext,
                            _ done: @escaping (Result<[String], CaffestaError>) -> Void) {
    var data: [String] = []
    func next(_ index: Int) {
      guard index < feeds.count else { return done(.success(data)) }
      let feed = feeds[index]
      switch feed.source {
      case .productPages(let pos, let ts):
        allProducts(context, pos: pos, ts: ts) { result in
          switch result {
          case .failure(let error): done(.failure(error))
          case .success(let (all, _)):
            data.append(#""\#(feed.name)":\#(all)"#)
            next(index + 1)
          }
        }
      case .path(let path):
        context.send(.get, "\(apiPrefix)/draft/\(path)") { result in
          switch result {
          case .failure(let error): done(.failure(error))
          case .success(let (answer, _)):
            data.append(#""\#(feed.name)":\#(payloadText(answer))"#)
            next(index + 1)
          }
        }
      }
    }
    next(0)
  }
}

private func joined(_ parts: [String]) -> String {
  var out = ""
  for part in parts { out += out.isEmpty ? part : "," + part }
  return out
}
