import CSupport

/// Upsert of many products at once (issue: bulk catalog sync): the same PUT-then-POST as
/// upsertProduct for each item, with up to `concurrency` requests in flight on one thread.
extension Client {
  public typealias Progress = (_ done: Int, _ total: Int) -> Void

  /// Called on the caller's thread after each finished item of a bulk call; nil turns it off.
  public func setProgress(_ progress: Progress?) {
    update { $0.progress = progress }
  }

  /// Returns the report (one entry per input item, in input order), how many items failed
  /// and how many a cancel() stopped (counted in `failed` too). Items that are not valid
  /// products fail alone, without a request.
  public func upsertMany(json text: String, concurrency: Int) throws(CaffestaError)
    -> (report: String, failed: Int, cancelled: Int)
  {
    let mark = cancelMark  // the call starts here: a cancel() from now on stops it
    guard Limits.concurrency.contains(concurrency) else { throw .invalid("concurrency must be 1 to 64") }
    let array = try Arguments.array(text, "products_json_array")
    var run = BulkRun(client: self, concurrency: concurrency, cancelMark: mark)
    for member in array.members { run.add(array.slice(member.value)) }
    run.execute()
    return (try run.report(), run.failures, run.cancelled)
  }
}

/// One bulk call's state: every item moves through PUT (update) → POST on not found
/// (create) → done; retries wait in `delayed` until their time comes.
///
/// A cancel() stops what has not begun: items never sent end as "cancelled", items waiting
/// to retry end as failed with CANCELLED (their last attempt is in the message). Requests in
/// flight run to their answer, and an item whose PUT found no product still gets its POST:
/// a write is never abandoned half-way, and a "cancelled" item was never sent.
struct BulkRun {
  /// update: PUT; create: POST after "not found"; read: GET when the write's answer had no id.
  enum Phase { case update, create, read }

  struct Item {
    var refCode: String?
    var refToken: String?  // the ref_code as the caller wrote it, for the report
    var body = ""
    var phase = Phase.update
    var exchange: Exchange? = nil
    var deadline: Int64? = nil  // the item's, from its first request: PUT and POST share it
    var outcome: Result<(id: String, action: String), CaffestaError>? = nil
    var action = "updated"  // what the write did, kept through the read
    var sent = false  // a request of this item has been started
  }

  let client: Client
  let concurrency: Int
  let progress: Client.Progress?
  let config: Client.Settings
  var items: [Item] = []
  var ready: [Int] = []  // indexes to start; popped from the end, so filled in reverse order
  var delayed: [(index: Int, at: Int64)] = []
  var done = 0
  var failures = 0
  var cancelled = 0  // items stopped by a cancel(), never sent or not retried
  let cancelMark: UInt64
  var stopping = false

  init(client: Client, concurrency: Int, cancelMark: UInt64) {
    self.client = client
    self.concurrency = concurrency
    self.cancelMark = cancelMark
    config = client.currentSettings
    progress = config.progress
  }

  /// Adds an item; `text` is its JSON as the caller wrote it (already checked), sent as it is.
  mutating func add(_ text: String) {
    var item = Item()
    var product: JSONText? = nil
    do throws(CaffestaError) {
      product = try JSONText.scan(text, what: "the item", anyValue: true, children: true, allowDuplicates: true,
                                  checked: true)  // the array's scan checked it: only its members are found
      if let product { (item.refCode, item.refToken) = try Client.refCode(of: product) }
      item.body = text
    } catch {
      // A ref_code string that is refused (empty, too long) is still named in the report.
      if let product, product.isObject, let range = product.member("ref_code"), product.string(at: range) != nil {
        item.refToken = product.slice(range)
      }
      item.outcome = .failure(CaffestaError(.invalidArgument, "item \(items.count): \(error.message)"))
    }
    items.append(item)
  }

  mutating func execute() {
    let total = items.count
    for index in items.indices {
      if items[index].outcome == nil { ready.append(index) } else { finish(index, total: total) }
    }
    ready.reverse()
    let batch = client.transport.makeBatch()
    var inFlight = 0
    while done < total {
      if !stopping && client.isCancelled(since: cancelMark) { stop(total: total) }
      let now = caf_monotonic_ms()
      promoteDelayed(now: now)
      while inFlight < concurrency, let index = ready.popLast() {
        if start(index, on: batch) { inFlight += 1 } else { finish(index, total: total) }
      }
      let nextRetry = delayed.map({ $0.at }).min()
      if inFlight == 0 {
        guard let nextRetry else { break }  // nothing in flight, nothing to wait for
        _ = client.sleep(Int(nextRetry - caf_monotonic_ms()), unlessCancelledSince: cancelMark)
        continue
      }
      // Short waits, so that a cancel() is seen soon even when no answer comes.
      let waitMs = nextRetry.map { max(0, Int($0 - now)) } ?? 200
      for (index, result) in batch.wait(timeoutMs: min(waitMs, 200)) {
        inFlight -= 1
        handle(index, result, total: total)
      }
    }
    batch.finish()
  }

