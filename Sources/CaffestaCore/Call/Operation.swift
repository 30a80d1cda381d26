/// Which deadline a call has.
enum DeadlineRule {
  /// The client's request timeout from the call's start, all its requests included (most calls).
  case call
  /// A wait of its own (an order wait's timeout_ms); each of its requests also gets at most the
  /// client's request timeout.
  case wait(Int)
  /// A bulk call's: none of its own beyond the call object's timeout (BulkRun keeps its rule).
  case batch
}

/// A call whose arguments were checked, ready to run: what a core method returns. Nothing is
/// sent until it runs, on the caller's thread (`run`) or on the client's engine (`submit`).
/// Its body makes the requests through a CallContext, continuation style, and hands the
/// value or the failure to `done` once.
public struct Operation<Value> {
  let client: Client
  let effect: Effect?
  let deadline: DeadlineRule
  let body: (CallContext, @escaping (Result<Value, CaffestaError>) -> Void) -> Void

  init(_ client: Client, effect: Effect? = nil, deadline: DeadlineRule = .call,
       _ body: @escaping (CallContext, @escaping (Result<Value, CaffestaError>) -> Void) -> Void) {
    self.client = client
    self.effect = effect
    self.deadline = deadline
    self.body = body
  }

  /// Starts the call on `driver`; `done` runs once, from one of the driver's turns. `halt` is
  /// an engine's: once it moves, the call is cut as if cancelled.
  func start(on driver: Driver, options: CallOptions?, halt: OpaquePointer? = nil, cancelMark: UInt64? = nil,
             _ done: @escaping (Result<Value, CaffestaError>) -> Void) {
    let context = CallContext(client: client, driver: driver, options: options, deadline: deadline, effect: effect,
                              halt: halt, cancelMark: cancelMark)
    if context.cut != nil {  // a call object cancelled already: nothing is sent
      let error = CaffestaError(.cancelled, "cancelled before it was sent")
      driver.later { done(context.finish(.failure(error))) }
      return
    }
    body(context) { result in done(context.finish(result)) }
  }

  /// Runs the call on this thread until it ends.
  public func run(_ options: CallOptions? = nil) throws(CaffestaError) -> Value {
    let driver = client.transport.makeDriver(concurrent: isBatch)
    defer { driver.finish() }
    var outcome: Result<Value, CaffestaError>? = nil
    start(on: driver, options: options) { outcome = $0 }
    while true {
      if let outcome { return try outcome.get() }
      driver.turn(maxWaitMs: watchIntervalMs)
    }
  }

  private var isBatch: Bool {
    if case .batch = deadline { return true }
    return false
  }

  /// The same call with its value transformed (on the thread that ends it).
  public func map<Other>(_ transform: @escaping (Value) -> Other) -> Operation<Other> {
    let body = self.body
    return Operation<Other>(client, effect: effect, deadline: deadline) { context, done in
      body(context) { result in done(result.map(transform)) }
    }
  }
}

extension Client {
  /// A call of one request whose answer `read` turns into the call's value.
  func single<Value>(_ method: HTTPMethod, _ path: String, body: String? = nil, effect: Effect? = nil,
                     read: @escaping (JSON, Int) throws(CaffestaError) -> Value) -> Operation<Value> {
    Operation(self, effect: effect) { context, done in
      context.send(method, path, body: body, read: read, done)
    }
  }

  /// A call of one request whose reply is the answer's payload as the server wrote it.
  func payloadReply(_ method: HTTPMethod, _ path: String, body: String? = nil, effect: Effect? = nil) -> Operation<Reply> {
    single(method, path, body: body, effect: effect) { answer, status in
      Reply(json: Self.payloadText(answer), httpStatus: status)
    }
  }
}
