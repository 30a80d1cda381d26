/// The statuses of include/caffesta.h, with the same numbers.
public enum Status: Int32 {
  case ok = 0
  case invalidArgument = 1
  case network = 2
  case timeout = 3
  case tls = 4
  case unauthorized = 5
  case notFound = 6
  case rateLimited = 7
  case server = 8
  case api = 9
  case protocolError = 10
  case http = 11
  case noMemory = 12
  case `internal` = 13
  case partial = 14
  case proxy = 15
  case cancelled = 16
  case pending = 17

  public var name: StaticString {
    switch self {
    case .ok: return "CAFFESTA_OK"
    case .invalidArgument: return "CAFFESTA_ERR_INVALID_ARGUMENT"
    case .network: return "CAFFESTA_ERR_NETWORK"
    case .timeout: return "CAFFESTA_ERR_TIMEOUT"
    case .tls: return "CAFFESTA_ERR_TLS"
    case .unauthorized: return "CAFFESTA_ERR_UNAUTHORIZED"
    case .notFound: return "CAFFESTA_ERR_NOT_FOUND"
    case .rateLimited: return "CAFFESTA_ERR_RATE_LIMITED"
    case .server: return "CAFFESTA_ERR_SERVER"
    case .api: return "CAFFESTA_ERR_API"
    case .protocolError: return "CAFFESTA_ERR_PROTOCOL"
    case .http: return "CAFFESTA_ERR_HTTP"
    case .noMemory: return "CAFFESTA_ERR_NO_MEMORY"
    case .internal: return "CAFFESTA_ERR_INTERNAL"
    case .partial: return "CAFFESTA_ERR_PARTIAL"
    case .proxy: return "CAFFESTA_ERR_PROXY"
    case .cancelled: return "CAFFESTA_ERR_CANCELLED"
    case .pending: return "CAFFESTA_PENDING"
    }
  }
}

/// Every failure of the core: a status, a message for people, the HTTP status of the answer
/// that caused it (0 when there was none), and what became of the request. Messages never
/// contain the API key.
public struct CaffestaError: Error {
  public let status: Status
  public let message: String
  public let httpStatus: Int
  public let delivery: Delivery

  public init(_ status: Status, _ message: String, httpStatus: Int = 0, delivery: Delivery = .notSent) {
    self.status = status
    self.message = message
    self.httpStatus = httpStatus
    self.delivery = delivery
  }

  /// The same failure with another delivery state.
  func delivered(_ state: Delivery) -> CaffestaError {
    CaffestaError(status, message, httpStatus: httpStatus, delivery: state)
  }

  static func invalid(_ message: String) -> CaffestaError {
    CaffestaError(.invalidArgument, message)
  }
}

/// A successful call's result: JSON text and the HTTP status of the last answer.
public struct Reply {
  public let json: String
  public let httpStatus: Int

  public init(json: String, httpStatus: Int) {
    self.json = json
    self.httpStatus = httpStatus
  }
}
