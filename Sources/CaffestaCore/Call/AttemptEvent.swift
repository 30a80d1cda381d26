/// One attempt as the request log tells it (caffesta_client_set_log): a JSON object whose
/// fields include/caffesta.h documents. It never holds the API key, a body or the server's
/// error text (which is cut from a body): only the method, the path and figures.
enum AttemptEvent {
  static func text(
    of exchange: Exchange, _ result: TransportResult, _ outcome: Result<(JSON, Int), CaffestaError>,
    _ judged: Exchange.Outcome
  ) -> String {
    (try? build(exchange, result, outcome, judged)) ?? #"{"error":"out of memory while building the event"}"#
  }

  private static func build(
    _ exchange: Exchange, _ result: TransportResult, _ outcome: Result<(JSON, Int), CaffestaError>,
    _ judged: Exchange.Outcome
  ) throws(CaffestaError) -> String {
    let metrics = result.metrics
    let event = try JSON.object()
    try event.set("method", try JSON.string(exchange.request.method.text))
    try event.set("path", try JSON.string(exchange.path))
    try event.set("attempt", try JSON.integer(exchange.attempt + 1))
    if let item = exchange.item { try event.set("item", try JSON.integer(item)) }
    switch result {
    case .answer(let answer):
      try event.set("http_status", try JSON.integer(answer.status))
      try event.set("failure", JSON.null())
    case .failure(let failure):
      try event.set("http_status", JSON.null())
      try event.set("failure", try JSON.string(metrics.failureKind ?? "\(failure.status.name)"))
    }
    let status: Status
    switch judged {
    case .retry: status = failureStatus(outcome)
    case .finished(.success): status = .ok
    case .finished(.failure(let error)): status = error.status
    }
    try event.set("status", try JSON.string("\(status.name)"))
    try event.set("elapsed_ms", try JSON.integer(metrics.elapsedMs))
    if case .retry(let delay) = judged {
      try event.set("retry", JSON.boolean(true))
      try event.set("retry_delay_ms", try JSON.integer(delay))
    } else {
      try event.set("retry", JSON.boolean(false))
      try event.set("retry_delay_ms", JSON.null())
    }
    if case .answer(let answer) = result, let seconds = answer.retryAfterSeconds {
      try event.set("retry_after_s", try JSON.integer(seconds))
    } else {
      try event.set("retry_after_s", JSON.null())
    }
    switch metrics.newConnections {
    case .some(0): try event.set("connection", try JSON.string("reused"))
    case .some: try event.set("connection", try JSON.string("new"))
    case nil: try event.set("connection", JSON.null())
    }
    try event.set("bytes_sent", try JSON.integer(Int(metrics.bytesSent)))
    try event.set("bytes_received", try JSON.integer(Int(metrics.bytesReceived)))
    return try event.serialized()
  }

  private static func failureStatus(_ outcome: Result<(JSON, Int), CaffestaError>) -> Status {
    if case .failure(let error) = outcome { return error.status }
    return .ok
  }
}
