import CaffestaCore

// The "Storages" and "Incoming invoices and moves" sections of include/caffesta.h.

public typealias JSONOut = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
public typealias CText = UnsafePointer<CChar>?

@_cdecl("caffesta_storages_list")
public func caffesta_storages_list(_ client: OpaquePointer?, _ result: JSONOut) -> Int32 {
  ABI.callReturningJSON(result) { () throws(CaffestaError) -> Operation<Reply> in try ABI.client(client).listStorages() }
}

@_cdecl("caffesta_storage_stock")
public func caffesta_storage_stock(_ client: OpaquePointer?, _ storageId: Int64, _ result: JSONOut) -> Int32 {
  ABI.callReturningJSON(result) { () throws(CaffestaError) -> Operation<Reply> in
    try ABI.client(client).storageStock(storageId: storageId)
  }
}

@_cdecl("caffesta_invoice_create")
public func caffesta_invoice_create(_ client: OpaquePointer?, _ json: CText, _ id: UnsafeMutablePointer<Int64>?) -> Int32 {
  ABI.callReturningID(id) { () throws(CaffestaError) -> Operation<(id: Int, httpStatus: Int)> in
    try ABI.client(client).createInvoice(json: try ABI.string(json, "invoice_json"))
  }
}

@_cdecl("caffesta_invoice_wire")
public func caffesta_invoice_wire(_ client: OpaquePointer?, _ id: Int64) -> Int32 {
  ABI.callReturningNothing { () throws(CaffestaError) -> Operation<Reply> in try ABI.client(client).wireInvoice(id: id, .wire) }
}

@_cdecl("caffesta_invoice_unwire")
public func caffesta_invoice_unwire(_ client: OpaquePointer?, _ id: Int64) -> Int32 {
  ABI.callReturningNothing { () throws(CaffestaError) -> Operation<Reply> in try ABI.client(client).wireInvoice(id: id, .unwire) }
}

@_cdecl("caffesta_invoices_list")
public func caffesta_invoices_list(_ client: OpaquePointer?, _ start: CText, _ result: JSONOut) -> Int32 {
  ABI.callReturningJSON(result) { () throws(CaffestaError) -> Operation<Reply> in
    try ABI.client(client).listInvoices(since: try ABI.string(start, "start_date"))
  }
}

@_cdecl("caffesta_invoice_get")
public func caffesta_invoice_get(_ client: OpaquePointer?, _ id: Int64, _ result: JSONOut) -> Int32 {
  ABI.callReturningJSON(result) { () throws(CaffestaError) -> Operation<Reply> in try ABI.client(client).getInvoice(id: id) }
}

@_cdecl("caffesta_move_create")
public func caffesta_move_create(_ client: OpaquePointer?, _ json: CText, _ id: UnsafeMutablePointer<Int64>?) -> Int32 {
  ABI.callReturningID(id) { () throws(CaffestaError) -> Operation<(id: Int, httpStatus: Int)> in
    try ABI.client(client).createMove(json: try ABI.string(json, "move_json"))
  }
}

@_cdecl("caffesta_move_wire")
public func caffesta_move_wire(_ client: OpaquePointer?, _ id: Int64) -> Int32 {
  ABI.callReturningNothing { () throws(CaffestaError) -> Operation<Reply> in try ABI.client(client).wireMove(id: id, .wire) }
}

@_cdecl("caffesta_move_unwire")
public func caffesta_move_unwire(_ client: OpaquePointer?, _ id: Int64) -> Int32 {
  ABI.callReturningNothing { () throws(CaffestaError) -> Operation<Reply> in try ABI.client(client).wireMove(id: id, .unwire) }
}
