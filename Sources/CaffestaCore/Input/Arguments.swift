/// Checks on the arguments of the named calls, made before any request.
enum Arguments {
  /// A Caffesta id: positive (any 64-bit value the API may hand out).
  static func id(_ value: Int64, _ name: StaticString) throws(CaffestaError) -> Int {
    guard value > 0 else { throw .invalid("\(name) must be a positive id, got \(value)") }
    return Int(value)
  }

  /// A Unix timestamp (the update feeds' ts); 0 means "everything".
  static func timestamp(_ value: Int64, _ name: StaticString) throws(CaffestaError) -> Int {
    guard value >= 0, value <= 1 << 40 else {
      throw .invalid("\(name) must be a Unix timestamp from 0 to 2^40 (0: everything), got \(value)")
    }
    return Int(value)
  }

  /// YYYY-MM-DD, a real calendar day.
  static func day(_ text: String, _ name: StaticString) throws(CaffestaError) -> String {
    let bytes = Array(text.utf8)
    guard bytes.count == 10, isDay(bytes[0..<10]) else {
      throw .invalid("\(name) must be a date YYYY-MM-DD, got \"\(Bytes.printable(text.utf8, limit: 40))\"")
    }
    return text
  }

  /// A storage document's date as the API documents it: "YYYY-MM-DD HH:MM", in UTC
  /// ("2018-06-13 14:28"). A bare day or an ISO "T" form is refused before any request.
  static func documentDate(_ text: String, _ name: StaticString) throws(CaffestaError) -> String {
    let bytes = Array(text.utf8)
    guard bytes.count == 16, isDay(bytes[0..<10]), bytes[10] == UInt8(ascii: " "),
      isClock(bytes[11..<16], maxHour: 23)
    else {
      throw .invalid("\(name) must be \"YYYY-MM-DD HH:MM\" in UTC, such as \"2018-06-13 14:28\", got \"\(Bytes.printable(text.utf8, limit: 40))\"")
    }
    return text
  }

  /// The sales exports' forms: 2018-11-05, 2018-11-05T05:00, 2018-11-05T05:00:30,
  /// each optionally with Z or a +02:00 zone.
  static func dateTime(_ text: String, _ name: StaticString) throws(CaffestaError) -> String {
    let bytes = Array(text.utf8)
    let error = CaffestaError.invalid(
      "\(name) must be an ISO 8601 date such as 2018-11-05, 2018-11-05T05:00 or 2018-11-05T05:00+02:00, got \"\(Bytes.printable(text.utf8, limit: 40))\"")
    guard bytes.count >= 10, isDay(bytes[0..<10]) else { throw error }
    var rest = bytes[10...]
    guard let separator = rest.first else { return text }
    guard separator == UInt8(ascii: "T"), rest.count >= 6, isClock(rest.dropFirst().prefix(5), maxHour: 23) else { throw error }
    rest = rest.dropFirst(6)
    if rest.first == UInt8(ascii: ":") {
      guard rest.count >= 3, isNumber(rest.dropFirst().prefix(2), max: 59) else { throw error }
      rest = rest.dropFirst(3)
    }
    switch rest.first {
    case nil: return text
    case UInt8(ascii: "Z"): guard rest.count == 1 else { throw error }
    case UInt8(ascii: "+"), UInt8(ascii: "-"):
      guard rest.count == 6, isClock(rest.dropFirst(), maxHour: 14) else { throw error }
    default: throw error
    }
    return text
  }

  private static func isDay(_ b: ArraySlice<UInt8>) -> Bool {
    let s = b.startIndex
    guard b.count == 10, b[s + 4] == UInt8(ascii: "-"), b[s + 7] == UInt8(ascii: "-"),
      isNumber(b[s..<s + 4], max: 9999), isNumber(b[s + 5..<s + 7], max: 12), isNumber(b[s + 8..<s + 10], max: 31)
    else { return false }
    let year = value(b[s..<s + 4]), month = value(b[s + 5..<s + 7]), day = value(b[s + 8..<s + 10])
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    return year >= 1970 && month >= 1 && day >= 1 && day <= days[month - 1]
  }

  /// HH:MM
  private static func isClock(_ b: ArraySlice<UInt8>, maxHour: Int) -> Bool {
    let s = b.startIndex
    return b.count == 5 && b[s + 2] == UInt8(ascii: ":") && isNumber(b[s..<s + 2], max: maxHour)
      && isNumber(b[s + 3..<s + 5], max: 59)
  }

  private static func isNumber(_ b: ArraySlice<UInt8>, max: Int) -> Bool {
    !b.isEmpty && b.allSatisfy(Validation.isDigit) && value(b) <= max
  }

  private static func value(_ b: ArraySlice<UInt8>) -> Int {
    var result = 0
    for digit in b { result = result * 10 + Int(digit - UInt8(ascii: "0")) }
    return result
  }

  /// A caller's JSON text that must be an object without duplicate keys; the tree is for
  /// checking fields, the text itself is what gets sent.
  static func object(_ text: String, _ name: StaticString) throws(CaffestaError) -> JSON {
    let scanned = try JSONText.scan(text, what: "\(name)", anyValue: true)
    guard scanned.isObject else { throw .invalid("\(name) must be a JSON object") }
    return try scanned.tree(what: "\(name)")
  }

  /// A caller's JSON text that must be an array without duplicate keys, with its elements' spans.
  static func array(_ text: String, _ name: StaticString) throws(CaffestaError) -> JSONText {
    let scanned = try JSONText.scan(text, what: "\(name)", anyValue: true, children: true)
    guard scanned.isArray else { throw .invalid("\(name) must be a JSON array") }
    return scanned
  }
}

/// Field checks on a caller's JSON document: each names the field by its path
/// ("items[1].amount") so that the caller can find it.
struct FieldChecker {
  let document: StaticString

  func object(_ json: JSON?, _ path: String) throws(CaffestaError) -> JSON {
    guard let json, json.isObject else { throw missing(path, "an object") }
    return json
  }

  func array(_ json: JSON?, _ path: String, nonEmpty: Bool = false) throws(CaffestaError) -> JSON {
    guard let json, json.isArray else { throw missing(path, "an array") }
    if nonEmpty && json.count == 0 { throw .invalid("\(document): \(path) must not be empty") }
    return json
  }

  func string(_ json: JSON?, _ path: String, nonEmpty: Bool = true) throws(CaffestaError) -> String {
    guard let text = json?.string else { throw missing(path, "a string") }
    if nonEmpty && text.isEmpty { throw .invalid("\(document): \(path) must not be empty") }
    return text
  }

  func id(_ json: JSON?, _ path: String) throws(CaffestaError) -> Int {
    guard let value = json?.integer else { throw missing(path, "an integer id (at most 2^63-1)") }
    guard value > 0 else { throw .invalid("\(document): \(path) must be a positive id") }
    return value
  }

  func number(_ json: JSON?, _ path: String, nonNegative: Bool = false) throws(CaffestaError) -> Double {
    guard let value = json?.number else { throw missing(path, "a number") }
    if nonNegative && !(value >= 0) { throw .invalid("\(document): \(path) must not be negative") }
    return value
  }

  /// A number when present (null or absent is fine), never negative.
  func optionalNonNegative(_ json: JSON?, _ path: String) throws(CaffestaError) {
    guard let json, !json.isNull else { return }
    _ = try number(json, path, nonNegative: true)
  }

  private func missing(_ path: String, _ kind: StaticString) -> CaffestaError {
    .invalid("\(document): \(path) must be \(kind)")
  }
}
