import CSupport
import CaffestaCore

// The "Bulk catalog sync" section of include/caffesta.h (written by hand: the report comes back
// with PARTIAL and CANCELLED too, and the progress callback crosses the boundary).

@_cdecl("caffesta_products_upsert_many")
public func caffesta_products_upsert_many(
  _ client: OpaquePointer?, _ products: CText, _ concurrency: Int32, _ report: JSONOut
) -> Int32 {
  ABI.perform(present: report != nil, { () throws(CaffestaError) -> Operation<Client.BulkReport> in
    try ABI.client(client).upsertMany(json: try ABI.string(products, "products_json_array"), concurrency: Int(concurrency))
  }, outcome: ABI.bulkOutcome, clear: { report?.pointee = nil },
  write: { (outcome: CallOutcome) throws(CaffestaError) in report?.pointee = try ABI.handOut(outcome.json ?? "[]") })
}

extension ABI {
  /// A bulk call's report, with PARTIAL when items failed and CANCELLED when a cancel stopped some.
  static func bulkOutcome(_ report: Client.BulkReport) -> CallOutcome {
    var outcome = CallOutcome(json: report.json, httpStatus: 0)
    if report.cancelled > 0 {
      outcome.status = .cancelled
      outcome.message = "cancelled: \(report.cancelled) items stopped, \(report.failed - report.cancelled) failed; the report says which"
    } else if report.failed > 0 {
      outcome.status = .partial
      outcome.message = "\(report.failed) items failed: the report says which and why"
    }
    outcome.delivery = report.failed > 0 ? report.delivery : .answered
    return outcome
  }
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

