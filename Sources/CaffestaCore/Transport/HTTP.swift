public enum HTTPMethod {
  case get, post, put, patch, delete

  var name: StaticString {
    switch self {
    case .get: return "GET"
    case .post: return "POST"
    case .put: return "PUT"
    case .patch: return "PATCH"
    case .delete: return "DELETE"
    }
  }

  var text: String { "\(name)" }

  /// Whether sending the same request twice has the effect of sending it once.
  var isIdempotent: Bool {
    switch self {
    case .get, .put, .delete: return true
    case .post, .patch: return false
    }
  }
}

/// One HTTP exchange as the transport sees it.
public struct HTTPRequest {
  public var method: HTTPMethod
  public var url: String
  public var body: String?
}

/// What the transport needs besides the request; snapshotted per attempt.
public struct TransportSettings {
  public var apiKey: String
  public var connectTimeoutMs: Int
  public var timeoutMs: Int
  public var caFile: String?
  public var maxResponseBytes: Int64
  /// nil: libcurl's proxy variables decide; "" (set as "direct"): no proxy; else the proxy's URL.
  public var proxy: String? = nil
}

/// What one attempt cost on the wire, for the request log (libcurl's CURLINFO_* figures).
public struct TransportMetrics {
  public var elapsedMs = 0
  /// Connections opened for the attempt (CURLINFO_NUM_CONNECTS): 0 when one was reused;
  /// nil when the transport cannot tell.
  public var newConnections: Int? = nil
  public var bytesSent: Int64 = 0  // request line, headers and body
  public var bytesReceived: Int64 = 0  // status line, headers and body
  /// libcurl's fixed text for its error code: no host, user or body in it.
  public var failureKind: String? = nil

  public init() {}
}

public struct HTTPAnswer {
  public var status: Int
  public var body: [UInt8]
  /// Seconds from a Retry-After header, when the answer had one.
  public var retryAfterSeconds: Int?
  /// Where a redirect points (its Location), when the answer is one; never followed.
  public var location: String?
  /// Set when the answer is a proxy's own (a 407, or a proxy's non-JSON 403): "the proxy
  /// http://host:port", without its password.
  public var proxyName: String?
  public var metrics = TransportMetrics()

  public init(status: Int, body: [UInt8], retryAfterSeconds: Int? = nil, location: String? = nil,
              proxyName: String? = nil) {
    self.status = status
    self.body = body
    self.retryAfterSeconds = retryAfterSeconds
    self.location = location
    self.proxyName = proxyName
  }
}

/// A request that got no complete answer.
public struct TransportFailure {
  public var status: Status  // .network, .timeout, .tls, .protocolError, .noMemory, .invalidArgument
  public var message: String
  /// True only when the request provably never reached the server's application (DNS,
  /// connect refused, connect timeout, a proxy that refused the tunnel): then even a POST may
  /// be sent again. (An HTTP/2 stream the server refused is resent by libcurl: StreamTrace.)
  public var neverSent: Bool
  /// The status of the status line received before the failure (0: none), e.g. the 200 of an
  /// answer cut off half-way or larger than the limit.
  public var httpStatus: Int
  /// The library cut the transfer itself (a call's cancel or deadline): never retried.
  public var wasCut = false
  public var metrics = TransportMetrics()

  public init(status: Status, message: String, neverSent: Bool, httpStatus: Int = 0) {
    self.status = status
    self.message = message
    self.neverSent = neverSent
    self.httpStatus = httpStatus
  }
}

public enum TransportResult {
  case answer(HTTPAnswer)
  case failure(TransportFailure)

  var metrics: TransportMetrics {
    switch self {
    case .answer(let answer): return answer.metrics
    case .failure(let failure): return failure.metrics
    }
  }
}

/// Sends one HTTP request. Class-bound so that it can be stored as an existential in Embedded Swift.
public protocol Transport: AnyObject {
  /// One request, blocking until its result (the sequential driver runs requests this way).
  func send(_ request: HTTPRequest, settings: TransportSettings) -> TransportResult
  /// A driver for calls on one thread; `concurrent` when many requests will be in flight at
  /// once (a bulk call, the engine) rather than one at a time (a call on its caller's thread).
  func makeDriver(concurrent: Bool) -> Driver
}

extension Transport {
  /// Transports without their own concurrency run one request at a time.
  public func makeDriver(concurrent: Bool) -> Driver { SequentialDriver(self) }
}
