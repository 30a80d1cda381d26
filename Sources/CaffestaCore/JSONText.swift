import CSupport

/// Pieces of JSON text as the caller wrote them, so that they are sent unchanged.
enum JSONText {
  /// The text of each element of a JSON array that jansson has already validated; nil if the
  /// split does not find exactly `count` elements (then callers re-serialize instead).
  static func elements(of text: String, count: Int) -> [String]? {
    var copy = text
    return copy.withUTF8 { bytes -> [String]? in
      guard let base = bytes.baseAddress else { return nil }
      var spans = [Int](repeating: 0, count: 2 * max(count, 1))
      let found = spans.withUnsafeMutableBufferPointer { out in
        caf_json_array_spans(UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), bytes.count, out.baseAddress, count)
      }
      guard found == count else { return nil }
      return (0..<count).map { index in
        String(decoding: UnsafeBufferPointer(rebasing: bytes[spans[2 * index]..<spans[2 * index + 1]]), as: UTF8.self)
      }
    }
  }
}
