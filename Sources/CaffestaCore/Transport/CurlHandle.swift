import CCurl
import CSupport

/// Collects an answer's body, refusing more than the configured maximum.
final class ResponseSink {
  var bytes: [UInt8] = []
  var limit: Int64 = 0
  var overflowed = false
  /// A Content-Encoding the library did not offer (brotli, zstd): refused before decoding.
  var unofferedEncoding: String? = nil

  func reset(limit: Int64) {
    bytes.removeAll(keepingCapacity: bytes.capacity <= 1 << 20)
    self.limit = limit
    overflowed = false
    unofferedEncoding = nil
  }

  /// One header line; false stops the transfer. Only gzip and deflate are decoded: a server
  /// sending another coding (zstd, br: their window is the server's choice) is refused.
  func header(_ line: UnsafeRawBufferPointer) -> Bool {
    let name: StaticString = "content-encoding:"
    let count = name.utf8CodeUnitCount
    guard line.count > count else { return true }
    // Every header line of every answer passes here: a plain loop, cheaper than Bytes.
    for index in 0..<count where line[index] | 0x20 != name.utf8Start[index] { return true }
    for token in line[count...].split(separator: UInt8(ascii: ",")) {
      let coding = token.filter { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D && $0 != 0x0A }.map { $0 | 0x20 }
      let text = String(decoding: coding, as: UTF8.self)
      guard text == "gzip" || text == "x-gzip" || text == "deflate" || text == "identity" || text.isEmpty else {
        unofferedEncoding = String(decoding: coding.prefix(40), as: UTF8.self)
        return false
      }
    }
    return true
  }
}

/// The body of a request that must not be resent, handed to libcurl through a read callback.
/// libcurl silently resends a request whose reused connection closed before any answer; with
/// POSTFIELDS that would repeat a write that may have been applied. The seek callback lets it
/// rewind only a body whose HTTP/2 stream the server provably never processed (StreamTrace);
/// otherwise libcurl fails with CURLE_SEND_FAIL_REWIND instead.
final class UnrepeatableBody {
  var bytes: [UInt8] = []
  var offset = 0

  func reset(_ text: String) {
    bytes = Array(text.utf8)
    offset = 0
  }
}

/// One libcurl easy handle with its fixed options. It keeps its connection alive between
/// requests, so a pooled handle means a reused connection. Used by one thread at a time.
final class CurlHandle {
  let easy: UnsafeMutableRawPointer
  let caFile: String?
  private let headers: OpaquePointer?
  private let errorBuffer: UnsafeMutablePointer<CChar>
  private let sink = ResponseSink()
  private let unrepeatable = UnrepeatableBody()
  /// This handle's own connection cache's GOAWAYs (used when it runs alone, not in a batch).
  private let ownLedger = GoawayLedger()
  private let trace: StreamTrace
  /// The proxy of the prepared request, if any (named in messages, never with its password).
  private var proxy: String? = nil
  /// An https:// request goes through a proxy as a tunnel: what comes back is the server's.
  private var tunneled = false
  /// libcurl sends a small COPYPOSTFIELDS body with the headers and counts it in both
  /// CURLINFO_REQUEST_SIZE and CURLINFO_SIZE_UPLOAD_T; the log must count it once.
  private var bodySentWithHeaders = false

