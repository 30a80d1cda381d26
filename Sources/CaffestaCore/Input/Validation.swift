/// Checks on caller input, made before any request (docs/api.md, Conventions; docs/design.md, The C ABI contract).
enum Validation {
  /// An account name is one DNS label, so that it can never point the key at another host.
  static func accountName(_ name: String) throws(CaffestaError) {
    let bytes = name.utf8
    guard !bytes.isEmpty, bytes.count <= 63 else {
      throw .invalid("account_name must be 1 to 63 characters")
    }
    for byte in bytes where !(isASCIIAlphanumeric(byte) || byte == UInt8(ascii: "-")) {
      throw .invalid("account_name may hold only letters, digits and '-'")
    }
  }

  /// A key goes into an HTTP header: printable ASCII only, so no CR/LF can smuggle a header.
  static func apiKey(_ key: String) throws(CaffestaError) {
    let bytes = key.utf8
    guard !bytes.isEmpty, bytes.count <= 256 else { throw .invalid("api_key must be 1 to 256 characters") }
    for byte in bytes where byte <= 0x20 || byte >= 0x7F {
      throw .invalid("api_key may hold only printable ASCII without spaces or line breaks")
    }
  }

  /// A base URL override: scheme, host, optional port and path prefix; returned without a trailing '/'.
  static func baseURL(_ url: String) throws(CaffestaError) -> String {
    let bytes = Array(url.utf8)
    let rest: ArraySlice<UInt8>
    if Bytes.hasPrefix(bytes, "https://", ignoringCase: true) {
      rest = bytes[8...]
    } else if Bytes.hasPrefix(bytes, "http://", ignoringCase: true) {
      rest = bytes[7...]
    } else {
      throw .invalid("base_url must start with http:// or https://")
    }
    guard bytes.count <= 2048 else { throw .invalid("base_url is longer than 2048 bytes") }
    let authorityEnd = rest.firstIndex(of: UInt8(ascii: "/")) ?? rest.endIndex
    let authority = rest[rest.startIndex..<authorityEnd]
    try hostAndPort(authority)
    for byte in rest[authorityEnd...] where !isURLByte(byte) || byte == UInt8(ascii: "?") {
      throw .invalid("base_url may have a path prefix but no query, fragment, spaces, control characters or \" < > \\ ^ ` { | }")
    }
    var path = Array(rest[authorityEnd...])
    try refuseDotSegments(path, "base_url")
    while path.last == UInt8(ascii: "/") { path.removeLast() }
    if endsInAPIPrefix(path) {
      throw .invalid("base_url must not end in the API prefix (/a/v1.0): every call adds it, so requests would go to "
        + "/a/v1.0/a/v1.0/...; give the server's root, such as https://mycafe.caffesta.com")
    }
    return String(decoding: bytes[..<authorityEnd] + path, as: UTF8.self)
  }

  /// A path prefix whose last segments are "/a/v1.N" (v1.0, v1.1, ...).
  private static func endsInAPIPrefix(_ path: [UInt8]) -> Bool {
    guard let slash = path.lastIndex(of: UInt8(ascii: "/")) else { return false }
    let version = path[(slash + 1)...]
    guard Bytes.hasPrefix(version, "v1.", ignoringCase: true), version.count > 3,
      version.dropFirst(3).allSatisfy(isDigit)
    else { return false }
    return path[..<slash].reversed().starts(with: "a/".utf8)
  }

