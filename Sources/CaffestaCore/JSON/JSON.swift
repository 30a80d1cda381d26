import CJansson
import CSupport

/// One owned reference to a jansson value; released when the wrapper goes away.
public final class JSON {
  private var tree: UnsafeMutablePointer<json_t>?
  /// For an answer's root: the text the server wrote, which calls hand back instead of
  /// re-serializing this tree.
  private(set) var source: JSONText? = nil

  /// The jansson value. An answer's is parsed from its text on first use only: the upsert
  /// reads its envelope and id from the scanner's spans and never needs it.
  var raw: UnsafeMutablePointer<json_t> {
    if let tree { return tree }
    // The text passed the scanner, whose rules are jansson's: only a lack of memory fails here.
    let parsed = source.flatMap { try? $0.tree(what: "the answer", failure: .protocolError) }
    let built = parsed.map { caf_json_incref($0.raw)! } ?? json_null()!
    tree = built
    return built
  }

  /// Takes over a reference the caller owns (a "new reference" in jansson's words).
  init(owning raw: UnsafeMutablePointer<json_t>) {
    tree = raw
  }

  /// Takes a new reference to a value borrowed from a container.
  init(borrowing raw: UnsafeMutablePointer<json_t>) {
    tree = caf_json_incref(raw)!
  }

  /// An answer's root, kept as the text the scanner checked; its tree is built when asked for.
  init(text: JSONText) {
    source = text
  }

  deinit { if let tree { caf_json_decref(tree) } }

  /// Parses JSON text. `what` names the text in error messages ("product_json", "the answer").
  /// Objects and arrays only unless `anyValue`; invalid UTF-8 and depth > 2048 are refused.
  static func parse(
    _ bytes: UnsafeRawBufferPointer, what: String, rejectDuplicates: Bool = false,
    anyValue: Bool = false, failure: Status = .invalidArgument
  ) throws(CaffestaError) -> JSON {
    var error = json_error_t()
    // "\u0000" inside a string is valid JSON; jansson refuses it unless asked.
    var flags = Int(JSON_ALLOW_NUL)
    if rejectDuplicates { flags |= Int(JSON_REJECT_DUPLICATES) }
    if anyValue { flags |= Int(JSON_DECODE_ANY) }
    let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self)
    guard let base, bytes.count > 0 else { throw CaffestaError(failure, "\(what) is empty") }
    guard let value = json_loadb(base, bytes.count, flags, &error) else {
      let text = withUnsafeBytes(of: &error.text) { raw in
        String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
      }
      throw CaffestaError(failure, "\(what) is not valid JSON: \(text) at line \(error.line), column \(error.column)")
    }
    return JSON(owning: value)
  }

  static func parse(
    _ text: String, what: String, rejectDuplicates: Bool = false, anyValue: Bool = false,
    failure: Status = .invalidArgument
  ) throws(CaffestaError) -> JSON {
    var copy = text
    let result = copy.withUTF8 { buffer in
      Result { () throws(CaffestaError) -> JSON in
        try parse(UnsafeRawBufferPointer(buffer), what: what, rejectDuplicates: rejectDuplicates, anyValue: anyValue,
                  failure: failure)
      }
    }
    return try result.get()
  }

  static func object() throws(CaffestaError) -> JSON {
    guard let raw = json_object() else { throw CaffestaError(.noMemory, "out of memory") }
    return JSON(owning: raw)
  }

  static func array() throws(CaffestaError) -> JSON {
    guard let raw = json_array() else { throw CaffestaError(.noMemory, "out of memory") }
    return JSON(owning: raw)
  }

  static func string(_ value: String) throws(CaffestaError) -> JSON {
    let raw = value.withCString { json_stringn($0, value.utf8.count) }
    guard let raw else { throw CaffestaError(.noMemory, "out of memory") }
    return JSON(owning: raw)
  }

  static func null() -> JSON { JSON(owning: json_null()!) }

  static func boolean(_ value: Bool) -> JSON { JSON(owning: (value ? json_true() : json_false())!) }

  static func integer(_ value: Int) throws(CaffestaError) -> JSON {
    guard let raw = json_integer(json_int_t(value)) else { throw CaffestaError(.noMemory, "out of memory") }
    return JSON(owning: raw)
  }

  var isObject: Bool { if tree == nil, let source { return source.isObject }; return caf_json_is_object(raw) != 0 }
  var isArray: Bool { if tree == nil, let source { return source.isArray }; return caf_json_is_array(raw) != 0 }
  var isNull: Bool { caf_json_is_null(raw) != 0 }

  // Keys go through withCString: the implicit String-to-pointer conversion copies short
  // strings to the heap, on every lookup of the hot path.
  subscript(key: String) -> JSON? {
    guard isObject, let value = key.withCString({ json_object_get(raw, $0) }) else { return nil }
    return JSON(borrowing: value)
  }

  var count: Int { isArray ? json_array_size(raw) : (isObject ? json_object_size(raw) : 0) }

  subscript(index: Int) -> JSON? {
    guard isArray, index >= 0, let value = json_array_get(raw, index) else { return nil }
    return JSON(borrowing: value)
  }

  /// The string's text, if this is a string (jansson keeps strings valid UTF-8).
  var string: String? {
    guard caf_json_is_string(raw) != 0, let bytes = json_string_value(raw) else { return nil }
    let buffer = UnsafeRawBufferPointer(start: bytes, count: json_string_length(raw))
    return String(decoding: buffer, as: UTF8.self)
  }

  var integer: Int? {
    guard caf_json_is_integer(raw) != 0 else { return nil }
    return Int(exactly: json_integer_value(raw))
  }

  var number: Double? {
    guard caf_json_is_number(raw) != 0 else { return nil }
    return json_number_value(raw)
  }

  var bool: Bool? {
    guard caf_json_is_boolean(raw) != 0 else { return nil }
    return caf_json_is_true(raw) != 0
  }

  /// The keys of an object, in jansson's (insertion) order.
  var keys: [String] {
    guard isObject else { return [] }
    var result: [String] = []
    var iter = json_object_iter(raw)
    while let current = iter {
      if let key = json_object_iter_key(current) {
        let length = caf_json_iter_key_len(current, key)
        result.append(String(decoding: UnsafeRawBufferPointer(start: key, count: length), as: UTF8.self))
      }
      iter = json_object_iter_next(raw, current)
    }
    return result
  }

  func set(_ key: String, _ value: JSON) throws(CaffestaError) {
    guard key.withCString({ caf_json_object_set(raw, $0, value.raw) }) == 0 else {
      throw CaffestaError(.noMemory, "out of memory")
    }
  }

  func append(_ value: JSON) throws(CaffestaError) {
    guard caf_json_array_append(raw, value.raw) == 0 else { throw CaffestaError(.noMemory, "out of memory") }
  }

  /// Compact JSON text; any value, not only objects and arrays.
  func serialized() throws(CaffestaError) -> String {
    let flags = Int(JSON_COMPACT) | Int(JSON_ENCODE_ANY)
    guard let text = json_dumps(raw, flags) else { throw CaffestaError(.noMemory, "out of memory") }
    defer { caf_free(text) }
    return String(cString: text)
  }
}