  /// Nil when libcurl cannot allocate.
  init?(apiKey: String, caFile: String?) {
    caf_run_once { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }
    guard let easy = curl_easy_init() else { return nil }
    var list: UnsafeMutablePointer<curl_slist>? = nil
    for header in ["X-API-KEY: \(apiKey)", "Content-Type: application/json", "Accept: application/json", "Expect:"] {
      guard let next = curl_slist_append(list, header) else {
        curl_slist_free_all(list)
        curl_easy_cleanup(easy)
        return nil
      }
      list = next
    }
    // Refuse a handle that could follow a URL to another protocol rather than lose that guard.
    guard caf_curl_restrict_protocols(easy) == CURLE_OK else {
      curl_slist_free_all(list)
      curl_easy_cleanup(easy)
      return nil
    }
    self.easy = easy
    self.caFile = caFile
    trace = StreamTrace(ledger: ownLedger)
    trace.body = unrepeatable
    self.headers = OpaquePointer(list)
    errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    errorBuffer[0] = 0
    _ = caf_curl_set_slist(easy, CURLOPT_HTTPHEADER, list)
    _ = caf_curl_set_long(easy, CURLOPT_NOSIGNAL, 1)
    _ = caf_curl_set_long(easy, CURLOPT_FOLLOWLOCATION, 0)
    _ = caf_curl_set_long(easy, CURLOPT_SSL_VERIFYPEER, 1)
    _ = caf_curl_set_long(easy, CURLOPT_SSL_VERIFYHOST, 2)
    _ = caf_curl_set_long(easy, CURLOPT_TCP_KEEPALIVE, 1)
    _ = caf_curl_set_str(easy, CURLOPT_USERAGENT, "libcaffesta/\(Version.string)")
    // Only decoders whose memory is bounded whatever the server sends: zlib's window is at
    // most 32 KiB, and the body is cut at the maximum response size as it is decoded. Brotli
    // and zstd let the server choose the window (up to gigabytes), so they are not offered.
    _ = caf_curl_set_str(easy, CURLOPT_ACCEPT_ENCODING, "gzip, deflate")
    // The path goes out as the caller wrote it (Validation refuses dot-segments): no rewriting.
    _ = caf_curl_set_long(easy, CURLOPT_PATH_AS_IS, 1)
    // Headers set here (the API key) go to the server only, never in a CONNECT to a proxy.
    _ = caf_curl_set_long(easy, CURLOPT_HEADEROPT, Int(CURLHEADER_SEPARATE))
    _ = caf_curl_set_ptr(easy, CURLOPT_ERRORBUFFER, errorBuffer)
    if let caFile { _ = caf_curl_set_str(easy, CURLOPT_CAINFO, caFile) }
    _ = caf_curl_set_write_fn(easy) { data, size, count, user in
      guard let user, let data else { return 0 }
      let sink = Unmanaged<ResponseSink>.fromOpaque(user).takeUnretainedValue()
      let (total, overflow) = size.multipliedReportingOverflow(by: count)
      let needed = Int64(sink.bytes.count) + Int64(total)
      guard !overflow, needed <= sink.limit else {
        sink.overflowed = true
        return 0  // makes libcurl stop with CURLE_WRITE_ERROR
      }
      if needed > Int64(sink.bytes.capacity) {  // grow by doubling, but never past the limit
        sink.bytes.reserveCapacity(Int(min(max(needed, Int64(sink.bytes.capacity) * 2), sink.limit)))
      }
      sink.bytes.append(contentsOf: UnsafeRawBufferPointer(start: data, count: total))
      return total
    }
    _ = caf_curl_set_ptr(easy, CURLOPT_WRITEDATA, Unmanaged.passUnretained(sink).toOpaque())
    _ = caf_curl_set_header_fn(easy) { data, size, count, user in
      guard let user, let data else { return 0 }
      let total = size &* count
      let sink = Unmanaged<ResponseSink>.fromOpaque(user).takeUnretainedValue()
      return sink.header(UnsafeRawBufferPointer(start: data, count: total)) ? total : 0
    }
    _ = caf_curl_set_ptr(easy, CURLOPT_HEADERDATA, Unmanaged.passUnretained(sink).toOpaque())
    _ = caf_curl_set_read_fn(easy) { buffer, size, count, user in
      guard let user, let buffer else { return Int(CURL_READFUNC_ABORT) }
      let body = Unmanaged<UnrepeatableBody>.fromOpaque(user).takeUnretainedValue()
      let (room, overflow) = size.multipliedReportingOverflow(by: count)
      guard !overflow else { return Int(CURL_READFUNC_ABORT) }
      let length = min(room, body.bytes.count - body.offset)
      guard length > 0 else { return 0 }
      body.bytes.withUnsafeBufferPointer { source in
        guard let base = source.baseAddress else { return }
        UnsafeMutableRawPointer(buffer).copyMemory(from: base + body.offset, byteCount: length)
      }
      body.offset += length
      return length
    }
    _ = caf_curl_set_ptr(easy, CURLOPT_READDATA, Unmanaged.passUnretained(unrepeatable).toOpaque())
    // libcurl rewinds a body to send it again on a new connection. A write's body may be
    // rewound only when its HTTP/2 stream was provably never processed (GOAWAY); otherwise
    // libcurl fails with CURLE_SEND_FAIL_REWIND rather than repeat a write that may have arrived.
    _ = caf_curl_set_seek_fn(easy) { user, offset, origin in
      guard let user, offset == 0, origin == 0 /* SEEK_SET */ else { return Int32(CURL_SEEKFUNC_CANTSEEK) }
      let trace = Unmanaged<StreamTrace>.fromOpaque(user).takeUnretainedValue()
      guard let body = trace.body, trace.mayResend() else { return Int32(CURL_SEEKFUNC_CANTSEEK) }
      body.offset = 0
      return Int32(CURL_SEEKFUNC_OK)
    }
    _ = caf_curl_set_ptr(easy, CURLOPT_SEEKDATA, Unmanaged.passUnretained(trace).toOpaque())
    _ = caf_curl_set_debug_fn(easy) { _, type, data, size, user in
      guard type == CURLINFO_TEXT, let user, let data else { return 0 }
      Unmanaged<StreamTrace>.fromOpaque(user).takeUnretainedValue().read(UnsafeRawBufferPointer(start: data, count: size))
      return 0
    }
    _ = caf_curl_set_ptr(easy, CURLOPT_DEBUGDATA, Unmanaged.passUnretained(trace).toOpaque())
  }

