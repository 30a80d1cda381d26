import CCurl

/// Which HTTP/2 streams a server provably never processed. A server closing an HTTP/2
/// connection (nginx after `keepalive_requests`) sends GOAWAY naming the last stream it
/// processed; streams above it were not processed (RFC 9113, 6.8) and may be sent again, even
/// POSTs. libcurl reports none of this through its API, only in its verbose text: which
/// connection (#N) and stream a transfer uses, "received GOAWAY, ..., last_stream=L", and
/// "REFUSED_STREAM, retrying" for a stream refused on a fresh connection.
/// Text that does not match (another libcurl) only means no resend: the safe side.
final class GoawayLedger {
  /// Connection number → the last stream id its GOAWAY named. Connection numbers belong to one
  /// connection cache: one ledger per easy handle (alone) or per multi handle (a batch).
  private var lastStream: [Int: Int] = [:]

  func record(connection: Int, lastStream stream: Int) {
    if lastStream.count >= 64, let oldest = lastStream.keys.min() { lastStream[oldest] = nil }
    lastStream[connection] = stream
  }

  func refused(connection: Int, stream: Int) -> Bool {
    guard connection >= 0, stream > 0, let last = lastStream[connection] else { return false }
    return stream > last
  }
}

/// One transfer's view: its connection and stream, from libcurl's verbose text.
final class StreamTrace {
  var ledger: GoawayLedger
  /// The connection the transfer is on now (a retry moves it to a new one).
  var connection = -1
  /// The last stream the transfer used, and the connection it was on.
  var stream = -1
  var streamConnection = -1
  /// libcurl read RST_STREAM(REFUSED_STREAM) on a fresh connection: "not processed" too
  /// (RFC 9113, 8.7). On a reused connection libcurl says nothing of it: no resend then.
  var streamRefused = false
  /// libcurl's own resends on this easy handle since it was made. libcurl 7.88 counts them per
  /// handle, never resetting, and gives up after 5 ("Connection died, tried 5 times"): a handle
  /// that resent is retired instead of pooled.
  var libcurlRetries = 0
  /// The write's body, set back to its start for a resend.
  var body: UnrepeatableBody? = nil

  init(ledger: GoawayLedger) { self.ledger = ledger }

  func reset(ledger: GoawayLedger) {
    self.ledger = ledger
    connection = -1
    stream = -1
    streamConnection = -1
    streamRefused = false
  }

  /// libcurl wants to send the body again: allowed only when the stream it went on was above
  /// the last one its connection's GOAWAY named, i.e. the server provably never processed it.
  func mayResend() -> Bool {
    defer { streamRefused = false }
    return streamRefused || ledger.refused(connection: streamConnection, stream: stream)
  }

  /// One line of CURLINFO_TEXT.
  func read(_ text: UnsafeRawBufferPointer) {
    if let n = Self.number(after: "Using Stream ID: ", in: text, at: 0) {
      stream = n
      streamConnection = connection
    } else if let n = Self.number(after: "Re-using existing connection #", in: text, at: 0) {
      connection = n
    } else if Bytes.hasPrefix(text, "Connection died, retrying") {
      libcurlRetries += 1
    } else if Bytes.hasPrefix(text, "REFUSED_STREAM, retrying") {
      libcurlRetries += 1
      streamRefused = true
    } else if Bytes.hasPrefix(text, "Connected to "), let n = Self.number(after: "(#", in: text, anywhere: true) {
      connection = n
    } else if Bytes.find("GOAWAY, error=", in: text) != nil, let n = Self.number(after: "last_stream=", in: text, anywhere: true) {
      ledger.record(connection: connection, lastStream: n)
    }
  }

  private static func number(after prefix: StaticString, in text: UnsafeRawBufferPointer, at start: Int) -> Int? {
    guard Bytes.matches(text, prefix, at: start) else { return nil }
    return digits(text, from: start + prefix.utf8CodeUnitCount)
  }

  private static func number(after needle: StaticString, in text: UnsafeRawBufferPointer, anywhere: Bool) -> Int? {
    guard let start = Bytes.find(needle, in: text) else { return nil }
    return digits(text, from: start + needle.utf8CodeUnitCount)
  }

  private static func digits(_ text: UnsafeRawBufferPointer, from start: Int) -> Int? {
    var value = 0
    var index = start
    while index < text.count, text[index] >= 0x30, text[index] <= 0x39, value < Int32.max {
      value = value * 10 + Int(text[index] - 0x30)
      index += 1
    }
    return index > start ? value : nil
  }
}
