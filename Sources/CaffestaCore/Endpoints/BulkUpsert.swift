import CSupport

/// Upsert of many products at once (bulk catalog sync): the same PUT-then-POST as
/// upsertProduct for each item, with up to `concurrency` items in flight on one driver.
extension Client {
  public typealias Progress = (_ done: Int, _ total: Int) -> Void

  /// Called on the thread that runs a bulk call after each finished item; nil turns it off.
  public func setProgress(_ progress: Progress?) {
    update { $0.progress = progress }
  }

  /// What a bulk call gives: the report (one entry per input item, in input order), how many
  /// items failed, how many a cancel stopped (counted in `failed` too), and the most uncertain
  /// delivery state among the failed ones.
  public struct BulkReport {
    public let json: String
    public let failed: Int
    public let cancelled: Int
    public let delivery: Delivery
  }

  /// Items that are not valid products fail alone, without a request; the array itself and
  /// the concurrency are checked at once.
  public func upsertMany(json text: String, concurrency: Int) throws(CaffestaError) -> Operation<BulkReport> {
    guard Limits.concurrency.contains(concurrency) else { throw .invalid("concurrency must be 1 to 64") }
    let array = try Arguments.array(text, "products_json_array")
    var items: [BulkRun.Item] = []
    items.reserveCapacity(array.members.count)
    for member in array.members { items.append(BulkRun.item(array.slice(member.value), index: items.count)) }
    return Operation(self, deadline: .batch) { context, done in
      BulkRun(context: context, items: items, concurrency: concurrency, done).begin()
    }
  }
}

/// One bulk call in progress. Items start in input order, `concurrency` at a time; each runs
/// upsertProduct's requests (Client.upsert) with the client's request timeout from its first
/// request. The call's deadline (include/caffesta.h, caffesta_products_upsert_many): the call
/// object's timeout when set, and the client's request timeout after the server's last answer;
/// when it passes, transfers in flight are cut and items not started fail "not sent".
///
/// A cancel() stops what has not begun: items never sent end as "cancelled", items waiting to
/// retry end as failed with CANCELLED (their last attempt in the message). Requests in flight
/// run to their answer, and an item whose PUT found no product still gets its POST: a write is
/// never abandoned half-way, and a "cancelled" item was never sent. A call object's cancel
/// cuts the requests in flight as well.
final class BulkRun: CallWatch {
  struct Item {
    var refCode: String? = nil
    var refToken: String? = nil  // the ref_code as the caller wrote it, for the report
    var body = ""
    var outcome: Result<Client.Written, CaffestaError>? = nil
    var sent = false  // a request of this item has been started
  }

