import CCurl
import CSupport

/// A driver on libcurl's multi interface: every transfer of the calls it runs shares the multi
/// handle's connection cache. A call on its caller's thread uses one, one transfer at a time; a
/// bulk call and the engine run many side by side (over HTTP/1.1 a connection each, over
/// HTTP/2 a stream each of one connection).
final class CurlDriver: Driver {
  private struct Transfer {
    let handle: CurlHandle
    let watch: CallWatch?
    let done: (TransportResult) -> Void
  }

  private let transport: CurlTransport
  private let multi: UnsafeMutableRawPointer
  private let ledger: GoawayLedger
  private let concurrent: Bool
  /// In flight; few (a call's one, a bulk call's concurrency), so an array searched by handle.
  private var transfers: [Transfer] = []
  private var timers = Timers()
  private var jobs: [() -> Void] = []
  /// The cancel epoch (caf_cancel_epoch) when the transfers were last looked at: a call's
  /// cancel bumps it, so an unchanged epoch means no transfer needs a look.
  private var epochSeen: UInt64 = 0
  private var finished = false

  init(transport: CurlTransport, multi: UnsafeMutableRawPointer, ledger: GoawayLedger, concurrent: Bool) {
    self.transport = transport
    self.multi = multi
    self.ledger = ledger
    self.concurrent = concurrent
  }

  deinit { finish() }

  func start(_ request: HTTPRequest, settings: TransportSettings, watch: CallWatch?,
             _ done: @escaping (TransportResult) -> Void) {
    guard let handle = transport.checkOut(caFile: settings.caFile) else {
      jobs.append { done(.failure(TransportFailure(status: .noMemory, message: "libcurl could not allocate a handle", neverSent: true))) }
      return
    }
    handle.prepare(request, settings: settings, ledger: ledger, concurrent: concurrent)
    guard curl_multi_add_handle(multi, handle.easy) == CURLM_OK else {
      transport.checkIn(handle)
      jobs.append { done(.failure(TransportFailure(status: .noMemory, message: "libcurl could not start the request", neverSent: true))) }
      return
    }
    transfers.append(Transfer(handle: handle, watch: watch, done: done))
  }

  func schedule(at time: Int64, watch: CallWatch?, _ fire: @escaping () -> Void) {
    timers.add(at: time, watch: watch, fire)
  }

  func later(_ job: @escaping () -> Void) { jobs.append(job) }

  var isBusy: Bool { !transfers.isEmpty || !timers.isEmpty || !jobs.isEmpty }

  func turn(maxWaitMs: Int) {
    var running: Int32 = 0
    var progressed = false  // something completed: its caller looks before anyone waits
    if !transfers.isEmpty {
      _ = curl_multi_perform(multi, &running)
      progressed = collect()
      progressed = cutWhereAsked() || progressed
    }
    if !timers.isEmpty {
      for fire in timers.due(now: caf_monotonic_ms()) {
        fire()
        progressed = true
      }
    }
    if !jobs.isEmpty {
      let now = jobs
      jobs = []
      for job in now { job() }
      return  // completions may have started transfers: no wait before they go out
    }
    if progressed { return }
    var wait = maxWaitMs
    if !timers.isEmpty, let next = timers.wait(now: caf_monotonic_ms()) { wait = min(wait, next) }
    if isBusy { wait = min(wait, watchIntervalMs) }
    // Returns early when a socket is ready, at libcurl's own timeouts, or on wake().
    _ = curl_multi_poll(multi, nil, 0, Int32(clamping: wait), nil)
  }

  func wake() { _ = curl_multi_wakeup(multi) }

  func finish() {
    guard !finished else { return }
    finished = true
    for transfer in transfers {
      curl_multi_remove_handle(multi, transfer.handle.easy)
      transport.checkIn(transfer.handle)
    }
    transfers = []
    timers = Timers()
    jobs = []
    transport.checkIn(multi: multi, ledger: ledger)
  }

  /// Hands each finished transfer's result to its call; true when there was one.
  private func collect() -> Bool {
    var any = false
    var queued: Int32 = 0
    while let message = curl_multi_info_read(multi, &queued) {
      guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle,
        let index = transfers.firstIndex(where: { $0.handle.easy == easy })
      else { continue }
      let transfer = transfers.remove(at: index)
      let code = message.pointee.data.result
      curl_multi_remove_handle(multi, easy)
      let result = transfer.handle.finish(code)
      transport.checkIn(transfer.handle)
      transfer.done(result)
      any = true
    }
    return any
  }

  /// Cuts the transfers whose call was cancelled or ran out of time (caffesta_call_cancel, a
  /// bulk call's deadline, an engine's halt: each bumps the cancel epoch). Looked at only when
  /// the epoch moved.
  private func cutWhereAsked() -> Bool {
    let epoch = caf_cancel_epoch()
    guard epoch != epochSeen else { return false }
    epochSeen = epoch
    var any = false
    var index = 0
    while index < transfers.count {
      guard let reason = transfers[index].watch?.cut else {
        index += 1
        continue
      }
      let transfer = transfers.remove(at: index)
      curl_multi_remove_handle(multi, transfer.handle.easy)
      let message = reason == .cancelled ? "cancelled while the request was in flight" : "cut at the call's deadline"
      let result = transfer.handle.cutShort(reason, message)
      transport.checkIn(transfer.handle)
      transfer.done(result)
      any = true
    }
    return any
  }
}
