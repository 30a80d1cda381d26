import CSupport

/// A client's engine: one library thread that runs the client's asynchronous calls on one
/// driver (libcurl's multi interface), all at once. Started by the first asynchronous call;
/// new calls come through a queue and a wake-up of the driver's wait. Completions run on
/// this thread. `halt()` cancels what is in flight (each call ends with CANCELLED) and ends
/// the thread once nothing is left.
final class Engine {
  private let driver: Driver
  private let lock: OpaquePointer
  private var queue: [(Driver, Engine) -> Void] = []
  private var halting = false
  /// Bumped once by halt(): every call of this engine is cut (CallContext.halt).
  let halted: OpaquePointer
  private var thread: OpaquePointer? = nil
  let forkGeneration: UInt32

  private init(driver: Driver, lock: OpaquePointer, halted: OpaquePointer) {
    self.driver = driver
    self.lock = lock
    self.halted = halted
    forkGeneration = caf_fork_generation()
  }

  deinit {
    caf_mutex_free(lock)
    caf_counter_free(halted)
  }

  /// A running engine over the transport, or nil when the thread (or memory) could not be had.
  static func start(_ transport: Transport) -> Engine? {
    guard let lock = caf_mutex_new() else { return nil }
    guard let halted = caf_counter_new() else {
      caf_mutex_free(lock)
      return nil
    }
    let engine = Engine(driver: transport.makeDriver(concurrent: true), lock: lock, halted: halted)
    let retained = Unmanaged.passRetained(engine).toOpaque()  // the thread's reference
    guard let thread = caf_thread_start({ raw in
      guard let raw else { return }
      Unmanaged<Engine>.fromOpaque(raw).takeRetainedValue().loop()
    }, retained) else {
      Unmanaged<Engine>.fromOpaque(retained).release()
      return nil
    }
    engine.thread = thread
    return engine
  }

  /// Queues a job that starts a call on the engine's driver; false once halting.
  func submit(_ job: @escaping (Driver, Engine) -> Void) -> Bool {
    caf_mutex_lock(lock)
    let accepted = !halting
    if accepted { queue.append(job) }
    caf_mutex_unlock(lock)
    if accepted { driver.wake() }
    return accepted
  }

  var isHalted: Bool { caf_counter_value(halted) != 0 }

  /// Cancels every call in flight and lets the thread end; waits for it unless called on it
  /// (from a done callback), in which case it ends once the callback returns and the rest is cut.
  func halt() {
    caf_mutex_lock(lock)
    halting = true
    let thread = self.thread
    self.thread = nil
    caf_mutex_unlock(lock)
    caf_counter_increment(halted)
    caf_cancel_epoch_bump()  // drivers look at their transfers again
    driver.wake()
    guard let thread else { return }
    if caf_thread_is_current(thread) != 0 { caf_thread_detach(thread) } else { caf_thread_join(thread) }
  }

  private func loop() {
    while true {
      caf_mutex_lock(lock)
      let jobs = queue
      queue = []
      let ending = halting
      caf_mutex_unlock(lock)
      for job in jobs { job(driver, self) }
      if ending && jobs.isEmpty && !driver.isBusy { break }
      driver.turn(maxWaitMs: ending ? watchIntervalMs : 60_000)
    }
    driver.finish()
  }
}

/// Engines inherited over fork(): their threads are the parent's, their connections too. Kept,
/// never touched again.
private var enginesLeftToParent: [Engine] = []

extension Client {
  /// The client's engine, started on first use (again in a forked child: the parent's thread
  /// does not exist there).
  func runningEngine() throws(CaffestaError) -> Engine {
    caf_mutex_lock(engineLock)
    defer { caf_mutex_unlock(engineLock) }
    // A done callback starting a call while caffesta_client_free ends the engine: not a new one.
    guard !closed else { throw CaffestaError(.cancelled, "the client is being freed") }
    if let engine, engine.forkGeneration == caf_fork_generation() { return engine }
    if let stale = engine {
      caf_global_lock()
      enginesLeftToParent.append(stale)
      caf_global_unlock()
      engine = nil
    }
    guard let started = Engine.start(transport) else {
      throw CaffestaError(.noMemory, "the library's thread for asynchronous calls could not be started")
    }
    engine = started
    return started
  }

  /// Ends the client's engine, if it has one: its calls in flight end with CANCELLED.
  /// caffesta_client_free calls it before the last release.
  public func close() {
    caf_mutex_lock(engineLock)
    let running = engine
    engine = nil
    closed = true
    caf_mutex_unlock(engineLock)
    guard let running, running.forkGeneration == caf_fork_generation() else { return }
    running.halt()
  }
}

extension Operation {
  /// Runs the call on the client's engine; `done` runs once, on the engine's thread, when it
  /// ends. Throws (and `done` never runs) when the engine could not be started.
  public func submit(_ options: CallOptions?, _ done: @escaping (Result<Value, CaffestaError>) -> Void)
    throws(CaffestaError)
  {
    let engine = try client.runningEngine()
    let mark = client.cancelMark  // the call starts now, not when the engine's thread takes it up
    let accepted = engine.submit { driver, engine in
      self.start(on: driver, options: options, halt: engine.halted, cancelMark: mark, done)
    }
    guard accepted else { throw CaffestaError(.cancelled, "the client is being freed") }
  }
}
