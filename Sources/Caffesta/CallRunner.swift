import CSupport
import CaffestaCore

/// What a finished call hands across the C boundary: its status (OK, or a bulk call's PARTIAL
/// or CANCELLED with its report), message, HTTP status, delivery state, and its JSON or id.
struct CallOutcome {
  var status = Status.ok
  var message = ""
  var httpStatus = 0
  var delivery = Delivery.notSent
  var json: String? = nil
  var id: Int64 = 0

  init(json: String? = nil, id: Int64 = 0, httpStatus: Int) {
    self.json = json
    self.id = id
    self.httpStatus = httpStatus
    // A success with an answer was answered; one without (an order made already) sent nothing.
    delivery = httpStatus > 0 ? .answered : .notSent
  }

  init(_ error: CaffestaError) {
    status = error.status
    message = error.message
    httpStatus = error.httpStatus
    delivery = error.delivery
  }

  /// The outputs are written: OK, and a bulk report with PARTIAL or CANCELLED.
  var hasResult: Bool { status == .ok || (json != nil && (status == .partial || status == .cancelled)) }
}

extension ABI {
  /// Runs one exported call that makes requests, under this thread's armed call object if any
  /// (caffesta_call_next): with its timeout and cancel, and asynchronously when it has a done
  /// callback. `make` checks the arguments and returns the operation; `outcome` turns its value
  /// into what crosses the boundary; `clear` and `write` set the C outputs (`present`: the
  /// output pointer was given).
  static func perform<Value>(
    present: Bool, _ make: () throws(CaffestaError) -> Operation<Value>,
    outcome: @escaping (Value) -> CallOutcome, clear: () -> Void,
    write: (CallOutcome) throws(CaffestaError) -> Void
  ) -> Int32 {
    caf_received_status_set(0)
    let call = CallObject.takeArmed()
    let asynchronous = call?.isAsynchronous ?? false
    if !asynchronous { clear() }
    let operation: Operation<Value>
    do throws(CaffestaError) {
      guard present || asynchronous else { throw CaffestaError(.invalidArgument, "the output pointer is NULL") }
      operation = try make()
    } catch {
      return finish(CallOutcome(error), call)
    }
    if let call, asynchronous {
      guard call.begin() else { return finish(CallOutcome(CaffestaError(.invalidArgument, "the call object is in use")), nil) }
      do throws(CaffestaError) {
        try operation.submit(call.options) { result in
          switch result {
          case .success(let value): call.complete(outcome(value))
          case .failure(let error): call.complete(CallOutcome(error))
          }
        }
      } catch {
        call.abandon(error)
        return finish(CallOutcome(error), nil)
      }
      caf_error_set(nil, 0, 0, Delivery.notSent.rawValue)
      return Status.pending.rawValue
    }
    var final: CallOutcome
    do throws(CaffestaError) {
      final = outcome(try operation.run(call?.options))
      if final.hasResult { try write(final) }
    } catch {
      final = CallOutcome(error)
    }
    return finish(final, call)
  }

  /// Records the outcome as this thread's last error (and in the call object) and returns its status.
  private static func finish(_ outcome: CallOutcome, _ call: CallObject?) -> Int32 {
    var message = outcome.message
    let httpStatus = outcome.httpStatus != 0 ? Int32(truncatingIfNeeded: outcome.httpStatus) : caf_received_status()
    message.withUTF8 { buffer in
      caf_error_set(UnsafeRawPointer(buffer.baseAddress)?.assumingMemoryBound(to: CChar.self), buffer.count,
                    httpStatus, outcome.delivery.rawValue)
    }
    var kept = outcome
    kept.httpStatus = Int(httpStatus)
    kept.json = nil  // a synchronous call's result went to its output
    call?.settle(kept)
    return outcome.status.rawValue
  }

  /// A call whose JSON result goes to `out`: NULL first, the text only on success.
  static func callReturningJSON(_ out: JSONOut, _ make: () throws(CaffestaError) -> Operation<Reply>) -> Int32 {
    perform(present: out != nil, make, outcome: { CallOutcome(json: $0.json, httpStatus: $0.httpStatus) },
            clear: { out?.pointee = nil },
            write: { (outcome: CallOutcome) throws(CaffestaError) in out?.pointee = try handOut(outcome.json ?? "null") })
  }

  /// A create call whose new id goes to `out`: 0 first, the id only on success.
  static func callReturningID(
    _ out: UnsafeMutablePointer<Int64>?, _ make: () throws(CaffestaError) -> Operation<(id: Int, httpStatus: Int)>
  ) -> Int32 {
    perform(present: out != nil, make, outcome: { CallOutcome(id: Int64($0.id), httpStatus: $0.httpStatus) },
            clear: { out?.pointee = 0 }, write: { (outcome: CallOutcome) throws(CaffestaError) in out?.pointee = outcome.id })
  }

  /// A call with no output (auth test, wire, unwire).
  static func callReturningNothing(_ make: () throws(CaffestaError) -> Operation<Reply>) -> Int32 {
    perform(present: true, make, outcome: { CallOutcome(httpStatus: $0.httpStatus) }, clear: {},
            write: { (_: CallOutcome) throws(CaffestaError) in })
  }
}
