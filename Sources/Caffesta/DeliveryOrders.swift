import CaffestaCore

// The "Delivery orders" section of include/caffesta.h: the submit call, whose result covers the
// server's two answer forms (a job to poll, or the order made at once). The other calls of the
// section are plain, in DeliveryOrders.generated.swift.

@_cdecl("caffesta_order_submit")
public func caffesta_order_submit(_ client: OpaquePointer?, _ json: CText, _ result: JSONOut) -> Int32 {
  ABI.callReturningJSON(result) { () throws(CaffestaError) -> Operation<Reply> in
    try ABI.client(client).submitOrder(json: try ABI.string(json, "order_json"))
  }
}
