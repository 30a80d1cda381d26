import CSupport

/// Delivery orders and their jobs (docs/api.md, Delivery orders).
extension Client {
  /// An integrator's production code posts orders here and reads the answer at once (docs/api.md,
  /// Delivery orders); the docs themselves give no usable path.
  static let defaultOrderPath = "/a/v1.1/draft/receipts"

  /// Lets a caller follow Caffesta if it says otherwise (the v1.0 path answers through a job).
  public func setOrderPath(_ path: String) throws(CaffestaError) {
    let checked = try Validation.requestPath(path)
    guard !checked.utf8.contains(UInt8(ascii: "?")) else { throw .invalid("order path must not hold a query") }
    update { $0.orderPath = checked }
  }

  /// What a create answer says: a job to poll (`{job_id, status: pending}`), or an order made
  /// at once (`{status: success, message: UUID}`), or both.
  public struct SubmittedOrder {
    public let jobId: Int?
    public let status: String
    public let uuid: String?

    /// `{"job_id": N|null, "status": "...", "uuid": "..."|null}`
    public func json() throws(CaffestaError) -> String {
      let job = jobId.map { String($0) } ?? "null"
      let receipt = uuid.map(JSONWriter.quote) ?? "null"
      return "{\"job_id\":\(job),\"status\":\(JSONWriter.quote(status)),\"uuid\":\(receipt)}"
    }
  }

  /// POST the order; the answer in either form. `status: failed` is CAFFESTA_ERR_API with the
  /// server's reason. Not resent once it may have arrived.
  public func submitOrder(json text: String) throws(CaffestaError) -> (order: SubmittedOrder, httpStatus: Int) {
    let order = try Arguments.object(text, "order_json")
    try Self.checkOrder(order)
    let path = currentSettings.orderPath
    let (data, status) = try payload(.post, path, body: text)
    return (try Self.submittedOrder(data, call: "POST \(currentSettings.baseURL)\(path)", httpStatus: status), status)
  }

  static func submittedOrder(_ data: JSON, call: String, httpStatus: Int) throws(CaffestaError) -> SubmittedOrder {
    guard data.isObject, let state = data["status"]?.string else {
      throw CaffestaError(.protocolError, "\(call): the answer has no order status; the order may have been made",
                          httpStatus: httpStatus)
    }
    if state == "failed" {
      let reason = data["message"]?.string ?? data["error"]?.string ?? "no reason given"
      throw CaffestaError(.api, "\(call): the order failed: \(reason)", httpStatus: httpStatus)
    }
    let hasJob = data["job_id"].map { !$0.isNull } ?? false
    let jobId = hasJob ? try idField("job_id", of: data, call: call) : nil
    let uuid = state == "success" ? data["message"]?.string : nil
    guard jobId != nil || uuid != nil else {
      throw CaffestaError(.protocolError, "\(call): the answer has neither a job_id nor the order's UUID; the order may have been made",
                          httpStatus: httpStatus)
    }
    return SubmittedOrder(jobId: jobId, status: state, uuid: uuid)
  }

  /// The old call: the job id to poll, or 0 when the answer made the order at once (its UUID
  /// is then only in submitOrder's result).
  public func createOrder(json text: String) throws(CaffestaError) -> (id: Int, httpStatus: Int) {
    let (order, status) = try submitOrder(json: text)
    return (order.jobId ?? 0, status)
  }

  /// Waits for a submitted order (submitOrder's result): one that is done already comes back
  /// without a request; one with a pending job is polled as waitForOrder(jobId:) does.
  /// Answers `{"job_id", "status": "success", "uuid"}`.
  public func waitForOrder(submitted text: String, timeoutMs: Int) throws(CaffestaError) -> Reply {
    let submitted = try Arguments.object(text, "submitted_json")
    try Limits.timeout(timeoutMs, "timeout_ms")
    var jobId: Int? = nil
    if let value = submitted["job_id"], !value.isNull {
      guard let id = value.integer, id > 0 else { throw .invalid("submitted_json: job_id must be a positive integer or null") }
      jobId = id
    }
    if submitted["status"]?.string == "success", let uuid = submitted["uuid"]?.string {
      return Reply(json: try SubmittedOrder(jobId: jobId, status: "success", uuid: uuid).json(), httpStatus: 0)
    }
    guard let jobId else {
      throw .invalid("submitted_json: neither a job_id to poll nor status \"success\" with a uuid")
    }
    let (done, status) = try pollOrderJob(jobId: Int64(jobId), timeoutMs: timeoutMs)
    let final = SubmittedOrder(jobId: jobId, status: "success", uuid: Self.unwrap(done)["message"]?.string)
    return Reply(json: try final.json(), httpStatus: status)
  }

  /// No negative counts or sums (docs/api.md); the fields a job needs are there.
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
    let (answer, status) = try send(.get, "\(Self.apiPrefix)/draft/get_job_status/\(try Arguments.id(jobId, "job_id"))")
    return Reply(json: Self.normalizedJob(answer), httpStatus: status)
  }

  /// The status answer gives job_id as a string ("54300903") where the create answer gives a
  /// number: callers get a number both times. The rest of `data` is as the server wrote it.
  static func normalizedJob(_ answer: JSON) -> String {
    let text = payloadText(answer)
    guard let data = payloadJSONText(answer), data.isObject, let range = data.member("job_id"),
      let id = data.string(at: range), let first = id.utf8.first, id.utf8.allSatisfy(Validation.isDigit),
      first != UInt8(ascii: "0") || id.utf8.count == 1
    else { return text }
    return data.slice(0..<range.lowerBound) + id + data.slice(range.upperBound..<data.text.utf8.count)
  }

  /// Polls the job with backoff until it succeeds (the reply's `message` is the order's UUID),
  /// fails (CAFFESTA_ERR_API with the reason) or `timeoutMs` passes (CAFFESTA_ERR_TIMEOUT).
  public func waitForOrder(jobId: Int64, timeoutMs: Int) throws(CaffestaError) -> Reply {
    let (answer, status) = try pollOrderJob(jobId: jobId, timeoutMs: timeoutMs)
    return Reply(json: Self.normalizedJob(answer), httpStatus: status)
  }

  /// The job's final answer (the whole envelope) once it succeeded (its data's `message` is
  /// the order's UUID).
  func pollOrderJob(jobId: Int64, timeoutMs: Int) throws(CaffestaError) -> (JSON, Int) {
    let id = try Arguments.id(jobId, "job_id")
    try Limits.timeout(timeoutMs, "timeout_ms")
    let path = "\(Self.apiPrefix)/draft/get_job_status/\(id)"
    let deadline = caf_monotonic_ms() + Int64(timeoutMs)
    let mark = cancelMark  // a poll's wait is a retry decision: cancel() ends it
    var pause: Int64 = 200
    while true {
      let answer: JSON, status: Int
      do {
        (answer, status) = try send(.get, path, deadline: min(deadline, callDeadline()))
      } catch {
        guard error.status == .timeout, caf_monotonic_ms() >= deadline else { throw error }
        throw CaffestaError(.timeout, "order job \(id) still pending after \(timeoutMs) ms")
      }
      let data = Self.unwrap(answer)
      switch data["status"]?.string {
      case "success":
        return (answer, status)
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
