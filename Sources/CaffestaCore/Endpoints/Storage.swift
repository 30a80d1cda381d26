/// Storages and their stock (docs/api.md, Storage).
extension Client {
  /// GET /draft/storages answers `{"1": "(id:1) Склад кафе", "2": "(id:7) Общий склад"}`: the
  /// key is the storage's position in the answer, the id is the N of the label's "(id:N)".
  /// This returns `[{"id": 1, "name": "Склад кафе", "label": "(id:1) Склад кафе", "position": 1}]`
  /// ordered by position; a label without "(id:N)" gives `"id": null`, never a guess (a key
  /// taken for an id sends stock documents to the wrong storage once one is deleted).
  public func listStorages() -> Operation<Reply> {
    single(.get, "\(Self.apiPrefix)/draft/storages", read: Self.storages)
  }

  private static func storages(_ answer: JSON, _ status: Int) throws(CaffestaError) -> Reply {
    let path = "\(apiPrefix)/draft/storages"
    let data = unwrap(answer)
    guard data.isObject else {
      throw CaffestaError(.protocolError, "GET \(path): expected an object of position → label", httpStatus: status)
    }
    var entries: [(position: Int, label: String)] = []
    for key in data.keys {
      guard let position = decimal(key) else {
        throw CaffestaError(.protocolError, "GET \(path): a key is not a position number", httpStatus: status)
      }
      guard let label = data[key]?.string else {
        throw CaffestaError(.protocolError, "GET \(path): the label at position \(position) is not a string",
                            httpStatus: status)
      }
      entries.append((position, label))
    }
    entries.sort { $0.position < $1.position }
    // Composed as text: ids and positions are written as the digits read, never through a double.
    var text = "["
    for (index, entry) in entries.enumerated() {
      let (id, name) = storageLabel(entry.label)
      if index > 0 { text += "," }
      text += "{\"id\":\(id.map { String($0) } ?? "null"),\"name\":\(JSONWriter.quote(name))"
      text += ",\"label\":\(JSONWriter.quote(entry.label)),\"position\":\(entry.position)}"
    }
    text += "]"
    return Reply(json: text, httpStatus: status)
  }

  /// "(id:7) Общий склад" → (7, "Общий склад"); a label without a positive "(id:N)" prefix
  /// → (nil, the label as it is).
  static func storageLabel(_ label: String) -> (id: Int?, name: String) {
    let bytes = Array(label.utf8)
    let prefix = Array("(id:".utf8)
    guard bytes.starts(with: prefix), let close = bytes.firstIndex(of: UInt8(ascii: ")")),
      let id = decimal(String(decoding: bytes[prefix.count..<close], as: UTF8.self)), id > 0
    else { return (nil, label) }
    let rest = bytes[(close + 1)...].drop(while: { $0 == UInt8(ascii: " ") })
    return (id, String(decoding: rest, as: UTF8.self))
  }

  /// Plain decimal digits (1 to 18 of them, so no overflow) as an Int; nil for anything else.
  static func decimal(_ text: String) -> Int? {
    let bytes = Array(text.utf8)
    guard (1...18).contains(bytes.count) else { return nil }
    var value = 0
    for byte in bytes {
      guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
      value = value * 10 + Int(byte - UInt8(ascii: "0"))
    }
    return value
  }

  /// GET /draft/store/{id}: the stock on one storage, a bare array (numbers come as strings).
  public func storageStock(storageId: Int64) throws(CaffestaError) -> Operation<Reply> {
    let id = try Arguments.id(storageId, "storage_id")
    return payloadReply(.get, "\(Self.apiPrefix)/draft/store/\(id)")
  }
}
