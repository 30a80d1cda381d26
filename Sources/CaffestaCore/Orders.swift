import CSupport

/// Delivery orders and their jobs (API.md, Delivery orders).
extension Client {
  static let defaultOrderPath = "/a/v1.0/draft/orders"

  /// The docs give no usable path for creating an order; API.md decides one, and this lets a
  /// caller follow Caffesta if it says otherwise.
  public func setOrderPath(_ path: String) throws(CaffestaError) {
    let checked = try Validation.requestPath(path)
    guard !checked.utf8.contains(UInt8(ascii: "?")) else { throw .invalid("order path must not hold a query") }
    update { $0.orderPath = checked }
  }

  /// POST the order; returns the job id to poll. Not resent once it may have arrived.
  public func createOrder(json text: String) throws(CaffestaError) -> (id: Int, httpStatus: Int) {
    let order = try Arguments.object(text, "order_json")
    try Self.checkOrder(order)
    let path = currentSettings.orderPath
    let (data, status) = try payload(.post, path, body: order)
    return (try Self.idField("job_id", of: data, call: "POST \(path)"), status)
  }

  /// No negative counts or sums (API.md); the fields a job needs are there.
  static func checkOrder(_ order: JSON) throws(CaffestaError) {
    let check = FieldChecker(document: "order_json")
    let bill = try check.object(order["bill"], "bill")
    _ = try check.number(bill["total_sum"], "bill.total_sum", nonNegative: true)
    if let payments = bill["payments"], !payments.isNull {
      let list = try check.array(payments, "bill.payments")
      for index in 0..<list.count {
        let payment = try check.object(list[index], "bill.payments[\(index)]")
        _ = try check.id(payment["payment_id"], "bill.payments[\(index)].payment_id")
        _ = try check.number(payment["value"], "bill.payments[\(index)].value", nonNegative: true)
      }
    }
    let items = try check.array(bill["items"], "bill.items", nonEmpty: true)
    for index in 0..<items.count {
      let item = try check.object(items[index], "bill.items[\(index)]")
      _ = try check.number(item["count"], "bill.items[\(index)].count", nonNegative: true)
      _ = try check.number(item["total_sum"], "bill.items[\(index)].total_sum", nonNegative: true)
      for key in ["price", "discount_sum", "origin_price"] {
        try check.optionalNonNegative(item[key], "bill.items[\(index)].\(key)")
      }
      guard item["product_id"] != nil else { throw .invalid("order_json: bill.items[\(index)].product_id is missing") }
    }
  }

  /// GET /draft/get_job_status/{job_id}: {job_id, status: pending|success|failed, message}.
  public func orderJobStatus(jobId: Int64) throws(CaffestaError) -> Reply {
    let (data, status) = try payload(.get, "\(Self.apiPrefix)/draft/get_job_status/\(try Arguments.id(jobId, "job_id"))")
    return Reply(json: try Self.normalizedJob(data).serialized(), httpStatus: status)
  }

  /// The status answer gives job_id as a string ("54300903") where the create answer gives a
  /// number: callers get a number both times.
  static func normalizedJob(_ data: JSON) throws(CaffestaError) -> JSON {
    if let text = data["job_id"]?.string, let id = Int(text) { try data.set("job_id", try JSON.integer(id)) }
    return data
  }

  /// Polls the job with backoff until it succeeds (the reply's `message` is the order's UUID),
  /// fails (CAFFESTA_ERR_API with the reason) or `timeoutMs` passes (CAFFESTA_ERR_TIMEOUT).
  public func waitForOrder(jobId: Int64, timeoutMs: Int) throws(CaffestaError) -> Reply {
    let id = try Arguments.id(jobId, "job_id")
    guard timeoutMs > 0, timeoutMs <= 24 * 3_600_000 else { throw .invalid("timeout_ms must be 1 ms to 24 hours") }
    let path = "\(Self.apiPrefix)/draft/get_job_status/\(id)"
    let deadline = caf_monotonic_ms() + Int64(timeoutMs)
    let mark = cancelMark  // a poll's wait is a retry decision: cancel() ends it
    var pause: Int64 = 200
    while true {
      let data: JSON, status: Int
      do {
        (data, status) = try payload(.get, path, deadline: min(deadline, callDeadline()))
      } catch {
        guard error.status == .timeout, caf_monotonic_ms() >= deadline else { throw error }
        throw CaffestaError(.timeout, "order job \(id) still pending after \(timeoutMs) ms")
      }
      switch data["status"]?.string {
      case "success":
        return Reply(json: try Self.normalizedJob(data).serialized(), httpStatus: status)
      case "failed":
        let reason = data["message"]?.string ?? "no reason given"
        throw CaffestaError(.api, "order job \(id) failed: \(reason)", httpStatus: status)
      case "pending":
        let left = deadline - caf_monotonic_ms()
        guard left > 0 else { throw CaffestaError(.timeout, "order job \(id) still pending after \(timeoutMs) ms") }
        guard sleep(Int(min(pause, left)), unlessCancelledSince: mark) else {
          throw CaffestaError(.cancelled, "order job \(id): cancelled while it was still pending", httpStatus: status)
        }
        pause = min(pause * 3 / 2, 2_000)
      default:
        throw CaffestaError(.protocolError, "GET \(path): unexpected job status", httpStatus: status)
      }
    }
  }

  /// GET /draft/receipts/{uuid}/info: a bare array of receipts.
  public func receiptInfo(uuid: String) throws(CaffestaError) -> Reply {
    guard !uuid.isEmpty, uuid.utf8.count <= 128 else { throw .invalid("order_uuid must be 1 to 128 characters") }
    guard !uuid.utf8.contains(0) else { throw .invalid("order_uuid may not hold a NUL character") }
    return try payloadReply(.get, "\(Self.apiPrefix)/draft/receipts/\(PathSegment.encode(uuid))/info")
  }
}
