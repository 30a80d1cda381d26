import CCurl

/// A batch on libcurl's multi interface: many transfers on one thread, sharing the multi
/// handle's connection cache, so connections are reused across the batch. Over HTTP/2 every
/// transfer is a stream of one multiplexed connection (PIPEWAIT: none opens a connection of
/// its own while the first is being set up); over HTTP/1.1 each transfer in flight has its
/// own connection, as many as the bulk call's concurrency.
final class CurlMultiBatch: TransportBatch {
  private let multi: UnsafeMutableRawPointer
  private let ledger: GoawayLedger
  private let transport: CurlTransport
  private var running: [UnsafeMutableRawPointer: (tag: Int, handle: CurlHandle)] = [:]

  private var finished = false

  init(transport: CurlTransport, multi: UnsafeMutableRawPointer, ledger: GoawayLedger) {
    self.multi = multi
    self.ledger = ledger
    self.transport = transport
  }

  deinit { finish() }

  func finish() {
    guard !finished else { return }
    finished = true
    for (easy, entry) in running {
      curl_multi_remove_handle(multi, easy)
      transport.checkIn(entry.handle)
    }
    running = [:]
    transport.checkIn(multi: multi, ledger: ledger)
  }

  func start(_ request: HTTPRequest, settings: TransportSettings, tag: Int) -> Bool {
    guard let handle = transport.checkOut(caFile: settings.caFile) else { return false }
    handle.prepare(request, settings: settings, ledger: ledger)
    guard curl_multi_add_handle(multi, handle.easy) == CURLM_OK else {
      transport.checkIn(handle)
      return false
    }
    running[handle.easy] = (tag, handle)
    return true
  }

  func wait(timeoutMs: Int) -> [(tag: Int, result: TransportResult)] {
    var stillRunning: Int32 = 0
    _ = curl_multi_perform(multi, &stillRunning)
    var done = collect()
    if done.isEmpty && !running.isEmpty {
      _ = curl_multi_poll(multi, nil, 0, Int32(clamping: timeoutMs), nil)
      _ = curl_multi_perform(multi, &stillRunning)
      done = collect()
    }
    return done
  }

  private func collect() -> [(tag: Int, result: TransportResult)] {
    var done: [(tag: Int, result: TransportResult)] = []
    var queued: Int32 = 0
    while let message = curl_multi_info_read(multi, &queued) {
      guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle,
        let entry = running.removeValue(forKey: easy)
      else { continue }
      let code = message.pointee.data.result
      curl_multi_remove_handle(multi, easy)
      done.append((entry.tag, entry.handle.finish(code)))
      transport.checkIn(entry.handle)
    }
    return done
  }
}
