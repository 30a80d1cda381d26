import CSupport

/// One call's own options (caffesta_call): a timeout within the client's, and a cancel that
/// cuts that call's request in flight and nothing else.
public final class CallOptions {
  /// This call's timeout in ms; nil: the client's alone.
  public var timeoutMs: Int? = nil
  private let cancels: OpaquePointer

  public init?() {
    guard let cancels = caf_counter_new() else { return nil }
    self.cancels = cancels
  }

  deinit { caf_counter_free(cancels) }

  /// Sticky, from any thread and from a signal handler: two atomic increments, no lock, no
  /// allocation (the epoch makes drivers look at their transfers).
  public func cancel() {
    caf_counter_increment(cancels)
    caf_cancel_epoch_bump()
  }

  public var isCancelled: Bool { caf_counter_value(cancels) != 0 }

  public func setTimeout(ms: Int) throws(CaffestaError) {
    if ms != 0 { try Limits.timeout(ms, "timeout_ms") }
    timeoutMs = ms == 0 ? nil : ms
  }
}
