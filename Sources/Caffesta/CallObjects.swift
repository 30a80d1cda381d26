import CSupport
import CaffestaCore

// The "One call: its own timeout, its own cancel, asynchronous completion" section of
// include/caffesta.h (written by hand: the call object lives across the boundary).

public typealias DoneFunction = @convention(c) (UnsafeMutableRawPointer?, OpaquePointer?) -> Void

/// A caffesta_call: one call's options (CallOptions), its done callback, and the outcome of the
/// last call made under it. Its fields are read from any thread: they are guarded by `lock`.
final class CallObject {
  let options: CallOptions
  private let lock: OpaquePointer
  private var done: DoneFunction? = nil
  private var userData: UnsafeMutableRawPointer? = nil
  private var pending = false
  private var outcome = CallOutcome(httpStatus: 0)
  /// The JSON result not yet taken, and the message caffesta_call_error hands out.
  private var result: UnsafeMutablePointer<CChar>? = nil
  private var message: UnsafeMutablePointer<CChar>? = nil

  private init(options: CallOptions, lock: OpaquePointer) {
    self.options = options
    self.lock = lock
  }

  static func make() -> CallObject? {
    guard let options = CallOptions() else { return nil }
    guard let lock = caf_mutex_new() else { return nil }
    return CallObject(options: options, lock: lock)
  }

  deinit {
    caf_free(result)
    caf_free(message)
    caf_mutex_free(lock)
  }

  var pointer: OpaquePointer { OpaquePointer(Unmanaged.passUnretained(self).toOpaque()) }

  static func from(_ pointer: OpaquePointer?) -> CallObject? {
    guard let pointer else { return nil }
    return Unmanaged<CallObject>.fromOpaque(UnsafeRawPointer(pointer)).takeUnretainedValue()
  }

  private func locked<T>(_ body: () -> T) -> T {
    caf_mutex_lock(lock)
    defer { caf_mutex_unlock(lock) }
    return body()
  }

  // MARK: Arming (this thread's next call runs under the object)

  /// Takes this thread's armed call object, with the reference arming kept.
  static func takeArmed() -> CallObject? {
    guard let raw = caf_armed_call_swap(nil) else { return nil }
    return Unmanaged<CallObject>.fromOpaque(raw).takeRetainedValue()
  }

  static func arm(_ call: CallObject?) {
    let new = call.map { Unmanaged.passRetained($0).toOpaque() }
    if let old = caf_armed_call_swap(new) { Unmanaged<CallObject>.fromOpaque(old).release() }
  }

  /// Disarms `call` if it is this thread's armed one (it is being freed).
  static func disarm(_ call: CallObject) {
    guard let raw = caf_armed_call_swap(nil) else { return }
    if raw == Unmanaged.passUnretained(call).toOpaque() {
      Unmanaged<CallObject>.fromOpaque(raw).release()
    } else {
      _ = caf_armed_call_swap(raw)
    }
  }

  // MARK: Its call's life

  var isAsynchronous: Bool { locked { done != nil } }
  var isPending: Bool { locked { pending } }

  func setDone(_ function: DoneFunction?, _ data: UnsafeMutableRawPointer?) -> Bool {
    locked {
      guard !pending else { return false }
      done = function
      userData = data
      return true
    }
  }

  /// An asynchronous call starts under the object; false when one is pending already.
  func begin() -> Bool {
    locked {
      guard !pending else { return false }
      pending = true
      replace(CallOutcome(httpStatus: 0), status: .pending)
      return true
    }
  }

  /// An asynchronous call that could not be queued after all.
  func abandon(_ error: CaffestaError) {
    locked {
      pending = false
      replace(CallOutcome(error), status: error.status)
    }
  }

  /// A synchronous call under the object ended (its result went to the caller's outputs).
  func settle(_ final: CallOutcome) {
    locked { replace(final, status: final.status) }
  }

  /// An asynchronous call ended, on the library's thread: keeps the outcome, then calls done.
  func complete(_ final: CallOutcome) {
    var kept = final
    var copy: UnsafeMutablePointer<CChar>? = nil
    if kept.hasResult, let json = kept.json {
      copy = json.withCString { caf_strndup($0, json.utf8.count) }
      if copy == nil {
        kept = CallOutcome(CaffestaError(.noMemory, "out of memory while keeping the result", delivery: final.delivery))
      }
    }
    let (function, data) = locked { () -> (DoneFunction?, UnsafeMutableRawPointer?) in
      replace(kept, status: kept.status)
      result = copy
      pending = false
      return (done, userData)
    }
    function?(data, pointer)
  }

  /// The new outcome, with its message kept as a C string; the result not taken is dropped.
  private func replace(_ new: CallOutcome, status: Status) {
    outcome = new
    outcome.status = status
    outcome.json = nil
    caf_free(result)
    result = nil
    caf_free(message)
    message = new.message.withCString { caf_strndup($0, new.message.utf8.count) }
  }