  /// The cancel() has come: end every item that is not in flight and has a request to make
  /// other than its POST after a PUT that found nothing.
  private mutating func stop(total: Int) {
    stopping = true
    var keep: [Int] = []
    for index in ready {
      if !items[index].sent {
        items[index].outcome = .failure(CaffestaError(.cancelled, "cancelled before it was sent"))
      } else if let exchange = items[index].exchange {  // promoted from `delayed`: a retry
        items[index].outcome = .failure(exchange.cancelledError())
      } else {
        keep.append(index)
        continue
      }
      cancelled += 1
      finish(index, total: total)
    }
    ready = keep
    for entry in delayed {
      if let exchange = items[entry.index].exchange {
        items[entry.index].outcome = .failure(exchange.cancelledError())
      } else {
        items[entry.index].outcome = .failure(CaffestaError(.cancelled, "cancelled before retrying"))
      }
      cancelled += 1
      finish(entry.index, total: total)
    }
    delayed = []
  }

  private mutating func promoteDelayed(now: Int64) {
    guard !delayed.isEmpty else { return }
    var waiting: [(index: Int, at: Int64)] = []
    for entry in delayed {
      if entry.at <= now { ready.append(entry.index) } else { waiting.append(entry) }
    }
    delayed = waiting
  }

  /// Starts the item's current phase; false (with the item failed) when it cannot be.
  private mutating func start(_ index: Int, on batch: TransportBatch) -> Bool {
    if items[index].exchange == nil {
      let deadline = items[index].deadline ?? client.callDeadline(config)
      items[index].deadline = deadline
      items[index].exchange = exchange(for: items[index], deadline: deadline)
      items[index].exchange?.item = index
    }
    guard let exchange = items[index].exchange else { return false }
    guard let settings = exchange.settings(apiKey: client.apiKey) else {
      items[index].outcome = .failure(exchange.deadlineError())
      return false
    }
    guard batch.start(exchange.request, settings: settings, tag: index) else {
      items[index].outcome = .failure(CaffestaError(.noMemory, "\(exchange.call): could not start the request"))
      return false
    }
    items[index].sent = true
    return true
  }

  private func exchange(for item: Item, deadline: Int64) -> Exchange? {
    guard let refCode = item.refCode else { return nil }
    switch item.phase {
    case .update:
      return Exchange(method: .put, path: "\(Client.apiPrefix)/product/by_ref_code/\(PathSegment.encode(refCode))",
                      body: item.body, config: config, deadline: deadline)
    case .create:
      return Exchange(method: .post, path: "\(Client.apiPrefix)/product/", body: item.body, config: config,
                      deadline: deadline)
    case .read:
      return Exchange(method: .get, path: Client.productPath(refCode), body: nil, config: config, deadline: deadline)
    }
  }

  private mutating func handle(_ index: Int, _ result: TransportResult, total: Int) {
    guard var exchange = items[index].exchange else { return }
    let outcome = exchange.judge(result, cancelled: client.isCancelled(since: cancelMark))
    items[index].exchange = exchange
    switch outcome {
    case .retry(let delayMs):
      delayed.append((index, caf_monotonic_ms() + Int64(delayMs)))
    case .finished(.success(let (answer, _))):
      if items[index].phase != .read { items[index].action = items[index].phase == .update ? "updated" : "created" }
      do throws(CaffestaError) {
        if let id = try Client.writtenId(in: answer, call: exchange.call) {
          items[index].outcome = .success((id, items[index].action))
        } else if items[index].phase == .read {
          throw CaffestaError(.protocolError, "\(exchange.call): the answer has no integer data.id", httpStatus: exchange.lastStatus)
        } else {  // written, but the answer names no id: read it back, as the single upsert does
          items[index].phase = .read
          items[index].exchange = nil
          ready.append(index)
          return
        }
      } catch {
        // An answer that names no usable id: the write was answered, but whether it was applied is unknown.
        items[index].outcome = .failure(CaffestaError(error.status, error.message, httpStatus: exchange.lastStatus,
                                                      delivery: .mayHaveArrived))
      }
      finish(index, total: total)
    case .finished(.failure(let error)):
      if error.status == .cancelled {
        items[index].outcome = .failure(error)
        cancelled += 1
        finish(index, total: total)
      } else if items[index].phase == .update && Client.isProductNotFound(error) {
        items[index].phase = .create
        items[index].exchange = nil
        ready.append(index)
      } else {
        items[index].outcome = .failure(error)
        finish(index, total: total)
      }
    }
  }

  private mutating func finish(_ index: Int, total: Int) {
    done += 1
    if case .failure = items[index].outcome { failures += 1 }
    progress?(done, total)
  }

  /// [{"ref_code", "action": "created"|"updated", "id"}, {"ref_code", "action": "failed", "status",
  /// "message"}, or {"ref_code", "action": "cancelled"} for an item a cancel() kept from being sent]
  /// Written as text: the ref_code as the caller wrote it, the id as the server did.
  func report() throws(CaffestaError) -> String {
    var out = "["
    out.reserveCapacity(items.count * 64 + 2)  // one growth, not one per doubling
    for (index, item) in items.enumerated() {
      out += index == 0 ? #"{"ref_code":"# : #",{"ref_code":"#
      out += item.refToken ?? "null"
      switch item.outcome {
      case .success(let (id, action)):
        out += #","action":"\#(action)","id":\#(id)}"#
      case .failure(let error) where error.status == .cancelled && !item.sent:
        out += #","action":"cancelled"}"#
      case .failure(let error):
        out += #","action":"failed","status":"\#(error.status.name)","message":"# + JSONWriter.quote(error.message)
        out += #","delivery":"\#(error.delivery.name)""#
        if error.httpStatus != 0 { out += #","http_status":\#(error.httpStatus)"# }
        out += "}"
      case nil:
        throw CaffestaError(.internal, "bulk upsert: an item has no outcome")
      }
    }
    return out + "]"
  }

}
