import CSupport
import CaffestaCore

// The "Client" section of include/caffesta.h: making and freeing a client. Its settings are
// plain calls, in Client.generated.swift.

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
