import CSupport

/// Proxies as the library names them: the one set with caffesta_client_set_proxy, or the one
/// libcurl takes from the environment (`http_proxy` for http://, `https_proxy`/`HTTPS_PROXY`
/// for https://, then `all_proxy`/`ALL_PROXY`). Messages name a proxy without its password.
enum Proxy {
  /// What caffesta_client_set_proxy accepts: "direct" (no proxy, whatever the environment
  /// says; stored as ""), or a proxy URL "scheme://[user[:password]@]host[:port]".
  static func validated(_ text: String) throws(CaffestaError) -> String {
    if text == "direct" { return "" }
    let bytes = Array(text.utf8)
    guard !bytes.isEmpty, bytes.count <= 2048 else { throw .invalid("proxy must be \"direct\" or a URL of at most 2048 bytes") }
    for byte in bytes where byte <= 0x20 || byte >= 0x7F {
      throw .invalid("proxy may not hold spaces, control characters or non-ASCII")
    }
    let schemes: [StaticString] = ["http://", "https://", "socks4://", "socks4a://", "socks5://", "socks5h://"]
    guard schemes.contains(where: { Bytes.hasPrefix(bytes, $0, ignoringCase: true) }) else {
      throw .invalid("proxy must be \"direct\" or start with http://, https://, socks4://, socks4a://, socks5:// or socks5h://")
    }
    guard let host = authority(bytes).split(separator: UInt8(ascii: "@")).last, !host.isEmpty,
      host.first != UInt8(ascii: ":")
    else { throw .invalid("proxy has no host") }
    return text
  }

  /// The proxy a request to `url` goes through when `configured` (the client's setting) is as
  /// given: nil for none. The environment is read as libcurl reads it, `no_proxy` by its
  /// common forms ("*", a host, a domain with or without a leading dot; not CIDR ranges): this
  /// names the proxy in messages, libcurl does the routing.
  static func inEffect(configured: String?, url: String) -> String? {
    if let configured { return configured.isEmpty ? nil : configured }
    let bytes = Array(url.utf8)
    let https = Bytes.hasPrefix(bytes, "https://", ignoringCase: true)
    let names: [StaticString] = https ? ["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"]
                                      : ["http_proxy", "all_proxy", "ALL_PROXY"]
    guard let proxy = names.lazy.compactMap(environment).first else { return nil }
    if let exempt = environment("no_proxy") ?? environment("NO_PROXY"), exempts(exempt, host: host(bytes)) { return nil }
    return proxy
  }

  private static func environment(_ name: StaticString) -> String? {
    // A StaticString literal ends with a NUL: a C string as it is.
    guard let value = caf_getenv(UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self)), value.pointee != 0
    else { return nil }
    return String(cString: value)
  }

  /// The URL's host, lowercased, without port or brackets.
  private static func host(_ url: [UInt8]) -> [UInt8] {
    var auth = Array(authority(url))
    if let at = auth.lastIndex(of: UInt8(ascii: "@")) { auth = Array(auth[(at + 1)...]) }
    if auth.first == UInt8(ascii: "[") {
      return Array(auth.dropFirst().prefix(while: { $0 != UInt8(ascii: "]") }))
    }
    return auth.prefix(while: { $0 != UInt8(ascii: ":") }).map(Bytes.lowered)
  }

  private static func exempts(_ list: String, host: [UInt8]) -> Bool {
    for raw in Array(list.utf8).split(separator: UInt8(ascii: ",")) {
      var entry = raw.filter { $0 != 0x20 && $0 != 0x09 }.map(Bytes.lowered)
      if entry == [UInt8(ascii: "*")] { return true }
      while entry.first == UInt8(ascii: ".") { entry.removeFirst() }
      guard !entry.isEmpty, entry.count <= host.count else { continue }
      if host == entry { return true }
      if host.count > entry.count, Array(host.suffix(entry.count)) == entry,
        host[host.count - entry.count - 1] == UInt8(ascii: ".")
      {
        return true
      }
    }
    return false
  }

  /// Whether libcurl's message names `port` (" port 3128 "): a connect failure to the proxy,
  /// not to a server reached without it.
  static func mentions(port: Int, in detail: String) -> Bool {
    let needle = Array(" port \(port)".utf8)
    let text = Array(detail.utf8)
    guard text.count >= needle.count else { return false }
    for start in 0...(text.count - needle.count) where Array(text[start..<(start + needle.count)]) == needle {
      let end = start + needle.count
      if end == text.count || !(text[end] >= 0x30 && text[end] <= 0x39) { return true }
    }
    return false
  }

  /// "the proxy http://user@host:3128": the URL without password, path or query.
  static func named(_ proxy: String) -> String {
    let bytes = Array(proxy.utf8)
    var schemeEnd = 0
    if let colon = Bytes.find("://", in: bytes) { schemeEnd = colon + 3 }
    let auth = authority(bytes)
    var shown: [UInt8] = Array(bytes[0..<schemeEnd])
    if let at = auth.lastIndex(of: UInt8(ascii: "@")) {
      let user = auth[auth.startIndex..<at].prefix(while: { $0 != UInt8(ascii: ":") })
      shown += user
      shown.append(UInt8(ascii: "@"))
      shown += auth[(at + 1)...]
    } else {
      shown += auth
    }
    return "the proxy \(String(decoding: shown, as: UTF8.self))"
  }

  /// The proxy's port: as written, else the scheme's default as libcurl uses it (1080).
  static func port(_ proxy: String) -> Int {
    let auth = authority(Array(proxy.utf8))
    let hostPort = auth.split(separator: UInt8(ascii: "@")).last ?? auth[...]
    guard let colon = hostPort.lastIndex(of: UInt8(ascii: ":")), hostPort.last != UInt8(ascii: "]") else {
      return Bytes.hasPrefix(proxy, "https://", ignoringCase: true) ? 443 : 1080
    }
    var value = 0
    for byte in hostPort[(colon + 1)...] {
      guard byte >= 0x30, byte <= 0x39, value < 65536 else { return -1 }
      value = value * 10 + Int(byte - 0x30)
    }
    return value
  }

  /// The bytes between "scheme://" (if any) and the first '/', '?' or '#'.
  private static func authority(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
    let start = Bytes.find("://", in: bytes).map { $0 + 3 } ?? 0
    let rest = bytes[start...]
    let end = rest.firstIndex(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") })
    return rest[start..<(end ?? rest.endIndex)]
  }
}
