import CSupport

/// What a driver asks of a call whose requests and waits it runs.
public protocol CallWatch: AnyObject {
  /// Non-nil once the call must end at once: `.cancelled` (its own cancel) or `.timeout` (its
  /// deadline). The driver then cuts its transfers in flight and fires its timers.
  var cut: Status? { get }
  /// True once any cancel applies to the call, the client's included: the driver fires its
  /// timers early (a retry wait ends) but lets its transfers run to their answer.
  var isStopped: Bool { get }
}

/// Runs the requests and timers of calls on one thread, continuation style. Completions run
/// from `turn`, never from inside `start`, `schedule` or `later`: a call of a thousand
/// requests (a feed's pages) goes one turn per request instead of one stack frame.
public protocol Driver: AnyObject {
  /// Starts a request; `done` runs from a later turn with its result.
  func start(_ request: HTTPRequest, settings: TransportSettings, watch: CallWatch?,
             _ done: @escaping (TransportResult) -> Void)
  /// Runs `fire` from the first turn at or after `time` (caf_monotonic_ms), or earlier once
  /// the watch is stopped or cut.
  func schedule(at time: Int64, watch: CallWatch?, _ fire: @escaping () -> Void)
  /// Runs `job` from the next turn.
  func later(_ job: @escaping () -> Void)
  /// Runs what is due, or waits for something to happen: at most `maxWaitMs`, and at most
  /// 50 ms while anything is pending, so that cancels and deadlines are seen in time.
  func turn(maxWaitMs: Int)
  /// Transfers, timers or jobs pending.
  var isBusy: Bool { get }
  /// Ends a turn that waits on another thread (the engine's new submissions). Thread-safe.
  func wake()
  /// Gives back what the driver holds (connections stay pooled for the next call) and drops
  /// the timers and jobs left (a closure of a call that ended, which holds its context, which
  /// holds this driver: dropped here, not leaked).
  func finish()
}

/// How often a driver looks at cancels and deadlines while it waits.
let watchIntervalMs = 50

/// How early libcurl may end a transfer whose timeout is a deadline's remaining time: a failure
/// that early is still the deadline's.
let timerSlackMs: Int64 = 50

/// The timers of a driver: few at a time, so a plain array.
struct Timers {
  private var entries: [(at: Int64, watch: CallWatch?, fire: () -> Void)] = []

  var isEmpty: Bool { entries.isEmpty }

  mutating func add(at time: Int64, watch: CallWatch?, _ fire: @escaping () -> Void) {
    entries.append((time, watch, fire))
  }

  /// Removes and returns the timers due at `now`, or whose watch is stopped.
  mutating func due(now: Int64) -> [() -> Void] {
    var fired: [() -> Void] = []
    var index = 0
    while index < entries.count {
      let entry = entries[index]
      if entry.at <= now || entry.watch?.isStopped == true || entry.watch?.cut != nil {
        fired.append(entry.fire)
        entries.remove(at: index)
      } else {
        index += 1
      }
    }
    return fired
  }

  /// Ms until the next timer (0 when one is due), nil when there is none.
  func wait(now: Int64) -> Int? {
    guard let next = entries.lazy.map({ $0.at }).min() else { return nil }
    return Int(max(0, next - now))
  }
}

/// A driver over any transport: one blocking request per turn. Tests and fuzzers use it.
final class SequentialDriver: Driver {
  private let transport: Transport
  private var requests: [(HTTPRequest, TransportSettings, CallWatch?, (TransportResult) -> Void)] = []
  private var timers = Timers()
  private var jobs: [() -> Void] = []
  private let wakes: OpaquePointer?
  private var wakesSeen: UInt64 = 0

  init(_ transport: Transport) {
    self.transport = transport
    wakes = caf_counter_new()
  }

  deinit { caf_counter_free(wakes) }

  func start(_ request: HTTPRequest, settings: TransportSettings, watch: CallWatch?,
             _ done: @escaping (TransportResult) -> Void) {
    requests.append((request, settings, watch, done))
  }

  func schedule(at time: Int64, watch: CallWatch?, _ fire: @escaping () -> Void) {
    timers.add(at: time, watch: watch, fire)
  }

  func later(_ job: @escaping () -> Void) { jobs.append(job) }

  var isBusy: Bool { !requests.isEmpty || !timers.isEmpty || !jobs.isEmpty }

  func turn(maxWaitMs: Int) {
    if !jobs.isEmpty {
      let now = jobs
      jobs = []
      for job in now { job() }
      return
    }
    if !requests.isEmpty {
      let (request, settings, watch, done) = requests.removeFirst()
      if let cut = watch?.cut {
        var failure = TransportFailure(status: cut, message: cut == .cancelled ? "cancelled" : "the call's deadline passed",
                                       neverSent: true)
        failure.wasCut = true
        done(.failure(failure))
      } else {
        done(transport.send(request, settings: settings))
      }
      return
    }
    let due = timers.due(now: caf_monotonic_ms())
    if !due.isEmpty {
      for fire in due { fire() }
      return
    }
    // Nothing to do yet: sleep in short slices until a timer is due or a wake comes.
    var left = min(maxWaitMs, timers.wait(now: caf_monotonic_ms()) ?? maxWaitMs)
    if !timers.isEmpty { left = min(left, watchIntervalMs) }
    while left > 0 {
      if let wakes, caf_counter_value(wakes) != wakesSeen {
        wakesSeen = caf_counter_value(wakes)
        return
      }
      let slice = min(left, 5)
      caf_sleep_ms(Int64(slice))
      left -= slice
    }
  }

  func wake() { if let wakes { caf_counter_increment(wakes) } }

  func finish() {
    requests = []
    timers = Timers()
    jobs = []
  }
}
