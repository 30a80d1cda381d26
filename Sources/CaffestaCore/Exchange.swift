import CSupport

/// One logical request with its deadline and retry policy, independent of how attempts are
/// sent: Client.send runs attempts one after another, the bulk call runs many side by side.
struct Exchange {
  enum Outcome {
    case retry(afterMs: Int)
    case finished(Result<(JSON, Int), CaffestaError>)
  }

  let request: HTTPRequest
  let call: String
  let config: Client.Settings
  let policy: RetryPolicy
  let deadline: Int64

  init(method: HTTPMethod, path: String, body: String?, config: Client.Settings) {
    request = HTTPRequest(method: method, url: config.baseURL + path, body: body)
    call = "\(method.text) \(path)"
    self.config = config
    policy = RetryPolicy(maxRetries: config.maxRetries)
    deadline = caf_monotonic_ms() + Int64(config.requestTimeoutMs)
  }

  /// The next attempt's settings, or nil when the deadline has passed.
  func settings(apiKey: String) -> TransportSettings? {
    let remaining = deadline - caf_monotonic_ms()
    guard remaining > 0 else { return nil }
    return TransportSettings(
      apiKey: apiKey, connectTimeoutMs: config.connectTimeoutMs, timeoutMs: Int(remaining), caFile: config.caFile,
      maxResponseBytes: config.maxResponseBytes)
  }

  func deadlineError() -> CaffestaError {
    CaffestaError(.timeout, "\(call): no answer within \(config.requestTimeoutMs) ms")
  }

  /// Retry (when safe and the wait ends before the deadline) or the classified result.
  func judge(_ result: TransportResult, attempt: Int) -> Outcome {
    if let delay = policy.delayBeforeRetry(after: result, method: request.method, attempt: attempt),
      caf_monotonic_ms() + Int64(delay) < deadline
    {
      return .retry(afterMs: delay)
    }
    switch result {
    case .answer(let answer):
      switch AnswerClassifier.classify(answer, call: call) {
      case .success(let json): return .finished(.success((json, answer.status)))
      case .failure(let error): return .finished(.failure(Self.noting(attempt, on: error)))
      }
    case .failure(let failure):
      return .finished(.failure(Self.noting(attempt, on: CaffestaError(failure.status, "\(call): \(failure.message)"))))
    }
  }

  private static func noting(_ retries: Int, on error: CaffestaError) -> CaffestaError {
    guard retries > 0 else { return error }
    let times = retries == 1 ? "once" : "\(retries) times"
    return CaffestaError(error.status, "\(error.message) (retried \(times))", httpStatus: error.httpStatus)
  }
}