  /// An item from its JSON as the caller wrote it (checked already as part of the array).
  static func item(_ text: String, index: Int) -> Item {
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
      item.outcome = .failure(CaffestaError(.invalidArgument, "item \(index): \(error.message)"))
    }
    return item
  }

  private let context: CallContext
  private let concurrency: Int
  private let progress: Client.Progress?
  private var items: [Item]
  private let done: (Result<Client.BulkReport, CaffestaError>) -> Void
  private var queue: [Int] = []  // items to start, in input order from `nextInQueue`
  private var nextInQueue = 0
  private var inFlight = 0
  private var finished = 0
  private var failures = 0
  private var cancelled = 0
  private var ended = false
  /// The cancel was seen: items not started were ended.
  private var stopped = false

  init(context: CallContext, items: [Item], concurrency: Int,
       _ done: @escaping (Result<Client.BulkReport, CaffestaError>) -> Void) {
    self.context = context
    self.items = items
    self.concurrency = concurrency
    self.done = done
    progress = context.config.progress
  }

  func begin() {
    for index in items.indices {
      if items[index].outcome == nil { queue.append(index) } else { finish(index) }
    }
    fill()
    watchDeadline()
    endIfDone()
  }

  /// The call's deadline now: the call object's, or the client's timeout after the last answer.
  private var deadline: Int64 {
    min(context.deadline, context.lastAnswerAt + Int64(context.config.requestTimeoutMs))
  }

  /// The deadline timer's watch: it fires early for a cancel not yet handled, and once the run
  /// has ended (so that no timer outlives the call on the engine's driver).
  var cut: Status? { nil }
  var isStopped: Bool { ended || (!stopped && context.isStopped) }

  /// A timer at the deadline (or at a cancel, which fires it early): it cuts the call when the
  /// deadline has passed, ends the items a cancel kept from starting, and sets itself again.
  private func watchDeadline() {
    guard !ended else { return }
    context.driver.schedule(at: deadline, watch: self) { [self] in
      guard !ended else { return }
      if !stopped && context.isStopped { stop() }
      cutIfPastDeadline()
      endIfDone()
      if !context.deadlineCut { watchDeadline() }
    }
  }

  /// Past the deadline: the driver cuts the transfers in flight at its next turn, and the
  /// items not started end now. (An item that timed out a few ms early, at libcurl's timer, is
  /// the deadline's too: nothing is started in its slot.)
  private func cutIfPastDeadline() {
    guard !context.deadlineCut, caf_monotonic_ms() + timerSlackMs >= deadline else { return }
    context.deadlineCut = true
    caf_cancel_epoch_bump()
    stop()
  }

  /// Starts items while slots are free, unless the deadline has passed meanwhile (a completion
  /// may come in the same turn as the deadline, before its timer).
  private func fill() {
    cutIfPastDeadline()
    while inFlight < concurrency, nextInQueue < queue.count, !stopped {
      let index = queue[nextInQueue]
      nextInQueue += 1
      start(index)
    }
  }

  private func start(_ index: Int) {
    guard let refCode = items[index].refCode else { return }
    items[index].sent = true
    inFlight += 1
    Client.upsert(context, refCode: refCode, body: items[index].body, deadline: context.requestDeadline(), item: index) {
      [self] result in
      inFlight -= 1
      switch result {
      case .success(let written): items[index].outcome = .success(written)
      case .failure(let error):
        if error.status == .cancelled { cancelled += 1 }
        let message = error.message + Effect.productSaved.phrase(error.delivery)
        items[index].outcome = .failure(CaffestaError(error.status, message, httpStatus: error.httpStatus,
                                                      delivery: error.delivery))
      }
      finish(index)
      if !stopped && context.isStopped { stop() }
      fill()
      endIfDone()
    }
  }

  /// A cancel or the deadline: every item not started ends now, never sent.
  private func stop() {
    stopped = true
    let cut = context.cut
    while nextInQueue < queue.count {
      let index = queue[nextInQueue]
      nextInQueue += 1
      if cut == .timeout {
        items[index].outcome = .failure(CaffestaError(.timeout, "not sent: the call's deadline passed before its turn"))
      } else {
        items[index].outcome = .failure(CaffestaError(.cancelled, "cancelled before it was sent"))
        cancelled += 1
      }
      finish(index)
    }
  }

  private func finish(_ index: Int) {
    finished += 1
    if case .failure = items[index].outcome { failures += 1 }
    progress?(finished, items.count)
  }

  private func endIfDone() {
    guard !ended, finished == items.count else { return }
    ended = true
    done(Result { () throws(CaffestaError) -> Client.BulkReport in
      Client.BulkReport(json: try report(), failed: failures, cancelled: cancelled, delivery: delivery)
    })
  }

  /// The most uncertain state among the failed items: one that may have arrived, else one
  /// answered, else not sent.
  private var delivery: Delivery {
    var worst = Delivery.notSent
    for item in items {
      guard case .failure(let error) = item.outcome else { continue }
      if error.delivery == .mayHaveArrived { return .mayHaveArrived }
      if error.delivery == .answered { worst = .answered }
    }
    return worst
  }

  /// [{"ref_code", "action": "created"|"updated", "id"}, {"ref_code", "action": "failed", "status",
  /// "message", "delivery"}, or {"ref_code", "action": "cancelled"} for an item a cancel kept
  /// from being sent]. Written as text: the ref_code as the caller wrote it, the id as the
  /// server did.
  func report() throws(CaffestaError) -> String {
    var out = "["
    out.reserveCapacity(items.count * 64 + 2)  // one growth, not one per doubling
    for (index, item) in items.enumerated() {
      out += index == 0 ? #"{"ref_code":"# : #",{"ref_code":"#
      out += item.refToken ?? "null"
      switch item.outcome {
      case .success(let written):
        out += #","action":"\#(written.action)","id":\#(written.id)}"#
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
