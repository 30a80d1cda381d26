import CSupport

/// A Caffesta account's client: its configuration, its transport and its cancel. Its calls
/// (Operation, made by the methods under Endpoints/) run on a driver: the caller's thread's or
/// the client's engine. Safe to share between threads.
public final class Client {
  let transport: Transport
  let apiKey: String
  private let lock: OpaquePointer
  /// Bumped by cancel(); a call is cancelled when it differs from the value it started with.
  private let cancels: OpaquePointer
  private var settings: Settings
  /// Guards `engine`, the library thread of asynchronous calls (Engine.swift).
  let engineLock: OpaquePointer
  var engine: Engine? = nil
  /// close() ran: no engine is started again.
  var closed = false

  /// The client's settings as one call sees them: an immutable snapshot once published (update
  /// replaces it with a changed copy), so a call takes it with one retain instead of copying
  /// every field.
  final class Settings {
    var baseURL: String
    var connectTimeoutMs = 10_000
    var requestTimeoutMs = 60_000
    var maxRetries = 2
    var caFile: String? = nil
    var maxResponseBytes: Int64 = 64 << 20
    var orderPath = Client.defaultOrderPath
    var progress: Progress? = nil
    /// nil: the environment's proxy variables; "": no proxy ("direct"); else a proxy URL.
    var proxy: String? = nil
    var log: LogSink? = nil

    init(baseURL: String) { self.baseURL = baseURL }

    /// Every field above, copied: a new field must be added here too.
    func copy() -> Settings {
      let other = Settings(baseURL: baseURL)
      other.connectTimeoutMs = connectTimeoutMs
      other.requestTimeoutMs = requestTimeoutMs
      other.maxRetries = maxRetries
      other.caFile = caFile
      other.maxResponseBytes = maxResponseBytes
      other.orderPath = orderPath
      other.progress = progress
      other.proxy = proxy
      other.log = log
      return other
    }
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
    guard let cancels = caf_counter_new() else {
      caf_mutex_free(lock)
      throw CaffestaError(.noMemory, "out of memory")
    }
    guard let engineLock = caf_mutex_new() else {
      caf_mutex_free(lock)
      caf_counter_free(cancels)
      throw CaffestaError(.noMemory, "out of memory")
    }
    return Client(transport: transport, apiKey: apiKey, lock: lock, cancels: cancels, engineLock: engineLock,
                  settings: Settings(baseURL: "https://\(accountName).caffesta.com"))
  }

  private init(transport: Transport, apiKey: String, lock: OpaquePointer, cancels: OpaquePointer,
               engineLock: OpaquePointer, settings: Settings) {
    self.transport = transport
    self.apiKey = apiKey
    self.lock = lock
    self.cancels = cancels
    self.engineLock = engineLock
    self.settings = settings
  }

  deinit {
    close()
    caf_mutex_free(lock)
    caf_counter_free(cancels)
    caf_mutex_free(engineLock)
  }

  // MARK: Configuration

  public func setBaseURL(_ url: String) throws(CaffestaError) {
    let normalized = try Validation.baseURL(url)
    update { $0.baseURL = normalized }
  }

  public func setTimeouts(connectMs: Int, requestMs: Int) throws(CaffestaError) {
    guard connectMs > 0, requestMs > 0 else { throw .invalid("timeouts must be positive") }
    guard connectMs <= requestMs else { throw .invalid("connect timeout must not exceed the request timeout") }
    guard requestMs <= Limits.maxTimeoutMs else { throw .invalid("request timeout must be at most 24 hours") }
    update {
      $0.connectTimeoutMs = connectMs
      $0.requestTimeoutMs = requestMs
    }
  }

  public func setMaxRetries(_ count: Int) throws(CaffestaError) {
    guard (0...Limits.maxRetries).contains(count) else { throw .invalid("max_retries must be 0 to \(Limits.maxRetries)") }
    update { $0.maxRetries = count }
  }

  public func setCAFile(_ path: String?) throws(CaffestaError) {
    if let path {
      guard !path.isEmpty, path.utf8.count <= 4096 else { throw .invalid("ca_file must be a path of 1 to 4096 bytes") }
    }
    update { $0.caFile = path }
  }

  public func setMaxResponseSize(_ bytes: Int64) throws(CaffestaError) {
    guard Limits.responseBytes.contains(bytes) else { throw .invalid("max response size must be 1 KiB to 4 GiB") }
    update { $0.maxResponseBytes = bytes }
  }

  /// The proxy for every request: a URL, "direct" for none whatever the environment says, or
  /// nil to go back to libcurl's proxy variables.
  public func setProxy(_ proxy: String?) throws(CaffestaError) {
    let value = try proxy.map { (text: String) throws(CaffestaError) -> String in try Proxy.validated(text) }
    update { $0.proxy = value }
  }

  /// Receives one JSON event per attempt (AttemptEvent), on the thread that runs the call.
  public typealias LogSink = (_ eventJSON: String) -> Void

  /// Sets the request log of this client's calls; nil turns it off. Calls already running
  /// keep the log they started with.
  public func setLog(_ log: LogSink?) {
    update { $0.log = log }
  }

  func update(_ change: (inout Settings) -> Void) {
    caf_mutex_lock(lock)
    var changed = settings.copy()
    change(&changed)
    settings = changed
    caf_mutex_unlock(lock)
  }

  var currentSettings: Settings {
    caf_mutex_lock(lock)
    defer { caf_mutex_unlock(lock) }
    return settings
  }

  // MARK: Cancelling

  /// Cancels the calls running on this client (caffesta_client_cancel). One atomic increment:
  /// safe from any thread and from a signal handler. A call is running from its first step
  /// (when it takes `cancelMark`) to its return; calls started later are not affected, so
  /// there is no flag to clear.
  public func cancel() { caf_counter_increment(cancels) }

  /// Taken when a call starts (CallContext); compared by `isCancelled(since:)` at each decision point.
  var cancelMark: UInt64 { caf_counter_value(cancels) }

  func isCancelled(since mark: UInt64) -> Bool { caf_counter_value(cancels) != mark }
}
