/// Storages and their stock (docs/api.md, Storage).
extension Client {
  /// GET /draft/storages answers `{"1": "(id:1) Cafe storage"}`; this returns
  /// `[{"id": 1, "name": "Cafe storage", "label": "(id:1) Cafe storage"}]`, ordered by id.
  public func listStorages() throws(CaffestaError) -> Reply {
    let (data, status) = try payload(.get, "\(Self.apiPrefix)/draft/storages")
    guard data.isObject else {
      throw CaffestaError(.protocolError, "GET \(Self.apiPrefix)/draft/storages: expected an object of id → label")
    }
    var entries: [(Int, String)] = []
    for key in data.keys {
      guard let id = Int(key), let label = data[key]?.string else { continue }
      entries.append((id, label))
    }
    entries.sort { $0.0 < $1.0 }
    let list = try JSON.array()
    for (id, label) in entries {
      let item = try JSON.object()
      try item.set("id", try JSON.integer(id))
      try item.set("name", try JSON.string(Self.nameWithoutIdPrefix(label)))
      try item.set("label", try JSON.string(label))
      try list.append(item)
    }
    return Reply(json: try list.serialized(), httpStatus: status)
  }

  /// "(id:1) Cafe storage" → "Cafe storage"; other labels stay as they are.
  static func nameWithoutIdPrefix(_ label: String) -> String {
    let bytes = Array(label.utf8)
    guard bytes.starts(with: Array("(id:".utf8)), let close = bytes.firstIndex(of: UInt8(ascii: ")")) else { return label }
    let rest = bytes[(close + 1)...].drop(while: { $0 == UInt8(ascii: " ") })
    return String(decoding: rest, as: UTF8.self)
  }

  /// GET /draft/store/{id}: the stock on one storage, a bare array (numbers come as strings).
  public func storageStock(storageId: Int64) throws(CaffestaError) -> Reply {
    let id = try Arguments.id(storageId, "storage_id")
    return try payloadReply(.get, "\(Self.apiPrefix)/draft/store/\(id)")
  }
}
