import CSupport
import CaffestaCore

// The "Stopping and seeing: cancel and the request log" section of include/caffesta.h (written
// by hand: an async-signal-safe cancel, and a C callback).

@_cdecl("caffesta_client_cancel")
public func caffesta_client_cancel(_ client: OpaquePointer?) {
  // Async-signal-safe: no lock, no allocation, no retain: one atomic increment.
  guard let client else { return }
  Unmanaged<Client>.fromOpaque(UnsafeRawPointer(client))._withUnsafeGuaranteedRef { $0.cancel() }
}

public typealias LogFunction = @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?) -> Void

@_cdecl("caffesta_client_set_log")
public func caffesta_client_set_log(
  _ client: OpaquePointer?, _ callback: LogFunction?, _ userData: UnsafeMutableRawPointer?
) -> Int32 {
  ABI.set(client) { c throws(CaffestaError) in  // NULL turns it off
    c.setLog(callback.map { callback in { event in event.withCString { callback(userData, $0) } } })
  }
}
