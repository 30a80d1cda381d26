import Caffesta
import CaffestaCore

/// A transport that gives every request the same answer, so fuzz runs never touch the network.
public final class MemoryTransport: Transport {
  let answer: HTTPAnswer

  public init(status: Int, body: [UInt8]) { answer = HTTPAnswer(status: status, body: body) }

  public func send(_ request: HTTPRequest, settings: TransportSettings) -> TransportResult { .answer(answer) }
}

/// A client answering from memory, as the opaque pointer the C functions take.
/// Release it with caffesta_client_free.
public func memoryClient(status: Int, body: [UInt8]) -> OpaquePointer {
  let client = try! Client.make(accountName: "fuzz", apiKey: "fuzz-key", transport: MemoryTransport(status: status, body: body))
  try! client.setMaxRetries(0)
  try! client.setBaseURL("http://127.0.0.1:9")
  return OpaquePointer(Unmanaged.passRetained(client).toOpaque())
}

/// The input as up to `count` C strings: its own 0 bytes separate them; missing ones are NULL.
public func withCStrings<Bytes: Collection<UInt8>>(_ bytes: Bytes, count: Int, _ body: ([UnsafePointer<CChar>?]) -> Void) {
  var buffer = Array(bytes) + [0]
  buffer.withUnsafeMutableBufferPointer { raw in
    let base = UnsafeRawPointer(raw.baseAddress!).assumingMemoryBound(to: CChar.self)
    var pointers: [UnsafePointer<CChar>?] = [base]
    for index in 0..<(raw.count - 1) where raw[index] == 0 && pointers.count < count {
      pointers.append(base + index + 1)
    }
    while pointers.count < count { pointers.append(nil) }
    body(pointers)
  }
}

/// Takes a JSON result the library handed out: checks it is NUL-terminated text and frees it.
public func consume(_ text: inout UnsafeMutablePointer<CChar>?) {
  caffesta_string_free(text)
  text = nil
}
