import CCurl
import CSupport

/// Collects an answer's body, refusing more than the configured maximum.
final class ResponseSink {
  var bytes: [UInt8] = []
  var limit: Int64 = 0
  var overflowed = false

  func reset(limit: Int64) {
    bytes.removeAll(keepingCapacity: bytes.capacity <= 1 << 20)
    self.limit = limit
    overflowed = false
  }
}

/// The body of a request that must not be resent, handed to libcurl through a read callback.
/// libcurl silently resends a request whose reused connection closed before any answer; with
/// POSTFIELDS that would repeat a write that may have been applied. A read callback without a
/// seek callback cannot be rewound, so libcurl fails with CURLE_SEND_FAIL_REWIND instead.
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
    _ = caf_curl_set_str(easy, CURLOPT_ACCEPT_ENCODING, "")
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
  }

  deinit {
    curl_easy_cleanup(easy)
    curl_slist_free_all(UnsafeMutablePointer<curl_slist>(headers))
    errorBuffer.deallocate()
  }

  /// Sets the per-request options. The body is copied into libcurl.
  func prepare(_ request: HTTPRequest, settings: TransportSettings) {
    sink.reset(limit: settings.maxResponseBytes)
    errorBuffer[0] = 0
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
    if code == CURLE_OK {
      var status = 0
      _ = caf_curl_get_long(easy, CURLINFO_RESPONSE_CODE, &status)
      var retryAfter: curl_off_t = 0
      _ = caf_curl_get_off(easy, CURLINFO_RETRY_AFTER, &retryAfter)
      let body = sink.bytes
      sink.reset(limit: 0)
      var answer = HTTPAnswer(status: status, body: body, retryAfterSeconds: retryAfter > 0 ? Int(retryAfter) : nil)
      answer.metrics = metrics(code)
      return .answer(answer)
    }
    var sentBytes = 0
    _ = caf_curl_get_long(easy, CURLINFO_REQUEST_SIZE, &sentBytes)
    let detail = errorBuffer[0] != 0 ? String(cString: errorBuffer) : String(cString: curl_easy_strerror(code))
    sink.bytes = []
    var failure = CurlErrors.failure(code, detail: detail, requestSent: sentBytes > 0, overflowed: sink.overflowed,
                                     limit: sink.limit)
    failure.metrics = metrics(code)
    return .failure(failure)
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
}
