import CSupport

/// One call in progress: the client's settings as the call started, its deadline, its cancels,
/// the driver that runs its requests, and the delivery state its requests build up.
final class CallContext: CallWatch {
  let client: Client
  let config: Client.Settings
  let driver: Driver
  let effect: Effect?
  let started: Int64
  /// When the call must end (Int64.max: no deadline of its own, a bulk call's rule instead).
  let deadline: Int64
  private let cancelMark: UInt64
  private let options: CallOptions?
  /// Set to cut the call at once with TIMEOUT (a bulk call's deadline).
  var deadlineCut = false
  private(set) var state = DeliveryState()
  /// When the server last answered one of the call's requests (the call's start before that).
  private(set) var lastAnswerAt: Int64

  /// An engine's halt counter (Engine.halted): once it moves, the call is cut as if cancelled.
  private let halt: OpaquePointer?

  /// `cancelMark`: the client's cancel counter when the call entered the library (an
  /// asynchronous call's, taken when it was submitted); now when not given.
  init(client: Client, driver: Driver, options: CallOptions?, deadline rule: DeadlineRule, effect: Effect?,
       halt: OpaquePointer? = nil, cancelMark: UInt64? = nil) {
    self.client = client
    self.halt = halt
    self.cancelMark = cancelMark ?? client.cancelMark  // a cancel() from the call's start on stops it
    config = client.currentSettings
    self.driver = driver
    self.options = options
    self.effect = effect
    let now = caf_monotonic_ms()
    started = now
    lastAnswerAt = now
    let own = options?.timeoutMs.map { now + Int64($0) } ?? .max
    switch rule {
    case .call: deadline = min(now + Int64(config.requestTimeoutMs), own)
    case .wait(let ms): deadline = min(now + Int64(ms), own)
    case .batch: deadline = own
    }
  }

  var cut: Status? {
    if let options, options.isCancelled { return .cancelled }
    if let halt, caf_counter_value(halt) != 0 { return .cancelled }
    return deadlineCut ? .timeout : nil
  }

  var isStopped: Bool { cut != nil || client.isCancelled(since: cancelMark) }

  /// Why the call must stop at its next decision: cut, or cancelled by the client's cancel().
  var stop: Status? { cut ?? (client.isCancelled(since: cancelMark) ? .cancelled : nil) }

  /// The deadline of a request starting now, for calls whose requests each get the client's
  /// timeout (an order wait's polls, a bulk call's items): within the call's.
  func requestDeadline() -> Int64 { min(deadline, caf_monotonic_ms() + Int64(config.requestTimeoutMs)) }

  // MARK: Sending

  /// Sends one request (retrying what is safe to retry) and hands its classified answer to
  /// `done`, from a later turn of the driver. `deadline` defaults to the call's; `item` names a
  /// bulk call's item in the log. A cut ends it at once (its transfer aborted); a cancel()
  /// ends it at its next retry decision or during its wait before a retry.
  func send(_ method: HTTPMethod, _ path: String, body: String? = nil, deadline: Int64? = nil, item: Int? = nil,
            _ done: @escaping (Result<(JSON, Int), CaffestaError>) -> Void) {
    var exchange = Exchange(method: method, path: path, body: body, config: config, deadline: deadline ?? self.deadline)
    exchange.item = item
    attempt(exchange, done)
  }

  private func attempt(_ exchange: Exchange, _ done: @escaping (Result<(JSON, Int), CaffestaError>) -> Void) {
    // Ended before a request is started: handed on from the driver's next turn, never from
    // inside the caller's send.
    if let reason = cut {
      let error = exchange.stoppedError(reason)
      return driver.later { self.settle(exchange, .failure(error), done) }
    }
    guard let settings = exchange.settings(apiKey: client.apiKey) else {
      let error = exchange.deadlineError()
      return driver.later { self.settle(exchange, .failure(error), done) }
    }
    driver.start(exchange.request, settings: settings, watch: self) { result in
      var exchange = exchange
      if case .answer = result { self.lastAnswerAt = caf_monotonic_ms() }
      switch exchange.judge(result, stop: self.stop) {
      case .retry(let delayMs):
        self.driver.schedule(at: caf_monotonic_ms() + Int64(delayMs), watch: self) {
          if let reason = self.stop {
            self.settle(exchange, .failure(exchange.stoppedError(reason)), done)
          } else {
            self.attempt(exchange, done)
          }
        }
      case .finished(let outcome):
        self.settle(exchange, outcome, done)
      }
    }
  }

  /// Notes the request's delivery state and hands its outcome on (always from a turn of the
  /// driver: a transfer's completion, a timer or a job).
  private func settle(_ exchange: Exchange, _ outcome: Result<(JSON, Int), CaffestaError>,
                      _ done: (Result<(JSON, Int), CaffestaError>) -> Void) {
    state.note(exchange.delivery, write: exchange.request.method != .get)
    done(outcome)
  }

  /// Sends one request and turns its answer into the call's value with `read`.
  func send<Value>(_ method: HTTPMethod, _ path: String, body: String? = nil, deadline: Int64? = nil,
                   read: @escaping (JSON, Int) throws(CaffestaError) -> Value,
                   _ done: @escaping (Result<Value, CaffestaError>) -> Void) {
    send(method, path, body: body, deadline: deadline) { result in
      done(result.flatMap { (answer, status) in Result { () throws(CaffestaError) -> Value in try read(answer, status) } })
    }
  }

  // MARK: Ending

  /// The call's outcome as its caller sees it: a failure carries the call's delivery state and,
  /// for a write, says in words what that means.
  func finish<Value>(_ result: Result<Value, CaffestaError>) -> Result<Value, CaffestaError> {
    guard case .failure(let error) = result else { return result }
    let delivery = Self.delivery(of: error, after: state.value)
    let message = effect.map { error.message + $0.phrase(delivery) } ?? error.message
    return .failure(CaffestaError(error.status, message, httpStatus: error.httpStatus, delivery: delivery))
  }

  /// A failure's delivery state when the requests before it ended in `state`: a failure after
  /// an answer the call could not use (a write's 2xx answer without a usable id) may have been
  /// applied; a failure before any request sent nothing.
  static func delivery(of error: CaffestaError, after state: Delivery) -> Delivery {
    state == .answered && error.status == .protocolError ? .mayHaveArrived : state
  }
}
