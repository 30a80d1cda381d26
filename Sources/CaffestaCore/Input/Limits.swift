/// The limits on what callers set and pass, in one place (docs/api.md, "Limits and defaults").
enum Limits {
  /// The longest time anything may be given: the client's timeout, a call's, an order wait.
  static let maxTimeoutMs = 24 * 3_600_000
  static let maxRetries = 10
  /// Requests in flight at once in a bulk call.
  static let concurrency = 1...64
  static let responseBytes: ClosedRange<Int64> = 1024...(1 << 32)
  static let refCodeBytes = 1024

  /// A timeout argument: 1 ms to 24 hours.
  static func timeout(_ ms: Int, _ name: StaticString) throws(CaffestaError) {
    guard ms > 0, ms <= maxTimeoutMs else { throw .invalid("\(name) must be 1 ms to 24 hours") }
  }
}
