import CaffestaCore

// The "Update feeds" and "Sales exports" sections of include/caffesta.h.

@_cdecl("caffesta_updates_get")
public func caffesta_updates_get(_ client: OpaquePointer?, _ posId: Int64, _ result: JSONOut) -> Int32 {
  ABI.callReturningJSON(result) { () throws(CaffestaError) -> Operation<Reply> in try ABI.client(client).updates(posId: posId) }
}

@_cdecl("caffesta_products_page")
public func caffesta_products_page(
  _ client: OpaquePointer?, _ posId: Int64, _ startId: Int64, _ ts: Int64, _ result: JSONOut
) -> Int32 {
  ABI.callReturningJSON(result) { () throws(CaffestaError) -> Operation<Reply> in
    try ABI.client(client).productsPage(posId: posId, startId: startId, since: ts)
  }
}

@_cdecl("caffesta_products_all")
public func caffesta_products_all(_ client: OpaquePointer?, _ posId: Int64, _ ts: Int64, _ result: JSONOut) -> Int32 {
  ABI.callReturningJSON(result) { () throws(CaffestaError) -> Operation<Reply> in
    try ABI.client(client).allProducts(posId: posId, since: ts)
  }
}

@_cdecl("caffesta_balances_get")
public func caffesta_balances_get(_ client: OpaquePointer?, _ posId: Int64, _ ts: Int64, _ result: JSONOut) -> Int32 {
  ABI.callReturningJSON(result) { () throws(CaffestaError) -> Operation<Reply> in try ABI.client(client).balances(posId: posId, since: ts) }
}

@_cdecl("caffesta_clients_get")
public func caffesta_clients_get(_ client: OpaquePointer?, _ ts: Int64, _ result: JSONOut) -> Int32 {
  ABI.callReturningJSON(result) { () throws(CaffestaError) -> Operation<Reply> in try ABI.client(client).loyaltyClients(since: ts) }
}

@_cdecl("caffesta_product_shop_data_get")
public func caffesta_product_shop_data_get(
  _ client: OpaquePointer?, _ posId: Int64, _ ts: Int64, _ result: JSONOut
) -> Int32 {
  ABI.callReturningJSON(result) { () throws(CaffestaError) -> Operation<Reply> in
    try ABI.client(client).productShopData(posId: posId, since: ts)
  }
}

@_cdecl("caffesta_categories_get")
public func caffesta_categories_get(_ client: OpaquePointer?, _ result: JSONOut) -> Int32 {
  ABI.callReturningJSON(result) { () throws(CaffestaError) -> Operation<Reply> in try ABI.client(client).referenceList(.categories) }
}

@_cdecl("caffesta_workspaces_get")
public func caffesta_workspaces_get(_ client: OpaquePointer?, _ result: JSONOut) -> Int32 {
  ABI.callReturningJSON(result) { () throws(CaffestaError) -> Operation<Reply> in try ABI.client(client).referenceList(.workspaces) }
}

@_cdecl("caffesta_taxes_get")
public func caffesta_taxes_get(_ client: OpaquePointer?, _ result: JSONOut) -> Int32 {
  ABI.callReturningJSON(result) { () throws(CaffestaError) -> Operation<Reply> in try ABI.client(client).referenceList(.taxes) }
}

@_cdecl("caffesta_modifier_groups_get")
public func caffesta_modifier_groups_get(_ client: OpaquePointer?, _ result: JSONOut) -> Int32 {
  ABI.callReturningJSON(result) { () throws(CaffestaError) -> Operation<Reply> in try ABI.client(client).referenceList(.modifierGroups) }
}

@_cdecl("caffesta_sync_changes")
public func caffesta_sync_changes(_ client: OpaquePointer?, _ posId: Int64, _ known: CText, _ result: JSONOut) -> Int32 {
  ABI.callReturningJSON(result) { () throws(CaffestaError) -> Operation<Reply> in
    try ABI.client(client).syncChanges(posId: posId, known: try ABI.string(known, "known_json"))
  }
}

@_cdecl("caffesta_sales_by_product")
public func caffesta_sales_by_product(
  _ client: OpaquePointer?, _ start: CText, _ end: CText, _ shiftDay: CText, _ result: JSONOut
) -> Int32 {
  caffesta_sales_by_product_grouped(client, start, end, shiftDay, nil, result)  // no add_gr_by
}

@_cdecl("caffesta_sales_by_pos")
public func caffesta_sales_by_pos(
  _ client: OpaquePointer?, _ start: CText, _ end: CText, _ shiftDay: CText, _ result: JSONOut
) -> Int32 {
  caffesta_sales_by_pos_grouped(client, start, end, shiftDay, nil, result)  // no add_gr_by
}

@_cdecl("caffesta_sales_by_product_grouped")
public func caffesta_sales_by_product_grouped(
  _ client: OpaquePointer?, _ start: CText, _ end: CText, _ shiftDay: CText, _ addGroupBy: CText, _ result: JSONOut
) -> Int32 {
  ABI.callReturningJSON(result) { () throws(CaffestaError) -> Operation<Reply> in
    try ABI.client(client).exportSales(
      .byProduct, start: try ABI.optionalString(start, "start"), end: try ABI.optionalString(end, "end"),
      shiftDay: try ABI.optionalString(shiftDay, "shift_day"), addGroupBy: try ABI.optionalString(addGroupBy, "add_gr_by"))
  }
}

@_cdecl("caffesta_sales_by_pos_grouped")
public func caffesta_sales_by_pos_grouped(
  _ client: OpaquePointer?, _ start: CText, _ end: CText, _ shiftDay: CText, _ addGroupBy: CText, _ result: JSONOut
) -> Int32 {
  ABI.callReturningJSON(result) { () throws(CaffestaError) -> Operation<Reply> in
    try ABI.client(client).exportSales(
      .byPOS, start: try ABI.optionalString(start, "start"), end: try ABI.optionalString(end, "end"),
      shiftDay: try ABI.optionalString(shiftDay, "shift_day"), addGroupBy: try ABI.optionalString(addGroupBy, "add_gr_by"))
  }
}

@_cdecl("caffesta_receipts_by_shift_day")
public func caffesta_receipts_by_shift_day(
  _ client: OpaquePointer?, _ terminalId: Int64, _ date: CText, _ result: JSONOut
) -> Int32 {
  ABI.callReturningJSON(result) { () throws(CaffestaError) -> Operation<Reply> in
    try ABI.client(client).receiptsByShiftDay(terminalId: terminalId, day: try ABI.string(date, "date"))
  }
}
