import CaffestaCore

// The "Calls" section of include/caffesta.h.

@_cdecl("caffesta_auth_test")
public func caffesta_auth_test(_ client: OpaquePointer?) -> Int32 {
  ABI.callReturningNothing { () throws(CaffestaError) -> Operation<Reply> in try ABI.client(client).authTest() }
}

@_cdecl("caffesta_product_upsert")
public func caffesta_product_upsert(
  _ client: OpaquePointer?, _ productJSON: UnsafePointer<CChar>?, _ result: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
  ABI.callReturningJSON(result) { () throws(CaffestaError) -> Operation<Reply> in
    try ABI.client(client).upsertProduct(json: try ABI.string(productJSON, "product_json"))
  }
}

@_cdecl("caffesta_request")
public func caffesta_request(
  _ client: OpaquePointer?, _ method: UnsafePointer<CChar>?, _ path: UnsafePointer<CChar>?,
  _ bodyJSON: UnsafePointer<CChar>?, _ response: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
  ABI.callReturningJSON(response) { () throws(CaffestaError) -> Operation<Reply> in
    try ABI.client(client).request(method: try ABI.string(method, "method"), path: try ABI.string(path, "path"),
                                   body: try ABI.optionalString(bodyJSON, "body_json"))
  }
}

// The "Products" section.

@_cdecl("caffesta_product_get")
public func caffesta_product_get(_ client: OpaquePointer?, _ refCode: CText, _ result: JSONOut) -> Int32 {
  ABI.callReturningJSON(result) { () throws(CaffestaError) -> Operation<Reply> in
    try ABI.client(client).getProduct(refCode: try ABI.string(refCode, "ref_code"))
  }
}

@_cdecl("caffesta_product_update")
public func caffesta_product_update(_ client: OpaquePointer?, _ id: Int64, _ json: CText, _ result: JSONOut) -> Int32 {
  ABI.callReturningJSON(result) { () throws(CaffestaError) -> Operation<Reply> in
    try ABI.client(client).updateProduct(id: id, json: try ABI.string(json, "product_json"))
  }
}

@_cdecl("caffesta_product_update_by_ref_code")
public func caffesta_product_update_by_ref_code(
  _ client: OpaquePointer?, _ refCode: CText, _ json: CText, _ result: JSONOut
) -> Int32 {
  ABI.callReturningJSON(result) { () throws(CaffestaError) -> Operation<Reply> in
    try ABI.client(client).updateProduct(refCode: try ABI.string(refCode, "ref_code"),
                                         json: try ABI.string(json, "product_json"))
  }
}

@_cdecl("caffesta_menu_import")
public func caffesta_menu_import(_ client: OpaquePointer?, _ json: CText, _ result: JSONOut) -> Int32 {
  ABI.callReturningJSON(result) { () throws(CaffestaError) -> Operation<Reply> in
    try ABI.client(client).importMenu(json: try ABI.string(json, "menu_json"), whole: true)
  }
}

@_cdecl("caffesta_menu_import_part")
public func caffesta_menu_import_part(_ client: OpaquePointer?, _ json: CText, _ result: JSONOut) -> Int32 {
  ABI.callReturningJSON(result) { () throws(CaffestaError) -> Operation<Reply> in
    try ABI.client(client).importMenu(json: try ABI.string(json, "menu_json"), whole: false)
  }
}
