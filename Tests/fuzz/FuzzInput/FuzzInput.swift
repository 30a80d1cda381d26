// libFuzzer target: caller text through every C entry point that takes it. Built only with
// CAFFESTA_FUZZ=1 (make fuzz). The client answers from memory, so nothing touches the network.
// The first byte picks the entry point; the rest, split at 0 bytes, are its string arguments.
import Caffesta
import FuzzDriver
import FuzzSupport

@_cdecl("FuzzInput_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
  var count = argc
  var arguments = argv
  return LLVMFuzzerRunDriver(&count, &arguments, fuzzInput)
}

let successAnswer = Array(#"{"success":true,"data":{"id":7,"job_id":9,"status":"success","message":"u"}}"#.utf8)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  guard let data, size > 0 else { return 0 }
  let input = UnsafeBufferPointer(start: data, count: size)
  let client = memoryClient(status: 200, body: successAnswer)
  defer { caffesta_client_free(client) }
  let selector = input[0]
  var out: UnsafeMutablePointer<CChar>? = nil
  var id: Int64 = 0
  withCStrings(input[1...], count: 3) { s in
    let number = Int64(truncatingIfNeeded: Int(s[1].map { $0.pointee } ?? 0) &* 7919)
    switch selector % 30 {
    case 0:
      if let c = caffesta_client_new(s[0], s[1]) { caffesta_client_free(c) }
      var shared: OpaquePointer? = nil  // a shared client: its registry entry stays, bounded by its limit
      if caffesta_client_acquire(s[0], s[1], s[2], &shared, nil) == 0 { caffesta_client_free(shared) }
    case 1: _ = caffesta_client_set_base_url(client, s[0])
    case 2: _ = caffesta_product_upsert(client, s[0], &out)
    case 3: _ = caffesta_request(client, s[0], s[1], s[2], &out)
    case 4: _ = caffesta_request(client, "POST", s[0], s[1], &out)
    case 5: _ = caffesta_products_upsert_many(client, s[0], Int32(truncatingIfNeeded: number), &out)
    case 6: _ = caffesta_invoice_create(client, s[0], &id)
    case 7: _ = caffesta_move_create(client, s[0], &id)
    case 8: _ = caffesta_order_create(client, s[0], &id)
    case 9: _ = caffesta_product_get(client, s[0], &out)
    case 10: _ = caffesta_product_update(client, number, s[0], &out)
    case 11: _ = caffesta_product_update_by_ref_code(client, s[0], s[1], &out)
    case 12: _ = caffesta_menu_import(client, s[0], &out)
    case 13: _ = caffesta_menu_import_part(client, s[0], &out)
    case 14: _ = caffesta_invoices_list(client, s[0], &out)
    case 15: _ = caffesta_sales_by_product(client, s[0], s[1], s[2], &out)
    case 16: _ = caffesta_sales_by_pos(client, s[0], s[1], s[2], &out)
    case 17: _ = caffesta_receipts_by_shift_day(client, number, s[0], &out)
    case 18: _ = caffesta_receipt_info(client, s[0], &out)
    case 19: _ = caffesta_sync_changes(client, number, s[0], &out)
    case 20: _ = caffesta_client_set_order_path(client, s[0])
    case 21: _ = caffesta_client_set_ca_file(client, s[0])
    case 22: _ = caffesta_storage_stock(client, number, &out)
    case 23: _ = caffesta_products_page(client, number, number &- 1, number &+ 1, &out)
    case 24: _ = caffesta_client_set_timeouts(client, Int(number), Int(number) &* 3)
    case 25: _ = caffesta_order_wait(client, number, 1, &out)
    case 26: _ = caffesta_order_submit(client, s[0], &out)
    case 27: _ = caffesta_order_wait_submitted(client, s[0], 1, &out)
    case 28:
      _ = caffesta_client_set_proxy(client, s[0])
      _ = caffesta_request(client, "GET", s[1], nil, &out)  // a memory client: the proxy only named, never dialled
    default: _ = caffesta_sales_by_pos_grouped(client, s[0], s[1], nil, s[2], &out)
    }
  }
  consume(&out)
  _ = caffesta_last_error()
  return 0
}
