import CCurl
import CSupport

/// The real transport: pools of easy handles and of multi handles (each multi keeps its
/// connections), so that calls on several threads run in parallel on kept-alive connections.
public final class CurlTransport: Transport {
  private let apiKey: String
  private let lock: OpaquePointer
  private var idle: [CurlHandle] = []
  private var idleMultis: [(multi: UnsafeMutableRawPointer, ledger: GoawayLedger)] = []
  private var forkGeneration: UInt32
  private let maxIdle = 16
  /// A call on a thread holds one multi handle: as many stay pooled as threads commonly call at once.
  private let maxIdleMultis = 16

  /// The running libcurl, read when a client is created: an older one than the floor is an
  /// error naming both versions, never a client that silently lacks a protection.
  public static func checkRunningLibcurl() throws(CaffestaError) {
    try checkLibcurl(versionNumber: UInt32(caf_curl_running_version()),
                     versionText: String(cString: caf_curl_running_version_text()))
  }

  /// The comparison alone, so that tests can give it an old version.
  public static func checkLibcurl(versionNumber: UInt32, versionText: String) throws(CaffestaError) {
    guard versionNumber >= UInt32(CAF_CURL_FLOOR) else {
      throw CaffestaError(.internal, "libcurl \(versionText) is older than \(CAF_CURL_FLOOR_TEXT), the oldest libcurl libcaffesta \(Version.string) supports; install libcurl \(CAF_CURL_FLOOR_TEXT) or later")
    }
  }

  public init?(apiKey: String) {
    guard let lock = caf_mutex_new() else { return nil }
    self.apiKey = apiKey
    self.lock = lock
    forkGeneration = caf_fork_generation()
  }

  deinit {
    abandonAfterFork()  // a child freeing an inherited client must not close the parent's connections
    for entry in idleMultis { curl_multi_cleanup(entry.multi) }
    caf_mutex_free(lock)
  }

  public func send(_ request: HTTPRequest, settings: TransportSettings) -> TransportResult {
    guard let handle = checkOut(caFile: settings.caFile) else {
      return .failure(TransportFailure(status: .noMemory, message: "libcurl could not allocate a handle", neverSent: true))
    }
    let result = handle.perform(request, settings: settings)
    checkIn(handle)
    return result
  }

  public func makeDriver(concurrent: Bool) -> Driver {
    caf_mutex_lock(lock)
    abandonAfterFork()
    let pooled = idleMultis.popLast()
    caf_mutex_unlock(lock)
    if let pooled { return CurlDriver(transport: self, multi: pooled.multi, ledger: pooled.ledger, concurrent: concurrent) }
    guard let multi = curl_multi_init() else { return SequentialDriver(self) }
    _ = caf_curlm_set_long(multi, CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX))
    return CurlDriver(transport: self, multi: multi, ledger: GoawayLedger(), concurrent: concurrent)
  }

  /// A finished driver's multi handle keeps its connections for the next call.
  func checkIn(multi: UnsafeMutableRawPointer, ledger: GoawayLedger) {
    caf_mutex_lock(lock)
    abandonAfterFork()
    if idleMultis.count < maxIdleMultis { idleMultis.append((multi, ledger)) } else { curl_multi_cleanup(multi) }
    caf_mutex_unlock(lock)
  }

  func checkOut(caFile: String?) -> CurlHandle? {
    caf_mutex_lock(lock)
    abandonAfterFork()
    var found: CurlHandle? = nil
    while let handle = idle.popLast() {
      if handle.caFile == caFile {
        found = handle
        break
      }
    }
    caf_mutex_unlock(lock)
    return found ?? CurlHandle(apiKey: apiKey, caFile: caFile)
  }

  func checkIn(_ handle: CurlHandle) {
    caf_mutex_lock(lock)
    abandonAfterFork()
    if idle.count < maxIdle && handle.reusable { idle.append(handle) }
    caf_mutex_unlock(lock)
  }

  /// A forked child shares the parent's sockets and TLS sessions: closing them here would
  /// send the parent's TLS close_notify, so the child keeps them, unused, and opens its own.
  private func abandonAfterFork() {
    let generation = caf_fork_generation()
    guard generation != forkGeneration else { return }
    forkGeneration = generation
    caf_global_lock()
    handlesLeftToParent += idle
    multisLeftToParent += idleMultis.map { $0.multi }
    caf_global_unlock()
    idle = []
    idleMultis = []
  }
}

/// Handles inherited over fork(), kept for the life of the process and never closed.
private var handlesLeftToParent: [CurlHandle] = []
private var multisLeftToParent: [UnsafeMutableRawPointer] = []
