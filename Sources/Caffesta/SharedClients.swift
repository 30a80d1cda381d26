import CSupport
import CaffestaCore

// The "Shared clients" section of include/caffesta.h: a process-wide registry of transports (a
// transport holds the connections, their TLS sessions and libcurl's DNS cache), so that a host
// freeing every object at the end of a request (a php-fpm worker) keeps its connections. Each
// acquire makes a new Client over the entry's transport: settings, log, progress and cancel are
// the client's, and end with it.

/// One entry: the transport of an account name, API key and share key.
private struct SharedEntry {
  let accountName: String
  let apiKey: String
  let shareKey: String
  var transport: CurlTransport

  func matches(_ accountName: String, _ apiKey: String, _ shareKey: String) -> Bool {
    self.accountName == accountName && self.apiKey == apiKey && self.shareKey == shareKey
  }
}

// Guarded by caf_registry_lock(). Least recently used first.
private var sharedEntries: [SharedEntry] = []
private var sharedLimit = 8
private let maxShareKeyBytes = 4096
private let maxSharedLimit = 1024

/// Removes entries that no client holds until at most `limit` remain, least recently used first,
/// and returns them: the caller lets them go after unlocking (closing connections takes time).
/// An entry is held while a client holds its transport: the registry's reference is then not
/// the only one. Call with the lock held.
private func trimSharedEntries(to limit: Int) -> [SharedEntry] {
  var removed: [SharedEntry] = []
  var index = 0
  while sharedEntries.count > limit && index < sharedEntries.count {
    if isKnownUniquelyReferenced(&sharedEntries[index].transport) {
      removed.append(sharedEntries.remove(at: index))
    } else {
      index += 1
    }
  }
  return removed
}

@_cdecl("caffesta_client_acquire")
public func caffesta_client_acquire(
  _ accountName: CText, _ apiKey: CText, _ shareKey: CText,
  _ out: UnsafeMutablePointer<OpaquePointer?>?, _ reused: UnsafeMutablePointer<Int32>?
) -> Int32 {
  out?.pointee = nil
  reused?.pointee = 0
  var closing: [SharedEntry] = []  // let go after the lock is released
  let status = ABI.call { () throws(CaffestaError) -> Int in
    guard let out else { throw CaffestaError(.invalidArgument, "the client output pointer is NULL") }
    let account = try ABI.string(accountName, "account_name")
    let key = try ABI.string(apiKey, "api_key")
    let share = try ABI.optionalString(shareKey, "share_key") ?? ""
    guard share.utf8.count <= maxShareKeyBytes else {
      throw CaffestaError(.invalidArgument, "share_key is longer than \(maxShareKeyBytes) bytes")
    }
    try CurlTransport.checkRunningLibcurl()

    caf_registry_lock()
    var found: CurlTransport? = nil
    if sharedLimit > 0, let index = sharedEntries.firstIndex(where: { $0.matches(account, key, share) }) {
      let entry = sharedEntries.remove(at: index)
      found = entry.transport
      sharedEntries.append(entry)  // the most recently used
    }
    closing = trimSharedEntries(to: sharedLimit)  // entries held when the limit was lowered
    caf_registry_unlock()

    if let found {
      let client = try Client.make(accountName: account, apiKey: key, transport: found)
      out.pointee = OpaquePointer(Unmanaged.passRetained(client).toOpaque())
      reused?.pointee = 1
      return 0
    }
    // A new entry. The client is made first: it checks the name and key, and nothing invalid
    // enters the registry.
    guard let transport = CurlTransport(apiKey: key) else { throw CaffestaError(.noMemory, "out of memory") }
    let client = try Client.make(accountName: account, apiKey: key, transport: transport)
    caf_registry_lock()
    // Another thread may have made the same entry meanwhile: this client then stays ordinary.
    if sharedLimit > 0 && !sharedEntries.contains(where: { $0.matches(account, key, share) }) {
      closing += trimSharedEntries(to: sharedLimit - 1)
      if sharedEntries.count < sharedLimit {
        sharedEntries.append(SharedEntry(accountName: account, apiKey: key, shareKey: share, transport: transport))
      }
    }
    caf_registry_unlock()
    out.pointee = OpaquePointer(Unmanaged.passRetained(client).toOpaque())
    return 0
  }
  closing.removeAll()
  return status
}

@_cdecl("caffesta_shared_clients_set_limit")
public func caffesta_shared_clients_set_limit(_ limit: Int32) -> Int32 {
  var closing: [SharedEntry] = []
  let status = ABI.call { () throws(CaffestaError) -> Int in
    guard limit >= 0, Int(limit) <= maxSharedLimit else {
      throw CaffestaError(.invalidArgument, "the shared clients' limit must be 0 to \(maxSharedLimit)")
    }
    caf_registry_lock()
    sharedLimit = Int(limit)
    closing = trimSharedEntries(to: sharedLimit)
    caf_registry_unlock()
    return 0
  }
  closing.removeAll()
  return status
}
