import CSupport

/// One logical request with its deadline and retry policy, independent of how attempts are
/// sent (CallContext.send starts them on a driver). The deadline is usually the whole call's:
/// a call of several requests passes the same one to each.
struct Exchange {
  enum Outcome {
    case retry(afterMs: Int)
    case finished(Result<(JSON, Int), CaffestaError>)
  }

  let request: HTTPRequest
  let path: String
  let config: Client.Settings
  let policy: RetryPolicy
  let deadline: Int64
  /// The failure that led to the last retry: if that retry runs out of time, this is the
  /// error worth reporting, not "no answer".
  private var lastFailure: CaffestaError? = nil
  private(set) var attempt = 0
  /// The HTTP status of the last answer (0: none yet).
  private(set) var lastStatus = 0
  /// The input index of a bulk call's item, for its log events.
  var item: Int? = nil
  /// What became of the request so far (the last attempt's, but a write that may have arrived
  /// stays so until an answer settles it).
  private var state = DeliveryState()
  var delivery: Delivery { state.value }

  init(method: HTTPMethod, path: String, body: String?, config: Client.Settings, deadline: Int64) {
    request = HTTPRequest(method: method, url: config.baseURL + path, body: body)
    self.path = path
    self.config = config
    policy = RetryPolicy(maxRetries: config.maxRetries)
    self.deadline = deadline
  }

  /// "PUT https://mycafe.caffesta.com/a/v1.0/product/...": names the request by its full URL
  /// (which never holds the key), so that a wrong base URL shows; built only when needed.
  var call: String { "\(request.method.text) \(request.url)" }

  /// The next attempt's settings, or nil when the deadline has passed.
  func settings(apiKey: String) -> TransportSettings? {
    let remaining = deadline - caf_monotonic_ms()
    guard remaining > 0 else { return nil }
    return TransportSettings(
      apiKey: apiKey, connectTimeoutMs: config.connectTimeoutMs, timeoutMs: Int(remaining), caFile: config.caFile,
      maxResponseBytes: config.maxResponseBytes, proxy: config.proxy)
  }

  func deadlineError() -> CaffestaError {
    if let lastFailure { return Self.outOfTime(lastFailure).delivered(delivery) }
    if attempt == 0 {
      return CaffestaError(.timeout, "\(call): not sent: the call's deadline passed before its turn", delivery: delivery)
    }
    return CaffestaError(.timeout, "\(call): no answer within the call's \(config.requestTimeoutMs) ms", delivery: delivery)
  }

  /// The call was cancelled before this request was sent, or while it waited to retry after
  /// `lastFailure`.
  func cancelledError() -> CaffestaError {
    guard let lastFailure else {
      return CaffestaError(.cancelled, "\(call): cancelled before it was sent", delivery: delivery)
    }
    return CaffestaError(.cancelled, "\(call): cancelled before retrying after \(lastFailure.message)",
                         httpStatus: lastFailure.httpStatus, delivery: delivery)
  }

  /// The error of a request stopped at a decision point: cancelled (`.cancelled`), or cut by
  /// the call's deadline (`.timeout`, a bulk call's).
  func stoppedError(_ reason: Status) -> CaffestaError {
    reason == .timeout ? deadlineError() : cancelledError()
  }

  /// Retry (when safe and the wait ends before the deadline) or the classified result. A
  /// stopped call (`stop`: cancelled, or cut by its deadline) is not retried: it finishes with
  /// that where it would have retried. Writes the attempt's event to the log when the client has one.
  mutating func judge(_ result: TransportResult, stop: Status? = nil) -> Outcome {
    let outcome: Result<(JSON, Int), CaffestaError>
    switch result {
    case .answer(let answer):
      lastStatus = answer.status
      outcome = AnswerClassifier.classify(answer, call: call).map { ($0, answer.status) }
    case .failure(let failure):
      lastStatus = failure.httpStatus
      outcome = .failure(CaffestaError(failure.status, "\(call): \(failure.message)", httpStatus: failure.httpStatus))
    }
    state.note(Delivery.of(result, classified: outcome), write: request.method != .get)
    let judged = decide(result, outcome, stop: stop)
    if let log = config.log { log(AttemptEvent.text(of: self, result, outcome, judged)) }
    if case .retry = judged { attempt += 1 }
    return judged
  }

  private mutating func decide(
    _ result: TransportResult, _ outcome: Result<(JSON, Int), CaffestaError>, stop: Status?
  ) -> Outcome {
    if let delay = policy.delayBeforeRetry(after: result, method: request.method, attempt: attempt),
      caf_monotonic_ms() + Int64(delay) < deadline
    {
      if case .failure(let error) = outcome { lastFailure = error }
      if let stop { return .finished(.failure(stoppedError(stop))) }
      return .retry(afterMs: delay)
    }
    switch outcome {
    case .success: return .finished(outcome)
    case .failure(let error):
      // A retry cut by the call's deadline: the status is the last attempt's (TIMEOUT), and the
      // earlier failure is told too. A timeout before the deadline is the attempt's own (its
      // connect timeout): the retries ran out. (libcurl's timer may fire a few ms early.)
      if error.status == .timeout, let lastFailure, caf_monotonic_ms() + timerSlackMs >= deadline {
        return .finished(.failure(CaffestaError(
          .timeout, "\(error.message) (a retry after: \(detail(of: lastFailure)))", httpStatus: error.httpStatus,
          delivery: delivery)))
      }
      var final = Self.noting(attempt, on: error)
      // Say why when a read would have been retried: the write may have arrived.
      if !request.method.isIdempotent, attempt < policy.maxRetries,
        policy.delayBeforeRetry(after: result, method: .get, attempt: attempt) != nil
      {
        final = CaffestaError(final.status, "\(final.message) (not retried because it is a write)", httpStatus: final.httpStatus)
      }
      return .finished(.failure(final.delivered(delivery)))
    }
  }

  /// An error's message without the "METHOD url: " this exchange put in front of it.
  private func detail(of error: CaffestaError) -> String {
    let prefix = "\(call): "
    guard error.message.utf8.starts(with: prefix.utf8) else { return error.message }
    return String(decoding: error.message.utf8.dropFirst(prefix.utf8.count), as: UTF8.self)
  }

  private static func outOfTime(_ error: CaffestaError) -> CaffestaError {
    CaffestaError(error.status, "\(error.message) (a retry ran out of time)", httpStatus: error.httpStatus)
  }

  private static func noting(_ retries: Int, on error: CaffestaError) -> CaffestaError {
    guard retries > 0 else { return error }
    let times = retries == 1 ? "once" : "\(retries) times"
    return CaffestaError(error.status, "\(error.message) (retried \(times))", httpStatus: error.httpStatus)
  }
}
