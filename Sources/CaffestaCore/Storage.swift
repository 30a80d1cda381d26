/// Storages and their stock (API.md, Storage).
extension Client {
  /// GET /draft/storages answers `{"1": "(id:1) Cafe storage"}`; this returns
  /// `[{"id": 1, "name": "Cafe storage", "label": "(id:1) Cafe storage"}]`, ordered by id; the
  /// label as the server wrote it.
  public func listStorages() throws(CaffestaError) -> Reply {
    let (answer, status) = try send(.get, "\(Self.apiPrefix)/draft/storages")
    guard let data = Self.payloadJSONText(answer), data.isObject else {
      throw CaffestaError(.protocolError, "GET \(Self.apiPrefix)/draft/storages: expected an object of id → label")
    }
    var entries: [(id: Int, label: String, token: String)] = []
    for member in data.members {
      guard let key = data.string(at: member.key), let id = Int(key), let label = data.string(at: member.value) else {
        continue
      }
      entries.append((id, label, data.slice(member.value)))
    }
    entries.sort { $0.id < $1.id }
    var list = "["
    for entry in entries {
      if list.utf8.count > 1 { list += "," }
      let name = JSONWriter.quote(Self.nameWithoutIdPrefix(entry.label))
      list += #"{"id":\#(entry.id),"name":\#(name),"label":\#(entry.token)}"#
    }
    return Reply(json: list + "]", httpStatus: status)
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
