/// What became of a call's request (caffesta_delivery in include/caffesta.h, with the same
/// numbers): never sent or proved unprocessed, may have arrived, or answered.
public enum Delivery: Int32 {
  case notSent = 0
  case mayHaveArrived = 1
  case answered = 2

  /// The bulk report's word for it.
  var name: StaticString {
    switch self {
    case .notSent: return "not_sent"
    case .mayHaveArrived: return "may_have_arrived"
    case .answered: return "answered"
    }
  }

  /// One attempt's: `classified` is what the answer's classification made of an answer.
  static func of(_ result: TransportResult, classified: Result<(JSON, Int), CaffestaError>) -> Delivery {
    switch result {
    case .failure(let failure):
      return failure.neverSent ? .notSent : .mayHaveArrived
    case .answer(let answer):
      if answer.proxyName != nil { return .notSent }  // a proxy's own refusal: the server saw nothing
      switch answer.status {
      case 429, 503: return .notSent  // the server refused before doing anything
      case 502, 504: return .mayHaveArrived  // a gateway's answer: the server may have applied it
      case 200..<300:
        // A 2xx the library cannot read: the request arrived and what it did is unknown.
        if case .failure(let error) = classified, error.status == .protocolError { return .mayHaveArrived }
        return .answered
      default: return .answered
      }
    }
  }
}

/// A request's or a call's delivery state as its attempts come: the last one's, except that a
/// write that may have arrived stays so until an answer settles it.
struct DeliveryState {
  private(set) var value = Delivery.notSent
  private var unsettledWrite = false

  mutating func note(_ attempt: Delivery, write: Bool) {
    switch attempt {
    case .answered: unsettledWrite = false
    case .mayHaveArrived where write: unsettledWrite = true
    default: break
    }
    value = attempt == .answered || !unsettledWrite ? attempt : .mayHaveArrived
  }
}
