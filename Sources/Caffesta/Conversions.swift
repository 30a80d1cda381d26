import CSupport
import CaffestaCore

/// const char *: a caller's NUL-terminated string.
public typealias CText = UnsafePointer<CChar>?
/// char **result_json: where a JSON result is handed out.
public typealias JSONOut = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
/// long long *: where a create call's new id goes.
public typealias IDOut = UnsafeMutablePointer<Int64>?

/// Converts and validates what crosses the C boundary. No business logic here.
enum ABI {
  /// A caller's NUL-terminated string as validated UTF-8.
  static func string(_ pointer: UnsafePointer<CChar>?, _ name: StaticString) throws(CaffestaError) -> String {
    guard let pointer else { throw CaffestaError(.invalidArgument, "\(name) is NULL") }
    let bytes = UnsafeBufferPointer(
      start: UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self), count: caf_strlen(pointer))
    guard let text = String(validating: bytes, as: UTF8.self) else {
      throw CaffestaError(.invalidArgument, "\(name) is not valid UTF-8")
    }
    return text
  }

  static func optionalString(_ pointer: UnsafePointer<CChar>?, _ name: StaticString) throws(CaffestaError) -> String? {
    guard pointer != nil else { return nil }
    return try string(pointer, name)
  }

  static func client(_ pointer: OpaquePointer?) throws(CaffestaError) -> Client {
    guard let pointer else { throw CaffestaError(.invalidArgument, "client is NULL") }
    return Unmanaged<Client>.fromOpaque(UnsafeRawPointer(pointer)).takeUnretainedValue()
  }

  /// Copies text into memory the caller frees with caffesta_string_free().
  static func handOut(_ text: String) throws(CaffestaError) -> UnsafeMutablePointer<CChar> {
    var copy = text
    let result = copy.withUTF8 { buffer in
      caf_strndup(UnsafeRawPointer(buffer.baseAddress)?.assumingMemoryBound(to: CChar.self), buffer.count)
    }
    guard let result else { throw CaffestaError(.noMemory, "out of memory") }
    return result
  }

  /// Runs one exported call: records this thread's last error and HTTP status, and turns the
  /// outcome into a status code. `body` returns the HTTP status of its last answer (0: none).
  static func call(_ body: () throws(CaffestaError) -> Int) -> Int32 {
    caf_received_status_set(0)
    do {
      let httpStatus = try body()
      // A success with an answer was answered; one without (a setter) sent nothing.
      let delivery = httpStatus > 0 ? Delivery.answered : Delivery.notSent
      caf_error_set(nil, 0, Int32(truncatingIfNeeded: httpStatus), delivery.rawValue)
      return Status.ok.rawValue
    } catch {
      record(error)
      return error.status.rawValue
    }
  }

  /// The HTTP status recorded is the error's, else that of the last status line received.
  static func record(_ error: CaffestaError) {
    var message = error.message
    let httpStatus = error.httpStatus != 0 ? Int32(truncatingIfNeeded: error.httpStatus) : caf_received_status()
    message.withUTF8 { buffer in
      caf_error_set(UnsafeRawPointer(buffer.baseAddress)?.assumingMemoryBound(to: CChar.self), buffer.count,
                    httpStatus, error.delivery.rawValue)
    }
  }

  // The plain calls' bodies (Sources/Caffesta/*.generated.swift): the output and the client are
  // checked first, then `body` converts the arguments and returns the core's operation, which
  // CallRunner.swift runs (under this thread's armed call object, if any).

  /// A call whose JSON result goes to `out`.
  static func json(_ client: OpaquePointer?, _ out: JSONOut, _ body: (Client) throws(CaffestaError) -> Operation<Reply>)
    -> Int32
  {
    callReturningJSON(out) { () throws(CaffestaError) -> Operation<Reply> in try body(try ABI.client(client)) }
  }

  /// A create call whose new id goes to `out`.
  static func id(
    _ client: OpaquePointer?, _ out: IDOut,
    _ body: (Client) throws(CaffestaError) -> Operation<(id: Int, httpStatus: Int)>
  ) -> Int32 {
    callReturningID(out) { () throws(CaffestaError) -> Operation<(id: Int, httpStatus: Int)> in
      try body(try ABI.client(client))
    }
  }

  /// A call that returns a status only.
  static func status(_ client: OpaquePointer?, _ body: (Client) throws(CaffestaError) -> Operation<Reply>) -> Int32 {
    callReturningNothing { () throws(CaffestaError) -> Operation<Reply> in try body(try ABI.client(client)) }
  }

  /// A client setting: no request, so no HTTP status.
  static func set(_ client: OpaquePointer?, _ body: (Client) throws(CaffestaError) -> Void) -> Int32 {
    call { () throws(CaffestaError) -> Int in
      try body(try ABI.client(client))
      return 0
    }
  }
}