  deinit {
    curl_easy_cleanup(easy)
    curl_slist_free_all(UnsafeMutablePointer<curl_slist>(headers))
    errorBuffer.deallocate()
  }

  /// Sets the per-request options. The body is copied into libcurl.
  /// False once libcurl resent a request on this handle (see StreamTrace.libcurlRetries).
  var reusable: Bool { trace.libcurlRetries == 0 }

  /// `ledger` is the connection cache's (a multi handle's), nil when the handle runs alone;
  /// `concurrent` when other transfers may share its connections (a bulk call, the engine).
  func prepare(_ request: HTTPRequest, settings: TransportSettings, ledger: GoawayLedger? = nil, concurrent: Bool = false) {
    sink.reset(limit: settings.maxResponseBytes)
    errorBuffer[0] = 0
    trace.reset(ledger: ledger ?? ownLedger)
    // libcurl says which HTTP/2 stream and GOAWAY only in its verbose text: read it where a
    // stream may be refused (HTTP/2 is spoken over TLS only) and where it matters, for
    // requests in a batch (a GOAWAY is told to whichever transfer reads it) and for writes.
    let https = Bytes.hasPrefix(request.url, "https://", ignoringCase: true)
    tunneled = https
    _ = caf_curl_set_long(easy, CURLOPT_VERBOSE, https && (concurrent || !request.method.isIdempotent) ? 1 : 0)
    // Side by side over HTTPS, wait for the one HTTP/2 connection being set up instead of opening
    // more (TLS tells at once whether it multiplexes). Never over http://, where libcurl learns
    // it only from the first answer: transfers would wait for it, and the concurrency asked
    // would not be in flight.
    _ = caf_curl_set_long(easy, CURLOPT_PIPEWAIT, https && concurrent ? 1 : 0)
    // A write goes out only on a connection idle for under a second: a server closing idle
    // connections (common ones wait 2 to 75 s) may do it just as the write is sent, leaving no
    // way to know whether it arrived. libcurl counts idle time in whole seconds: 0 means < 1 s.
    _ = caf_curl_set_long(easy, CURLOPT_MAXAGE_CONN, request.method.isIdempotent ? 118 : 0)
    switch settings.proxy {
    case nil: _ = caf_curl_set_str(easy, CURLOPT_PROXY, nil)  // libcurl's proxy variables
    case let proxy?: _ = proxy.withCString { caf_curl_set_str(easy, CURLOPT_PROXY, $0) }  // "" is no proxy
    }
    proxy = Proxy.inEffect(configured: settings.proxy, url: request.url)
    _ = request.url.withCString { caf_curl_set_str(easy, CURLOPT_URL, $0) }
    _ = caf_curl_set_long(easy, CURLOPT_CONNECTTIMEOUT_MS, min(settings.connectTimeoutMs, settings.timeoutMs))
    _ = caf_curl_set_long(easy, CURLOPT_TIMEOUT_MS, settings.timeoutMs)
    _ = caf_curl_set_off(easy, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(settings.maxResponseBytes))
    switch (request.method, request.body) {
    case (.get, _), (.delete, nil):
      bodySentWithHeaders = false
      _ = caf_curl_set_long(easy, CURLOPT_HTTPGET, 1)
    case (let method, let body) where !method.isIdempotent:
      unrepeatable.reset(body ?? "")
      bodySentWithHeaders = false
      _ = caf_curl_set_ptr(easy, CURLOPT_POSTFIELDS, nil)
      _ = caf_curl_set_long(easy, CURLOPT_POST, 1)
      _ = caf_curl_set_off(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(unrepeatable.bytes.count))
    case (_, let body):
      let text = body ?? ""
      bodySentWithHeaders = text.utf8.count < 64 * 1024  // libcurl's MAX_INITIAL_POST_SIZE
      _ = caf_curl_set_off(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(text.utf8.count))
      _ = text.withCString { caf_curl_set_str(easy, CURLOPT_COPYPOSTFIELDS, $0) }
    }
    if request.method == .post || request.method == .get {
      _ = caf_curl_set_str(easy, CURLOPT_CUSTOMREQUEST, nil)
    } else {
      _ = caf_curl_set_str(easy, CURLOPT_CUSTOMREQUEST, request.method.name.cString)
    }
  }