  // MARK: Reading

  var status: Status { locked { outcome.status } }
  var id: Int64 { locked { outcome.status == .ok ? outcome.id : 0 } }
  var httpStatus: Int { locked { outcome.httpStatus } }
  var delivery: Delivery { locked { outcome.delivery } }
  var errorText: UnsafePointer<CChar>? { locked { message.map { UnsafePointer($0) } } }

  func takeResult() -> (Status, UnsafeMutablePointer<CChar>?) {
    locked {
      let taken = result
      result = nil
      return (outcome.status, taken)
    }
  }
}

@_cdecl("caffesta_call_create")
public func caffesta_call_create(_ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
  out?.pointee = nil
  return ABI.call { () throws(CaffestaError) -> Int in
    guard let out else { throw CaffestaError(.invalidArgument, "the call output pointer is NULL") }
    guard let call = CallObject.make() else { throw CaffestaError(.noMemory, "out of memory") }
    out.pointee = OpaquePointer(Unmanaged.passRetained(call).toOpaque())
    return 0
  }
}

@_cdecl("caffesta_call_free")
public func caffesta_call_free(_ pointer: OpaquePointer?) {
  guard let call = CallObject.from(pointer) else { return }
  CallObject.disarm(call)
  if call.isPending { call.options.cancel() }  // its done() still runs: the library holds the object till then
  Unmanaged.passUnretained(call).release()
}

@_cdecl("caffesta_call_set_timeout")
public func caffesta_call_set_timeout(_ pointer: OpaquePointer?, _ timeoutMs: Int64) -> Int32 {
  ABI.call { () throws(CaffestaError) -> Int in
    guard let call = CallObject.from(pointer) else { throw CaffestaError(.invalidArgument, "call is NULL") }
    guard timeoutMs >= 0, timeoutMs <= Int64(Int32.max) else {
      throw CaffestaError(.invalidArgument, "timeout_ms must be 1 ms to 24 hours, or 0 for the client's")
    }
    try call.options.setTimeout(ms: Int(timeoutMs))
    return 0
  }
}

@_cdecl("caffesta_call_set_done")
public func caffesta_call_set_done(_ pointer: OpaquePointer?, _ done: DoneFunction?, _ userData: UnsafeMutableRawPointer?)
  -> Int32
{
  ABI.call { () throws(CaffestaError) -> Int in
    guard let call = CallObject.from(pointer) else { throw CaffestaError(.invalidArgument, "call is NULL") }
    guard call.setDone(done, userData) else { throw CaffestaError(.invalidArgument, "the call object has a call pending") }
    return 0
  }
}

@_cdecl("caffesta_call_next")
public func caffesta_call_next(_ pointer: OpaquePointer?) -> Int32 {
  ABI.call { () throws(CaffestaError) -> Int in
    let call = CallObject.from(pointer)
    if let call, call.isPending { throw CaffestaError(.invalidArgument, "the call object has a call pending") }
    CallObject.arm(call)
    return 0
  }
}

@_cdecl("caffesta_call_cancel")
public func caffesta_call_cancel(_ pointer: OpaquePointer?) {
  // Async-signal-safe: no lock, no allocation, no retain: two atomic increments.
  guard let pointer else { return }
  Unmanaged<CallObject>.fromOpaque(UnsafeRawPointer(pointer))._withUnsafeGuaranteedRef { $0.options.cancel() }
}

@_cdecl("caffesta_call_status")
public func caffesta_call_status(_ pointer: OpaquePointer?) -> Int32 {
  (CallObject.from(pointer)?.status ?? .invalidArgument).rawValue
}

@_cdecl("caffesta_call_take_result")
public func caffesta_call_take_result(_ pointer: OpaquePointer?, _ out: JSONOut) -> Int32 {
  out?.pointee = nil
  guard let call = CallObject.from(pointer) else { return Status.invalidArgument.rawValue }
  let (status, result) = call.takeResult()
  if let out { out.pointee = result } else { caf_free(result) }
  return status.rawValue
}

@_cdecl("caffesta_call_id")
public func caffesta_call_id(_ pointer: OpaquePointer?) -> Int64 {
  CallObject.from(pointer)?.id ?? 0
}

@_cdecl("caffesta_call_error")
public func caffesta_call_error(_ pointer: OpaquePointer?) -> UnsafePointer<CChar> {
  CallObject.from(pointer)?.errorText ?? ("" as StaticString).cString
}

@_cdecl("caffesta_call_http_status")
public func caffesta_call_http_status(_ pointer: OpaquePointer?) -> Int32 {
  Int32(truncatingIfNeeded: CallObject.from(pointer)?.httpStatus ?? 0)
}

@_cdecl("caffesta_call_delivery")
public func caffesta_call_delivery(_ pointer: OpaquePointer?) -> Int32 {
  (CallObject.from(pointer)?.delivery ?? .notSent).rawValue
}
