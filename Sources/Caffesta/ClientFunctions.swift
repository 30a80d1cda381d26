import CSupport
import CaffestaCore

// The "Client" section of include/caffesta.h.

@_cdecl("caffesta_client_new")
public func caffesta_client_new(_ accountName: UnsafePointer<CChar>?, _ apiKey: UnsafePointer<CChar>?) -> OpaquePointer? {
  var created: Client? = nil
  _ = ABI.call { () throws(CaffestaError) -> Int in
    created = try Client.make(accountName: try ABI.string(accountName, "account_name"),
                         apiKey: try ABI.string(apiKey, "api_key"))
    return 0
  }
  guard let created else { return nil }
  return OpaquePointer(Unmanaged.passRetained(created).toOpaque())
}

/// caffesta_client_new with a status: INVALID_ARGUMENT or NO_MEMORY say why it failed.
@_cdecl("caffesta_client_create")
public func caffesta_client_create(
  _ accountName: UnsafePointer<CChar>?, _ apiKey: UnsafePointer<CChar>?,
  _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
  out?.pointee = nil
  return ABI.call { () throws(CaffestaError) -> Int in
    guard let out else { throw CaffestaError(.invalidArgument, "the client output pointer is NULL") }
    let created = try Client.make(accountName: try ABI.string(accountName, "account_name"),
                                  apiKey: try ABI.string(apiKey, "api_key"))
    out.pointee = OpaquePointer(Unmanaged.passRetained(created).toOpaque())
    return 0
  }
}

@_cdecl("caffesta_client_free")
public func caffesta_client_free(_ client: OpaquePointer?) {
  guard let client else { return }
  let owned = Unmanaged<Client>.fromOpaque(UnsafeRawPointer(client))
  owned.takeUnretainedValue().close()  // its asynchronous calls end (CANCELLED) and its thread with them
  owned.release()
}

@_cdecl("caffesta_client_set_base_url")
public func caffesta_client_set_base_url(_ client: OpaquePointer?, _ baseURL: UnsafePointer<CChar>?) -> Int32 {
  ABI.call { () throws(CaffestaError) -> Int in
    try ABI.client(client).setBaseURL(try ABI.string(baseURL, "base_url"))
    return 0
  }
}

@_cdecl("caffesta_client_set_timeouts")
public func caffesta_client_set_timeouts(_ client: OpaquePointer?, _ connectMs: Int, _ requestMs: Int) -> Int32 {
  ABI.call { () throws(CaffestaError) -> Int in
    try ABI.client(client).setTimeouts(connectMs: connectMs, requestMs: requestMs)
    return 0
  }
}

@_cdecl("caffesta_client_set_max_retries")
public func caffesta_client_set_max_retries(_ client: OpaquePointer?, _ maxRetries: Int32) -> Int32 {
  ABI.call { () throws(CaffestaError) -> Int in
    try ABI.client(client).setMaxRetries(Int(maxRetries))
    return 0
  }
}

@_cdecl("caffesta_client_set_ca_file")
public func caffesta_client_set_ca_file(_ client: OpaquePointer?, _ caFile: UnsafePointer<CChar>?) -> Int32 {
  ABI.call { () throws(CaffestaError) -> Int in
    try ABI.client(client).setCAFile(try ABI.optionalString(caFile, "ca_file"))
    return 0
  }
}

@_cdecl("caffesta_client_set_max_response_size")
public func caffesta_client_set_max_response_size(_ client: OpaquePointer?, _ maxBytes: Int64) -> Int32 {
  ABI.call { () throws(CaffestaError) -> Int in
    try ABI.client(client).setMaxResponseSize(maxBytes)
    return 0
  }
}

@_cdecl("caffesta_client_set_proxy")
public func caffesta_client_set_proxy(_ client: OpaquePointer?, _ proxy: UnsafePointer<CChar>?) -> Int32 {
  ABI.call { () throws(CaffestaError) -> Int in
    try ABI.client(client).setProxy(try ABI.optionalString(proxy, "proxy"))
    return 0
  }
}
