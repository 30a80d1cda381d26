import CSupport

/// JSON text as it was written, checked by the scanner in the C shim (json_scan.c): the library
/// sends bodies and returns answers from this text, never from a re-serialized tree. jansson
/// reads the few values the library needs (`tree()`).
struct JSONText {
  /// The text, valid JSON.
  let text: String
  /// The top value's children in order: the key's token (quotes included; empty in an array)
  /// and the value, as byte offsets into `text`. Filled only when scanned with `children`.
  private(set) var members: [(key: Range<Int>, value: Range<Int>)] = []
  /// Numbers jansson cannot hold (beyond 64 bits, beyond a double's range).
  private(set) var wide: [Range<Int>] = []
  /// The top value's first byte: '{', '[', '"', ...
  private(set) var top: UInt8 = 0

  /// Checks caller text. Duplicate keys are refused unless `allowDuplicates` (answers only).
  /// `checked`: the text is a piece of a text scanned already (an element of a checked array),
  /// so only its top value and children are found, without checking it again.
  static func scan(
    _ text: String, what: String, anyValue: Bool = false, children: Bool = false,
    allowDuplicates: Bool = false, checked: Bool = false, failure: Status = .invalidArgument
  ) throws(CaffestaError) -> JSONText {
    var copy = text
    let result = copy.withUTF8 { buffer in
      Result { () throws(CaffestaError) -> JSONText in
        try scan(UnsafeRawBufferPointer(buffer), text: text, what: what, anyValue: anyValue, children: children,
                 allowDuplicates: allowDuplicates, checked: checked, failure: failure)
      }
    }
    return try result.get()
  }

