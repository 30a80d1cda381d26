/// What a write does, so that a failed one says in words what became of it: "the invoice may
/// have been created: check the invoice list before sending it again".
public struct Effect {
  let subject: StaticString
  let verb: StaticString
  /// What to do when it may have arrived.
  let advice: StaticString

  static let productSaved = Effect(subject: "the product", verb: "saved",
                                   advice: "upserting it again is safe (it is found by its ref_code)")
  static let productUpdated = Effect(subject: "the product", verb: "updated", advice: "sending the same update again is safe")
  static let menuImported = Effect(subject: "the menu", verb: "imported", advice: "sending the same import again is safe")
  static let invoiceCreated = Effect(subject: "the invoice", verb: "created",
                                     advice: "check the invoice list before sending it again")
  static let moveCreated = Effect(subject: "the move", verb: "created",
                                  advice: "check the storages in Caffesta before sending it again")
  static let orderPlaced = Effect(subject: "the order", verb: "placed",
                                  advice: "check the POS or Caffesta's back office before sending it again")
  static let requestApplied = Effect(subject: "the request", verb: "applied", advice: "check before sending it again")

  static func wired(_ document: StaticString, _ action: Client.WireAction) -> Effect {
    Effect(subject: document, verb: action == .wire ? "wired" : "unwired", advice: "read it before sending it again")
  }

  /// The words added to a failure's message for its delivery state; none for an answered one
  /// (the server's own answer says what happened).
  func phrase(_ delivery: Delivery) -> String {
    switch delivery {
    case .mayHaveArrived: return "; \(subject) may have been \(verb): \(advice)"
    case .notSent: return "; \(subject) was not \(verb): sending it again is safe"
    case .answered: return ""
    }
  }
}
