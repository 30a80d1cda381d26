import CSupport
import CaffestaCore

// The "Bulk catalog sync" section of include/caffesta.h (written by hand: the report comes back
// with PARTIAL and CANCELLED too, and the progress callback crosses the boundary).

@_cdecl("caffesta_products_upsert_many")
public func caffesta_products_upsert_many(
  _ client: OpaquePointer?, _ products: CText, _ concurrency: Int32, _ report: JSONOut
) -> Int32 {
  report?.pointee = nil
  var partial: UnsafeMutablePointer<CChar>? = nil
  let status = ABI.call { () throws(CaffestaError) -> Int in
    guard let report else { throw CaffestaError(.invalidArgument, "report_json is NULL") }
    let (text, failed, cancelled) = try ABI.client(client).upsertMany(
      json: try ABI.string(products, "products_json_array"), concurrency: Int(concurrency))
    let copy = try ABI.handOut(text)
    guard cancelled == 0 else {
      partial = copy
      throw CaffestaError(.cancelled, "cancelled: \(cancelled) items stopped, \(failed - cancelled) failed; the report says which")
    }
    guard failed == 0 else {
      partial = copy
      throw CaffestaError(.partial, "\(failed) items failed: the report says which and why")
    }
    report.pointee = copy
    return 0
  }
  if let partial { report?.pointee = partial }
  return status
}

public typealias ProgressFunction = @convention(c) (UnsafeMutableRawPointer?, Int, Int) -> Void

@_cdecl("caffesta_client_set_progress")
public func caffesta_client_set_progress(
  _ client: OpaquePointer?, _ callback: ProgressFunction?, _ userData: UnsafeMutableRawPointer?
) -> Int32 {
  ABI.set(client) { c throws(CaffestaError) in  // NULL turns it off
    c.setProgress(callback.map { callback in { done, total in callback(userData, done, total) } })
  }
}

