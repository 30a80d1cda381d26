import CSupport

/// A Caffesta account's client: configuration, and the one place where requests are sent,
/// retried and classified. Safe to share between threads.
public final class Client {
  let transport: Transport
  let apiKey: String
  private let lock: OpaquePointer
  private var settings: Settings

  struct Settings {
    var baseURL: String
    var connectTimeoutMs = 10_000
    var requestTimeoutMs = 60_000
    var maxRetries = 2
    var caFile: String? = nil
    var maxResponseBytes: Int64 = 64 << 20
    var orderPath = Client.defaultOrderPath
    var progress: Progress? = nil
  }

  /// A client for https://{accountName}.caffesta.com over libcurl.
  public static func make(accountName: String, apiKey: String) throws(CaffestaError) -> Client {
    try Validation.apiKey(apiKey)
    try CurlTransport.checkRunningLibcurl()
    guard let transport = CurlTransport(apiKey: apiKey) else { throw CaffestaError(.noMemory, "out of memory") }
    return try make(accountName: accountName, apiKey: apiKey, transport: transport)
  }

  /// A client over any transport: tests and fuzzers pass one that answers from memory.
  /// Everything is checked before the object exists: Embedded Swift leaks an object whose
  /// initializer throws part way.
  public static func make(accountName: String, apiKey: String, transport: Transport) throws(CaffestaError) -> Client {
    try Validation.accountName(accountName)
    try Validation.apiKey(apiKey)
    guard let lock = caf_mutex_new() else { throw CaffestaError(.noMemory, "out of memory") }
    return Client(transport: transport, apiKey: apiKey, lock: lock,
                  settings: Settings(baseURL: "https://\(accountName).caffesta.com"))
  }

  private init(transport: Transport, apiKey: String, lock: OpaquePointer, settings: Settings) {
    self.transport = transport
    self.apiKey = apiKey
    self.lock = lock
    self.settings = settings
  }

  deinit { caf_mutex_free(lock) }

  // MARK: Configuration

  public func setBaseURL(_ url: String) throws(CaffestaError) {
    let normalized = try Validation.baseURL(url)
    update { $0.baseURL = normalized }
  }

  public func setTimeouts(connectMs: Int, requestMs: Int) throws(CaffestaError) {
    guard connectMs > 0, requestMs > 0 else { throw .invalid("timeouts must be positive") }
    guard connectMs <= requestMs else { throw .invalid("connect timeout must not exceed the request timeout") }
    guard requestMs <= 24 * 3_600_000 else { throw .invalid("request timeout must be at most 24 hours") }
    update {
      $0.connectTimeoutMs = connectMs
      $0.requestTimeoutMs = requestMs
    }
  }

  public func setMaxRetries(_ count: Int) throws(CaffestaError) {
    guard (0...10).contains(count) else { throw .invalid("max_retries must be 0 to 10") }
    update { $0.maxRetries = count }
  }

  public func setCAFile(_ path: String?) throws(CaffestaError) {
    if let path {
      guard !path.isEmpty, path.utf8.count <= 4096 else { throw .invalid("ca_file must be a path of 1 to 4096 bytes") }
    }
    update { $0.caFile = path }
  }

  public func setMaxResponseSize(_ bytes: Int64) throws(CaffestaError) {
    guard bytes >= 1024, bytes <= 1 << 32 else { throw .invalid("max response size must be 1 KiB to 4 GiB") }
    update { $0.maxResponseBytes = bytes }
  }

  func update(_ change: (inout Settings) -> Void) {
    caf_mutex_lock(lock)
    change(&settings)
    caf_mutex_unlock(lock)
  }

  var currentSettings: Settings {
    caf_mutex_lock(lock)
    defer { caf_mutex_unlock(lock) }
    return settings
  }

  // MARK: Sending

  /// Sends one request (retrying what is safe to retry) and returns the classified answer.
  /// `path` is already validated and encoded, relative to the base URL. `deadline` is the
  /// whole call's (callDeadline()); a call of one request may leave it out.
  func send(_ method: HTTPMethod, _ path: String, body: String? = nil, deadline: Int64? = nil)
    throws(CaffestaError) -> (JSON, Int)
  {
    let config = currentSettings
    var exchange = Exchange(method: method, path: path, body: body, config: config,
                            deadline: deadline ?? callDeadline(config))
    while true {
      guard let settings = exchange.settings(apiKey: apiKey) else { throw exchange.deadlineError() }
      switch exchange.judge(transport.send(exchange.request, settings: settings)) {
      case .retry(let delayMs): caf_sleep_ms(Int64(delayMs))
      case .finished(let result): return try result.get()
      }
    }
  }

  /// When a call starting now must end: the request timeout covers all its requests and retries.
  func callDeadline(_ config: Settings? = nil) -> Int64 {
    caf_monotonic_ms() + Int64((config ?? currentSettings).requestTimeoutMs)
  }
}
