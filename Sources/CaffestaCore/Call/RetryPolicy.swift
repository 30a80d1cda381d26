import CSupport

/// When a failed attempt may be sent again, and how long to wait first (docs/api.md, "What the
/// documentation does not say"): never resend a write whose body may have reached the server.
struct RetryPolicy {
  var maxRetries: Int
  static let baseDelayMs = 250
  static let maxBackoffMs = 8_000
  static let maxRetryAfterMs = 30_000

  /// The wait before the next attempt, or nil when this outcome must not be retried.
  func delayBeforeRetry(after result: TransportResult, method: HTTPMethod, attempt: Int) -> Int? {
    guard attempt < maxRetries else { return nil }
    switch result {
    case .answer(let answer):
      if answer.proxyName != nil { return nil }  // a proxy's refusal: a resend would get the same
      switch answer.status {
      case 429, 503:  // the server refused before doing anything
        if let seconds = answer.retryAfterSeconds {
          return min(seconds, Self.maxRetryAfterMs / 1000) * 1000
        }
        return backoff(attempt)
      case 502, 504:  // a proxy's answer: the request may have been applied
        return method.isIdempotent ? backoff(attempt) : nil
      default:
        return nil
      }
    case .failure(let failure):
      if failure.wasCut { return nil }
      if failure.neverSent && (failure.status == .network || failure.status == .timeout) { return backoff(attempt) }
      if failure.status == .network && method.isIdempotent { return backoff(attempt) }
      return nil
    }
  }

  /// Exponential backoff with "equal jitter": half fixed, half random.
  func backoff(_ attempt: Int) -> Int {
    let exponential = min(Self.baseDelayMs << min(attempt, 10), Self.maxBackoffMs)
    let half = exponential / 2
    return half + Int(caf_random_u32() % UInt32(half + 1))
  }
}
