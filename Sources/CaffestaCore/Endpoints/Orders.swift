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
    public func json() -> String {
      let job = jobId.map { String($0) } ?? "null"
      let receipt = uuid.map(JSONWriter.quote) ?? "null"
      return "{\"job_id\":\(job),\"status\":\(JSONWriter.quote(status)),\"uuid\":\(receipt)}"
    }
  }

  /// POST the order; the answer in either form, as SubmittedOrder.json(). `status: failed` is
  /// CAFFESTA_ERR_API with the server's reason. Not resent once it may have arrived.
  public func submitOrder(json text: String) throws(CaffestaError) -> Operation<Reply> {
    try submitted(json: text).map { Reply(json: $0.order.json(), httpStatus: $0.httpStatus) }
  }

  /// The old call: the job id to poll, or 0 when the answer made the order at once (its UUID
  /// is then only in submitOrder's result).
  public func createOrder(json text: String) throws(CaffestaError) -> Operation<(id: Int, httpStatus: Int)> {
    try submitted(json: text).map { ($0.order.jobId ?? 0, $0.httpStatus) }
  }

  private func submitted(json text: String) throws(CaffestaError) -> Operation<(order: SubmittedOrder, httpStatus: Int)> {
    let order = try Arguments.object(text, "order_json")
    try Self.checkOrder(order)
    return Operation(self, effect: .orderPlaced) { context, done in
      let path = context.config.orderPath
      context.send(.post, path, body: text, read: {
        (answer: JSON, status: Int) throws(CaffestaError) -> (order: SubmittedOrder, httpStatus: Int) in
        (try Self.submittedOrder(Self.unwrap(answer), call: "POST \(context.config.baseURL)\(path)", httpStatus: status), status)
      }) { result in done(result.mapError(OrderRefusal.explained)) }
    }
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

  /// Waits for a submitted order (submitOrder's result): one that is done already comes back
  /// without a request; one with a pending job is polled as waitForOrder(jobId:) does.
  /// Answers `{"job_id", "status": "success", "uuid"}`.
  public func waitForOrder(submitted text: String, timeoutMs: Int) throws(CaffestaError) -> Operation<Reply> {
    let submitted = try Arguments.object(text, "submitted_json")
    try Limits.timeout(timeoutMs, "timeout_ms")
    var jobId: Int? = nil
    if let value = submitted["job_id"], !value.isNull {
      guard let id = value.integer, id > 0 else { throw .invalid("submitted_json: job_id must be a positive integer or null") }
      jobId = id
    }
    if submitted["status"]?.string == "success", let uuid = submitted["uuid"]?.string {
      let reply = Reply(json: SubmittedOrder(jobId: jobId, status: "success", uuid: uuid).json(), httpStatus: 0)
      return Operation(self) { context, done in context.driver.later { done(.success(reply)) } }
    }
    guard let jobId else {
      throw .invalid("submitted_json: neither a job_id to poll nor status \"success\" with a uuid")
    }
    return try pollOrderJob(jobId: Int64(jobId), timeoutMs: timeoutMs).map { (answer, status) in
      let final = SubmittedOrder(jobId: jobId, status: "success", uuid: Self.unwrap(answer)["message"]?.string)
      return Reply(json: final.json(), httpStatus: status)
    }
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
  public func orderJobStatus(jobId: Int64) throws(CaffestaError) -> Operation<Reply> {
    single(.get, "\(Self.apiPrefix)/draft/get_job_status/\(try Arguments.id(jobId, "job_id"))") { answer, status in
      Reply(json: Self.normalizedJob(answer), httpStatus: status)
    }
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
  public func waitForOrder(jobId: Int64, timeoutMs: Int) throws(CaffestaError) -> Operation<Reply> {
    try pollOrderJob(jobId: jobId, timeoutMs: timeoutMs).map { (answer, status) in
      Reply(json: Self.normalizedJob(answer), httpStatus: status)
    }
  }

  /// The job's final answer (the whole envelope) once it succeeded (its data's `message` is
  /// the order's UUID). The wait has its own deadline (timeoutMs, within a call object's
  /// timeout); each poll gets at most the client's request timeout.
  func pollOrderJob(jobId: Int64, timeoutMs: Int) throws(CaffestaError) -> Operation<(JSON, Int)> {
    let id = try Arguments.id(jobId, "job_id")
    try Limits.timeout(timeoutMs, "timeout_ms")
    return Operation(self, deadline: .wait(timeoutMs)) { context, done in
      Self.poll(context, job: id, pause: 200, done)
    }
  }

  /// One poll; a pending job is polled again after `pause` ms (growing to 2 s), a wait that a
  /// cancel() ends early.
  private static func poll(_ context: CallContext, job id: Int, pause: Int64,
                           _ done: @escaping (Result<(JSON, Int), CaffestaError>) -> Void) {
    let path = "\(apiPrefix)/draft/get_job_status/\(id)"
    let waited = Int(context.deadline - context.started)
    let stillPending = "order job \(id) still pending after \(waited) ms"
    context.send(.get, path, deadline: context.requestDeadline()) { result in
      let answer: JSON, status: Int
      switch result {
      case .success(let (body, code)): (answer, status) = (body, code)
      case .failure(let error):
        guard error.status == .timeout, caf_monotonic_ms() >= context.deadline else { return done(.failure(error)) }
        return done(.failure(CaffestaError(.timeout, stillPending, delivery: error.delivery)))
      }
      let data = unwrap(answer)
      switch data["status"]?.string {
      case "success":
        done(.success((answer, status)))
      case "failed":
        let reason = data["message"]?.string ?? "no reason given"
        done(.failure(OrderRefusal.explained(
          CaffestaError(.api, "order job \(id) failed: \(reason)", httpStatus: status, delivery: .answered))))
      case "pending":
        let left = context.deadline - caf_monotonic_ms()
        guard left > 0 else { return done(.failure(CaffestaError(.timeout, stillPending, delivery: .answered))) }
        context.driver.schedule(at: caf_monotonic_ms() + min(pause, left), watch: context) {
          switch context.stop {
          case .some(.timeout):
            done(.failure(CaffestaError(.timeout, stillPending, httpStatus: status, delivery: .answered)))
          case .some:
            done(.failure(CaffestaError(.cancelled, "order job \(id): cancelled while it was still pending", httpStatus: status,
                                        delivery: .answered)))
          case nil:
            if caf_monotonic_ms() >= context.deadline {
              return done(.failure(CaffestaError(.timeout, stillPending, delivery: .answered)))
            }
            poll(context, job: id, pause: min(pause * 3 / 2, 2_000), done)
          }
        }
      default:
        done(.failure(CaffestaError(.protocolError, "GET \(path): unexpected job status", httpStatus: status)))
      }
    }
  }

  /// GET /draft/receipts/{uuid}/info: a bare array of receipts.
  public func receiptInfo(uuid: String) throws(CaffestaError) -> Operation<Reply> {
    guard !uuid.isEmpty, uuid.utf8.count <= 128 else { throw .invalid("order_uuid must be 1 to 128 characters") }
    guard !uuid.utf8.contains(0) else { throw .invalid("order_uuid may not hold a NUL character") }
    return payloadReply(.get, "\(Self.apiPrefix)/draft/receipts/\(PathSegment.encode(uuid))/info")
  }
}
