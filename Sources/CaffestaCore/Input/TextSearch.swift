/// Substring search on UTF-8 bytes; the stdlib's String.contains(String) needs modules that
/// Embedded Swift lacks.
enum TextSearch {
  static func containsIgnoringASCIICase(_ text: String, _ needle: StaticString) -> Bool {
    let haystack = Array(text.utf8)
    let count = needle.utf8CodeUnitCount
    guard count > 0, haystack.count >= count else { return count == 0 }
    let pattern = UnsafeBufferPointer(start: needle.utf8Start, count: count)
    for start in 0...(haystack.count - count) {
      var matched = true
      for offset in 0..<count where lowered(haystack[start + offset]) != lowered(pattern[offset]) {
        matched = false
        break
      }
      if matched { return true }
    }
    return false
  }

  private static func lowered(_ byte: UInt8) -> UInt8 {
    byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
  }
}
