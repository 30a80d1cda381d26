import CSupport
import CaffestaCore

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
}
