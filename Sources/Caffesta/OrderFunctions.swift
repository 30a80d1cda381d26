import CaffestaCore

// The "Delivery orders" section of include/caffesta.h.

@_cdecl("caffesta_client_set_order_path")
public func caffesta_client_set_order_path(_ client: OpaquePointer?, _ path: CText) -> Int32 {
  ABI.call { () throws(CaffestaError) -> Int in
    try ABI.client(client).setOrderPath(try ABI.string(path, "path"))
    return 0
  }
}

@_cdecl("caffesta_order_create")
public func caffesta_order_create(_ client: OpaquePointer?, _ json: CText, _ jobId: UnsafeMutablePointer<Int64>?) -> Int32 {
  ABI.callReturningID(jobId) { () throws(CaffestaError) -> Operation<(id: Int, httpStatus: Int)> in
    try ABI.client(client).createOrder(json: try ABI.string(json, "order_json"))
  }
}

@_cdecl("caffesta_order_submit")
public func caffesta_order_submit(_ client: OpaquePointer?, _ json: CText, _ result: JSONOut) -> Int32 {
  ABI.callReturningJSON(result) { () throws(CaffestaError) -> Operation<Reply> in
    try ABI.client(client).submitOrder(json: try ABI.string(json, "order_json"))
  }
}

@_cdecl("caffesta_order_wait_submitted")
public func caffesta_order_wait_submitted(
  _ client: OpaquePointer?, _ submitted: CText, _ timeoutMs: Int, _ result: JSONOut
) -> Int32 {
  ABI.callReturningJSON(result) { () throws(CaffestaError) -> Operation<Reply> in
    try ABI.client(client).waitForOrder(submitted: try ABI.string(submitted, "submitted_json"), timeoutMs: timeoutMs)
  }
}

@_cdecl("caffesta_order_job_status")
public func caffesta_order_job_status(_ client: OpaquePointer?, _ jobId: Int64, _ result: JSONOut) -> Int32 {
  ABI.callReturningJSON(result) { () throws(CaffestaError) -> Operation<Reply> in try ABI.client(client).orderJobStatus(jobId: jobId) }
}

@_cdecl("caffesta_order_wait")
public func caffesta_order_wait(_ client: OpaquePointer?, _ jobId: Int64, _ timeoutMs: Int, _ result: JSONOut) -> Int32 {
  ABI.callReturningJSON(result) { () throws(CaffestaError) -> Operation<Reply> in
    try ABI.client(client).waitForOrder(jobId: jobId, timeoutMs: timeoutMs)
  }
}

@_cdecl("caffesta_receipt_info")
public func caffesta_receipt_info(_ client: OpaquePointer?, _ uuid: CText, _ result: JSONOut) -> Int32 {
  ABI.callReturningJSON(result) { () throws(CaffestaError) -> Operation<Reply> in
    try ABI.client(client).receiptInfo(uuid: try ABI.string(uuid, "order_uuid"))
  }
}
