/// A refused order in a caller's words. Caffesta answers a new client whose card number another
/// client has with its database's own text (docs/api.md, Delivery orders; field code sees it in
/// `data.status`): `SQLSTATE[23505]: Unique violation ... "client_card_number_uniq" DETAIL:  Key
/// (card_number)=(111222333444) already exists.` The message then says what happened and what
/// to do before the server's text, which stays whole.
enum OrderRefusal {
  static func explained(_ error: CaffestaError) -> CaffestaError {
    guard error.status == .api else { return error }
    let text = Array(error.message.utf8)
    guard find(text, "client_card_number_uniq") != nil else { return error }
    var card = "this card number"
    if let key = find(text, "Key (card_number)=("), let end = text[(key + 19)...].firstIndex(of: UInt8(ascii: ")")) {
      card = "card number " + String(decoding: text[(key + 19)..<end], as: UTF8.self)
    }
    let said = find(text, "SQLSTATE") ?? 0
    let head = String(decoding: text[..<said], as: UTF8.self)
    let tail = String(decoding: text[said...], as: UTF8.self)
    let sentence = "the order was refused: another client already has \(card) (bill.client.card_number). "
      + "To order for that client, send bill.client = {\"uuid\": ...} with its uuid (get_clients lists "
      + "the clients with their cardNumber); for a new client, give a card number no client has. Caffesta said: "
    return CaffestaError(.api, head + sentence + tail, httpStatus: error.httpStatus)
  }

  /// Where ASCII `needle` starts in `text`, if it does.
  private static func find(_ text: [UInt8], _ needle: StaticString) -> Int? {
    let count = needle.utf8CodeUnitCount
    guard count > 0, text.count >= count else { return nil }
    outer: for start in 0...(text.count - count) {
      for offset in 0..<count where text[start + offset] != needle.utf8Start[offset] { continue outer }
      return start
    }
    return nil
  }
}