  private static func hostAndPort(_ authority: ArraySlice<UInt8>) throws(CaffestaError) {
    var host = authority
    var port: ArraySlice<UInt8>? = nil
    if authority.first == UInt8(ascii: "[") {  // [IPv6]:port
      guard let close = authority.firstIndex(of: UInt8(ascii: "]")) else {
        throw .invalid("base_url has an unclosed IPv6 address")
      }
      host = authority[authority.index(after: authority.startIndex)..<close]
      let after = authority[authority.index(after: close)...]
      if let first = after.first {
        guard first == UInt8(ascii: ":") else { throw .invalid("base_url has text after the IPv6 address") }
        port = after.dropFirst()
      }
      for byte in host where !(isHexDigit(byte) || byte == UInt8(ascii: ":") || byte == UInt8(ascii: ".")) {
        throw .invalid("base_url has an invalid IPv6 address")
      }
    } else {
      if let colon = authority.firstIndex(of: UInt8(ascii: ":")) {
        host = authority[authority.startIndex..<colon]
        port = authority[authority.index(after: colon)...]
      }
      for byte in host where !(isASCIIAlphanumeric(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")) {
        throw .invalid("base_url host may hold only letters, digits, '-' and '.' (no user info)")
      }
    }
    guard !host.isEmpty else { throw .invalid("base_url has no host") }
    if let port {
      guard !port.isEmpty, port.count <= 5, port.allSatisfy(isDigit) else { throw .invalid("base_url has an invalid port") }
      var value = 0
      for digit in port { value = value * 10 + Int(digit - UInt8(ascii: "0")) }
      guard value >= 1, value <= 65535 else { throw .invalid("base_url port must be 1 to 65535") }
    }
  }

  /// A path for caffesta_request: '/' then the characters RFC 3986 allows raw in a path and
  /// query; non-ASCII is percent-encoded. Dot-segments ("/../", "/./") are refused:
  /// the path must stay inside the base URL, and it is sent as written (CURLOPT_PATH_AS_IS).
  static func requestPath(_ path: String) throws(CaffestaError) -> String {
    let bytes = Array(path.utf8)
    guard bytes.first == UInt8(ascii: "/") else { throw .invalid("path must start with '/'") }
    guard bytes.count < 2 || bytes[1] != UInt8(ascii: "/") else {
      throw .invalid("path must be relative to the base URL, not '//host'")
    }
    guard bytes.count <= 8192 else { throw .invalid("path is longer than 8192 bytes") }
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count)
    var index = 0
    while index < bytes.count {
      let byte = bytes[index]
      if byte >= 0x80 {
        PathSegment.appendEscaped(byte, to: &out)
      } else if byte == UInt8(ascii: "%") {
        guard index + 2 < bytes.count, isHexDigit(bytes[index + 1]), isHexDigit(bytes[index + 2]) else {
          throw .invalid("path has a '%' that is not followed by two hex digits")
        }
        out.append(byte)
      } else if isURLByte(byte) {
        out.append(byte)
      } else {
        throw .invalid("path may not hold spaces, control characters or any of \" # < > \\ ^ ` { | }")
      }
      index += 1
    }
    try refuseDotSegments(out, "path")
    return String(decoding: out, as: UTF8.self)
  }

  /// "." and ".." segments in the path part, before any '?'. Written "%2E" a dot is data, as
  /// the library itself encodes a ref_code "..": it is sent as it is.
  static func refuseDotSegments(_ bytes: [UInt8], _ name: StaticString) throws(CaffestaError) {
    let pathEnd = bytes.firstIndex(of: UInt8(ascii: "?")) ?? bytes.endIndex
    for segment in bytes[..<pathEnd].split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
    where (segment.count == 1 || segment.count == 2) && segment.allSatisfy({ $0 == UInt8(ascii: ".") }) {
      throw .invalid("\(name) may not hold \".\" or \"..\" segments: it must stay inside the base URL")
    }
  }

  static func method(_ method: String) throws(CaffestaError) -> HTTPMethod {
    switch method {
    case "GET": return .get
    case "POST": return .post
    case "PUT": return .put
    case "PATCH": return .patch
    case "DELETE": return .delete
    default: throw .invalid("method must be GET, POST, PUT, PATCH or DELETE")
    }
  }

  /// What RFC 3986 allows raw in a path and query: unreserved, sub-delims, ':', '@', '/',
  /// '?' and '%' (checked by the caller to start an escape).
  static func isURLByte(_ byte: UInt8) -> Bool {
    guard byte > 0x20, byte < 0x7F else { return false }
    switch byte {
    case UInt8(ascii: "\""), UInt8(ascii: "#"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\\"),
      UInt8(ascii: "^"), UInt8(ascii: "`"), UInt8(ascii: "{"), UInt8(ascii: "|"), UInt8(ascii: "}"):
      return false
    default:
      return true
    }
  }

  static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

  static func isHexDigit(_ byte: UInt8) -> Bool {
    isDigit(byte) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "f"))
  }

  static func isASCIIAlphanumeric(_ byte: UInt8) -> Bool {
    isDigit(byte) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
  }
}
