/// Percent-encoding of one path segment: whatever a ref_code holds ('/', '?', '#', '%', spaces,
/// "..", Cyrillic), it stays one segment and cannot change the path.
enum PathSegment {
  static func encode(_ text: String) -> String {
    var out: [UInt8] = []
    out.reserveCapacity(text.utf8.count)
    for byte in text.utf8 {
      // '.' is escaped too, so that "." and ".." can never be read as path steps.
      if Validation.isASCIIAlphanumeric(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        || byte == UInt8(ascii: "~")
      {
        out.append(byte)
      } else {
        appendEscaped(byte, to: &out)
      }
    }
    return String(decoding: out, as: UTF8.self)
  }

  static func encode(_ id: Int) -> String { "\(id)" }

  static func appendEscaped(_ byte: UInt8, to out: inout [UInt8]) {
    let hex: StaticString = "0123456789ABCDEF"
    out.append(UInt8(ascii: "%"))
    out.append(hex.utf8Start[Int(byte >> 4)])
    out.append(hex.utf8Start[Int(byte & 0x0F)])
  }

  /// Percent-encoding for a query value (application/x-www-form-urlencoded style, '%20' for space).
  static func encodeQueryValue(_ text: String) -> String { encode(text) }
}
