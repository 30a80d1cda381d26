import CaffestaCore

// The "Calls" section of include/caffesta.h.

@_cdecl("caffesta_auth_test")
public func caffesta_auth_test(_ client: OpaquePointer?) -> Int32 {
  ABI.call { () throws(CaffestaError) -> Int in try ABI.client(client).authTest().httpStatus }
}

@_cdecl("caffesta_product_upsert")
public func caffesta_product_upsert(
  _ client: OpaquePointer?, _ productJSON: UnsafePointer<CChar>?, _ result: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
  ABI.callReturningJSON(result) { () throws(CaffestaError) -> Reply in
    try ABI.client(client).upsertProduct(json: try ABI.string(productJSON, "product_json"))
  }
}

@_cdecl("caffesta_request")
public func caffesta_request(
  _ client: OpaquePointer?, _ method: UnsafePointer<CChar>?, _ path: UnsafePointer<CChar>?,
  _ bodyJSON: UnsafePointer<CChar>?, _ response: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
  ABI.callReturningJSON(response) { () throws(CaffestaError) -> Reply in
    try ABI.client(client).request(method: try ABI.string(method, "method"), path: try ABI.string(path, "path"),
                                   body: try ABI.optionalString(bodyJSON, "body_json"))
  }
}
