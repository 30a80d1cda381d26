// libFuzzer target: server answers, through the classification and every call that reads
// them. The first two bytes pick the HTTP status and the call; the rest is the body.
import Caffesta
import CaffestaCore
import CSupport
import FuzzDriver
import FuzzSupport
#if canImport(Glibc)
import Glibc
#endif

@_cdecl("FuzzAnswer_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
  var count = argc
  var arguments = argv
  return LLVMFuzzerRunDriver(&count, &arguments, fuzzAnswer)
}

let statuses = [200, 200, 200, 201, 204, 302, 400, 401, 404, 405, 429, 500, 502, 503, 504, 999]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAnswer(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  guard let data, size >= 2 else { return 0 }
  let input = UnsafeBufferPointer(start: data, count: size)
  let client = memoryClient(status: statuses[Int(input[0]) % statuses.count], body: Array(input[2...]))
  defer { caffesta_client_free(client) }
  // The selector's top bits run the call under a call object: 0x40 with its own timeout,
  // 0x80 asynchronously on the library's thread (waited for here).
  var call: OpaquePointer? = nil
  let finished = caf_counter_new()  // bumped by done, on the library's thread
  defer { caf_counter_free(finished) }
  if input[1] & 0xC0 != 0 {
    _ = caffesta_call_create(&call)
    _ = caffesta_call_set_timeout(call, 1000)
    if input[1] & 0x80 != 0 {
      _ = caffesta_call_set_done(call, { data, _ in caf_counter_increment(OpaquePointer(data)) },
                                 UnsafeMutableRawPointer(finished))
    }
    _ = caffesta_call_next(call)
  }
  defer { caffesta_call_free(call) }
  var out: UnsafeMutablePointer<CChar>? = nil
  var id: Int64 = 0
  let product = #"{"ref_code":"a/b","name":"x"}"#
  let order = #"{"bill":{"total_sum":1,"items":[{"count":1,"total_sum":1,"product_id":1}]}}"#
  switch input[1] % 16 {
  case 0: _ = caffesta_auth_test(client)
  case 1: _ = caffesta_request(client, "GET", "/a/v1.0/x", nil, &out)
  case 2: _ = caffesta_product_upsert(client, product, &out)
  case 3: _ = caffesta_products_upsert_many(client, "[\(product),\(product),{}]", 2, &out)
  case 4: _ = caffesta_storages_list(client, &out)
  case 5: _ = caffesta_products_page(client, 2, 0, 0, &out)
  case 6: _ = caffesta_products_all(client, 2, 0, &out)
  case 7: _ = caffesta_sync_changes(client, 2, "{}", &out)
  case 8: _ = caffesta_invoice_create(client, #"{"number":"1","date":"d","storage":{"caf_id":1},"items":[{"amount":1,"product_code":"p"}]}"#, &id)
  case 9: _ = caffesta_order_wait(client, 5, 1, &out)
  case 10: _ = caffesta_order_job_status(client, 5, &out)
  case 11: _ = caffesta_invoice_wire(client, 5)
  case 12: _ = caffesta_updates_get(client, 2, &out)
  case 13: _ = caffesta_sales_by_pos(client, nil, nil, "2022-04-20", &out)
  case 14: _ = caffesta_order_submit(client, order, &out)
  default: _ = caffesta_order_create(client, order, &id)
  }
  if caffesta_call_status(call) == Status.pending.rawValue {
    while caf_counter_value(finished) == 0 { usleep(1000) }
    var result: UnsafeMutablePointer<CChar>? = nil
    _ = caffesta_call_take_result(call, &result)
    consume(&result)
    _ = caffesta_call_id(call)
    _ = caffesta_call_delivery(call)
    _ = caffesta_call_error(call)
  } else {
    consume(&out)
  }
  return 0
}