  /// Checks bytes (a server's answer); the text is built only once they are valid UTF-8.
  static func scan(
    _ bytes: UnsafeRawBufferPointer, text: String? = nil, what: String, anyValue: Bool = false,
    children: Bool = false, allowDuplicates: Bool = false, checked: Bool = false, failure: Status = .invalidArgument
  ) throws(CaffestaError) -> JSONText {
    var flags: Int32 = 0
    if checked { flags |= Int32(CAF_JSON_CHECKED) }
    if anyValue { flags |= Int32(CAF_JSON_ANY_VALUE) }
    if children { flags |= Int32(CAF_JSON_CHILDREN) }
    if !allowDuplicates { flags |= Int32(CAF_JSON_REJECT_DUPLICATES) }
    var result = caf_json_scan_result()
    defer { caf_json_scan_free(&result) }
    let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self)
    let status = caf_json_scan(base, bytes.count, flags, &result)
    guard status == Int32(CAF_JSON_OK) else {
      if status == Int32(CAF_JSON_NO_MEMORY) { throw CaffestaError(.noMemory, "out of memory") }
      let message = withUnsafeBytes(of: &result.message) { raw in
        String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
      }
      if status == Int32(CAF_JSON_DUPLICATE) { throw CaffestaError(failure, "\(what): \(message)") }
      throw CaffestaError(failure, "\(what) is not valid JSON: \(message)")
    }
    var scanned = JSONText(text: text ?? String(decoding: bytes, as: UTF8.self))
    scanned.top = UInt8(bitPattern: result.top)
    if let spans = result.children {
      scanned.members.reserveCapacity(result.child_count)
      for index in 0..<result.child_count {
        let at = spans + 4 * index
        scanned.members.append((at[0]..<at[1], at[2]..<at[3]))
      }
    }
    if let spans = result.wide {
      for index in 0..<result.wide_count { scanned.wide.append(spans[2 * index]..<spans[2 * index + 1]) }
    }
    return scanned
  }

  var isObject: Bool { top == UInt8(ascii: "{") }
  var isArray: Bool { top == UInt8(ascii: "[") }
  var isString: Bool { top == UInt8(ascii: "\"") }

  /// The text of `range`.
  func slice(_ range: Range<Int>) -> String {
    var copy = text
    return copy.withUTF8 { String(decoding: UnsafeBufferPointer(rebasing: $0[range]), as: UTF8.self) }
  }

  /// The value of the member `key` (the last one, as jansson keeps), when the top is an object
  /// scanned with `children`.
  func member(_ key: StaticString) -> Range<Int>? {
    var copy = text
    return copy.withUTF8 { bytes -> Range<Int>? in
      guard let base = bytes.baseAddress else { return nil }
      let wanted = UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount)
      var index = members.count
      while index > 0 {  // the last of duplicates wins, as in jansson
        index -= 1
        let token = members[index].key
        guard token.count >= wanted.count + 2, token.upperBound <= bytes.count else { continue }
        // A token as long as the key with its quotes has no escape to decode: compare its bytes.
        if token.count == wanted.count + 2 {
          var at = 0
          while at < wanted.count, base[token.lowerBound + 1 + at] == wanted[at] { at += 1 }
          if at == wanted.count { return members[index].value }
        } else if Self.keyEquals(bytes[token], wanted) {
          return members[index].value
        }
      }
      return nil
    }
  }

  /// The member's value as JSON text of its own, its children found (not checked again: this
  /// text was).
  func memberText(_ key: StaticString) -> JSONText? {
    guard let range = member(key) else { return nil }
    return try? JSONText.scan(slice(range), what: "", anyValue: true, children: true, allowDuplicates: true,
                              checked: true)
  }

  /// The first byte of `range` (a value's: '{', '"', 't', ...).
  func byte(at range: Range<Int>) -> UInt8? {
    guard !range.isEmpty else { return nil }
    var copy = text
    return copy.withUTF8 { range.upperBound <= $0.count ? $0[range.lowerBound] : nil }
  }

  /// The member `key`'s decoded string, when the top is an object and that member a string.
  func string(_ key: StaticString) -> String? {
    guard let range = member(key) else { return nil }
    return string(at: range)
  }

  /// The member `key`'s value when it is `true` or `false`.
  func boolean(_ key: StaticString) -> Bool? {
    guard let range = member(key) else { return nil }
    switch byte(at: range) {
    case UInt8(ascii: "t"): return true
    case UInt8(ascii: "f"): return false
    default: return nil
    }
  }

  /// The decoded string at `range`, when the value there is a string.
  func string(at range: Range<Int>) -> String? {
    var copy = text
    return copy.withUTF8 { bytes -> String? in
      guard range.count >= 2, bytes[range.lowerBound] == UInt8(ascii: "\"") else { return nil }
      return Self.decode(UnsafeBufferPointer(rebasing: bytes[range]))
    }
  }

  /// The decoded string of the top value, when it is a string.
  var stringValue: String? {
    guard isString else { return nil }
    var copy = text
    return copy.withUTF8 { bytes -> String in
      var start = 0, end = bytes.count
      while start < end, bytes[start] != UInt8(ascii: "\"") { start += 1 }
      while end > start, bytes[end - 1] != UInt8(ascii: "\"") { end -= 1 }
      return Self.decode(UnsafeBufferPointer(rebasing: bytes[start..<end]))
    }
  }

  /// The integer token of `range` when it is a positive integer (of any length), as written.
  func positiveIntegerToken(_ range: Range<Int>) -> String? {
    let token = slice(range)
    let bytes = token.utf8
    guard let first = bytes.first, first >= UInt8(ascii: "1"), first <= UInt8(ascii: "9"),
      bytes.allSatisfy(Validation.isDigit)
    else { return nil }
    return token
  }

  /// jansson's tree of this text, for reading values. Numbers jansson cannot hold are read as
  /// 1e308 or -1e308 (a number of the same sign that no id or timestamp check accepts).
  func tree(what: String, failure: Status = .invalidArgument) throws(CaffestaError) -> JSON {
    guard !wide.isEmpty else {
      return try JSON.parse(text, what: what, anyValue: true, failure: failure)
    }
    var readable: [UInt8] = []
    var copy = text
    copy.withUTF8 { bytes in
      readable.reserveCapacity(bytes.count)
      var at = 0
      for range in wide {
        readable.append(contentsOf: bytes[at..<range.lowerBound])
        if bytes[range.lowerBound] == UInt8(ascii: "-") { readable.append(UInt8(ascii: "-")) }
        readable.append(contentsOf: "1e308".utf8)
        at = range.upperBound
      }
      readable.append(contentsOf: bytes[at...])
    }
    let result = readable.withUnsafeBytes { raw in
      Result { () throws(CaffestaError) -> JSON in try JSON.parse(raw, what: what, anyValue: true, failure: failure) }
    }
    return try result.get()
  }

  /// Whether a key token (quotes included) decodes to `wanted`.
  private static func keyEquals(_ token: Slice<UnsafeBufferPointer<UInt8>>, _ wanted: UnsafeBufferPointer<UInt8>) -> Bool {
    guard token.count >= 2 else { return false }
    let inner = token.dropFirst().dropLast()
    if !inner.contains(UInt8(ascii: "\\")) { return inner.elementsEqual(wanted) }
    return decode(UnsafeBufferPointer(rebasing: token)).utf8.elementsEqual(wanted)
  }

  /// A valid string token (quotes included), decoded.
  static func decode(_ token: UnsafeBufferPointer<UInt8>) -> String {
    guard let base = token.baseAddress, token.count >= 2 else { return "" }
    return String(unsafeUninitializedCapacity: token.count) { out in
      caf_json_string_decode(UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), token.count,
                             UnsafeMutableRawPointer(out.baseAddress!).assumingMemoryBound(to: CChar.self))
    }
  }
}

/// JSON the library composes itself (results, reports): ids and values are copied in as text.
enum JSONWriter {
  /// `text` as a JSON string: quotes, backslashes and control characters escaped, the rest as it is.
  static func quote(_ text: String) -> String {
    var out: [UInt8] = [UInt8(ascii: "\"")]
    out.reserveCapacity(text.utf8.count + 2)
    let hex: [UInt8] = Array("0123456789abcdef".utf8)
    for byte in text.utf8 {
      switch byte {
      case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); out.append(byte)
      case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
      case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
      case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
      case 0..<0x20:
        out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
        out.append(hex[Int(byte >> 4)])
        out.append(hex[Int(byte & 0xF)])
      default: out.append(byte)
      }
    }
    out.append(UInt8(ascii: "\""))
    return String(decoding: out, as: UTF8.self)
  }
}
