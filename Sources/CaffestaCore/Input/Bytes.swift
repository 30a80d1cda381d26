/// Byte-level search for ASCII patterns, and caller or server text made printable for a
/// message: the one helper behind every prefix check and substring search of the core (the
/// stdlib's String.contains and hasPrefix need modules that Embedded Swift lacks).
enum Bytes {
  /// Whether `bytes` holds `pattern` at `start`; `ignoringCase` folds the ASCII letters A-Z.
  static func matches<C: RandomAccessCollection>(
    _ bytes: C, _ pattern: StaticString, at start: Int, ignoringCase: Bool = false
  ) -> Bool where C.Element == UInt8, C.Index == Int {
    let count = pattern.utf8CodeUnitCount
    guard start >= bytes.startIndex, start <= bytes.endIndex - count else { return false }
    let wanted = pattern.utf8Start
    for offset in 0..<count {
      let byte = bytes[start + offset], expected = wanted[offset]
      if byte != expected && !(ignoringCase && lowered(byte) == lowered(expected)) { return false }
    }
    return true
  }

  static func hasPrefix<C: RandomAccessCollection>(
    _ bytes: C, _ pattern: StaticString, ignoringCase: Bool = false
  ) -> Bool where C.Element == UInt8, C.Index == Int {
    matches(bytes, pattern, at: bytes.startIndex, ignoringCase: ignoringCase)
  }

  /// The index where `pattern` first starts in `bytes`, or nil.
  static func find<C: RandomAccessCollection>(
    _ pattern: StaticString, in bytes: C, ignoringCase: Bool = false
  ) -> Int? where C.Element == UInt8, C.Index == Int {
    let count = pattern.utf8CodeUnitCount
    guard bytes.count >= count else { return nil }
    for start in bytes.startIndex...(bytes.endIndex - count)
    where matches(bytes, pattern, at: start, ignoringCase: ignoringCase) { return start }
    return nil
  }

  /// The same on a String's UTF-8, read in place.
  static func hasPrefix(_ text: String, _ pattern: StaticString, ignoringCase: Bool = false) -> Bool {
    text.utf8.withContiguousStorageIfAvailable { hasPrefix($0, pattern, ignoringCase: ignoringCase) }
      ?? hasPrefix(Array(text.utf8), pattern, ignoringCase: ignoringCase)
  }

  static func contains(_ text: String, _ pattern: StaticString, ignoringCase: Bool = false) -> Bool {
    let found = text.utf8.withContiguousStorageIfAvailable { find(pattern, in: $0, ignoringCase: ignoringCase) }
      ?? find(pattern, in: Array(text.utf8), ignoringCase: ignoringCase)
    return found != nil
  }

  static func lowered(_ byte: UInt8) -> UInt8 {
    byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
  }

  /// At most `limit` bytes of caller or server text for a message: control characters become
  /// '?', a cut is marked "...", and invalid UTF-8 is repaired (U+FFFD).
  static func printable<C: Collection>(_ bytes: C, limit: Int) -> String where C.Element == UInt8 {
    var out: [UInt8] = []
    for byte in bytes.prefix(limit) { out.append(byte >= 0x20 && byte != 0x7F ? byte : UInt8(ascii: "?")) }
    return String(decoding: out, as: UTF8.self) + (bytes.count > limit ? "..." : "")
  }
}