  /// Turns libcurl's result for the prepared request into an answer or a failure.
  func finish(_ code: CURLcode) -> TransportResult {
    var status = 0
    _ = caf_curl_get_long(easy, CURLINFO_RESPONSE_CODE, &status)
    if status > 0 { caf_received_status_set(Int32(truncatingIfNeeded: status)) }
    if code == CURLE_OK {
      var retryAfter: curl_off_t = 0
      _ = caf_curl_get_off(easy, CURLINFO_RETRY_AFTER, &retryAfter)
      var location: String? = nil
      if (300..<400).contains(status) {
        var pointer: UnsafeMutablePointer<CChar>? = nil
        _ = caf_curl_get_str(easy, CURLINFO_REDIRECT_URL, &pointer)
        location = pointer.map { String(cString: $0) }
      }
      let body = sink.bytes
      sink.reset(limit: 0)
      var answer = HTTPAnswer(status: status, body: body, retryAfterSeconds: retryAfter > 0 ? Int(retryAfter) : nil,
                              location: location, proxyName: proxysOwnAnswer(status, body) ? proxy.map(Proxy.named) : nil)
      answer.metrics = metrics(code)
      return .answer(answer)
    }
    var sentBytes = 0
    _ = caf_curl_get_long(easy, CURLINFO_REQUEST_SIZE, &sentBytes)
    var connectCode = 0
    _ = caf_curl_get_long(easy, CURLINFO_HTTP_CONNECTCODE, &connectCode)
    let detail = errorBuffer[0] != 0 ? String(cString: errorBuffer) : String(cString: curl_easy_strerror(code))
    sink.bytes = []
    var failure = CurlErrors.failure(code, detail: detail, requestSent: sentBytes > 0, overflowed: sink.overflowed,
                                     limit: sink.limit)
    if let coding = sink.unofferedEncoding {
      failure = TransportFailure(status: .protocolError,
                                 message: "the answer's Content-Encoding \"\(coding)\" was not offered (only gzip and deflate are)",
                                 neverSent: false)
    } else if let proxy, let proxyFailure = CurlErrors.proxyFailure(code, connectCode: connectCode, proxy: proxy, detail: detail) {
      failure = proxyFailure
    }
    // The last status line received: the server's, else a proxy's answer to CONNECT.
    failure.httpStatus = status > 0 ? status : connectCode
    if status == 0 && connectCode > 0 { caf_received_status_set(Int32(truncatingIfNeeded: connectCode)) }
    failure.metrics = metrics(code)
    return .failure(failure)
  }

  /// For a plain-HTTP request through a proxy (over https:// the proxy speaks only to CONNECT):
  /// a 407 is always the proxy's; a 403 is the proxy's when the connection went to the proxy's
  /// port and the page is not the API's JSON.
  private func proxysOwnAnswer(_ status: Int, _ body: [UInt8]) -> Bool {
    guard let proxy, !tunneled, status == 407 || status == 403 else { return false }
    if status == 407 { return true }
    var port = 0
    _ = caf_curl_get_long(easy, CURLINFO_PRIMARY_PORT, &port)
    let start = body.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 })
    return port == Proxy.port(proxy) && start != UInt8(ascii: "{") && start != UInt8(ascii: "[")
  }

  /// The attempt's figures for the request log; a handful of field reads in libcurl.
  private func metrics(_ code: CURLcode) -> TransportMetrics {
    var metrics = TransportMetrics()
    var micros: curl_off_t = 0
    _ = caf_curl_get_off(easy, CURLINFO_TOTAL_TIME_T, &micros)
    metrics.elapsedMs = Int(micros / 1000)
    var connects = 0
    if caf_curl_get_long(easy, CURLINFO_NUM_CONNECTS, &connects) == CURLE_OK { metrics.newConnections = connects }
    var requestSize = 0, headerSize = 0
    var uploaded: curl_off_t = 0, downloaded: curl_off_t = 0
    _ = caf_curl_get_long(easy, CURLINFO_REQUEST_SIZE, &requestSize)
    _ = caf_curl_get_off(easy, CURLINFO_SIZE_UPLOAD_T, &uploaded)
    _ = caf_curl_get_long(easy, CURLINFO_HEADER_SIZE, &headerSize)
    _ = caf_curl_get_off(easy, CURLINFO_SIZE_DOWNLOAD_T, &downloaded)
    metrics.bytesSent = Int64(requestSize) + (bodySentWithHeaders ? 0 : Int64(uploaded))
    metrics.bytesReceived = Int64(headerSize) + Int64(downloaded)
    if code != CURLE_OK { metrics.failureKind = String(cString: curl_easy_strerror(code)) }
    return metrics
  }

  /// The result of a prepared request cut before its end (taken out of its multi handle): a
  /// cancel or a deadline. It may have arrived once any byte of it went out.
  func cutShort(_ status: Status, _ message: String) -> TransportResult {
    var code = 0
    _ = caf_curl_get_long(easy, CURLINFO_RESPONSE_CODE, &code)
    var measured = metrics(CURLE_OK)
    measured.failureKind = status == .cancelled ? "Cancelled" : "Cut at the call's deadline"
    sink.reset(limit: 0)
    var failure = TransportFailure(status: status, message: message, neverSent: measured.bytesSent == 0,
                                   httpStatus: code)
    failure.wasCut = true
    failure.metrics = measured
    return .failure(failure)
  }

  func perform(_ request: HTTPRequest, settings: TransportSettings) -> TransportResult {
    prepare(request, settings: settings)
    return finish(curl_easy_perform(easy))
  }
}

/// How libcurl's error codes map onto the library's statuses.
enum CurlErrors {
  static func failure(_ code: CURLcode, detail: String, requestSent: Bool, overflowed: Bool, limit: Int64)
    -> TransportFailure
  {
    switch code {
    case CURLE_WRITE_ERROR where overflowed, CURLE_FILESIZE_EXCEEDED:
      return TransportFailure(status: .protocolError, message: "the answer is larger than the limit of \(limit) bytes",
                              neverSent: false)
    case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT:
      return TransportFailure(status: .network, message: detail, neverSent: true)
    case CURLE_OPERATION_TIMEDOUT:
      return TransportFailure(status: .timeout, message: detail, neverSent: !requestSent)
    case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
      CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
      CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CRL_BADFILE, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED,
      CURLE_SSL_ENGINE_INITFAILED, CURLE_USE_SSL_FAILED:
      return TransportFailure(status: .tls, message: detail, neverSent: !requestSent)
    case CURLE_OUT_OF_MEMORY:
      return TransportFailure(status: .noMemory, message: detail, neverSent: !requestSent)
    case CURLE_WEIRD_SERVER_REPLY, CURLE_BAD_CONTENT_ENCODING, CURLE_HTTP2, CURLE_HTTP2_STREAM:
      return TransportFailure(status: .protocolError, message: detail, neverSent: false)
    case CURLE_PARTIAL_FILE:
      return TransportFailure(status: .network, message: "the connection closed before the whole answer arrived (\(detail))",
                              neverSent: false)
    case CURLE_SEND_FAIL_REWIND:
      return TransportFailure(status: .network, message: "the connection closed before any answer; the request may have been received, so it was not resent",
                              neverSent: false)
    case CURLE_GOT_NOTHING:
      return TransportFailure(status: .network, message: "the server closed the connection without answering",
                              neverSent: false)
    default:
      return TransportFailure(status: .network, message: detail, neverSent: false)
    }
  }

  /// A failure at the proxy: it could not be resolved or reached, or it refused the tunnel
  /// (CONNECT) — nothing reached the server. Nil when the failure is not the proxy's.
  static func proxyFailure(_ code: CURLcode, connectCode: Int, proxy: String, detail: String) -> TransportFailure? {
    let name = Proxy.named(proxy)
    switch code {
    case CURLE_COULDNT_RESOLVE_PROXY:
      return TransportFailure(status: .proxy, message: "could not resolve \(name)", neverSent: true)
    case CURLE_COULDNT_CONNECT where connectCode == 0 && Proxy.mentions(port: Proxy.port(proxy), in: detail):
      return TransportFailure(status: .proxy, message: "could not connect to \(name) (\(detail))", neverSent: true)
    default:
      break
    }
    switch connectCode {
    case 0, 200..<300:
      return nil
    case 401, 403, 407:
      return TransportFailure(status: .proxy, message: "\(name) refused the tunnel to the server: HTTP \(connectCode)\(connectCode == 407 ? " (proxy authentication required)" : "")",
                              neverSent: true)
    default:
      return TransportFailure(status: .network, message: "\(name) could not open a tunnel to the server: HTTP \(connectCode)",
                              neverSent: true)
    }
  }
}
