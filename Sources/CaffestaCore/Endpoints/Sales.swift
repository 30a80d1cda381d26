/// Sales exports (docs/api.md, Sales exports).
extension Client {
  public enum SalesGrouping {
    case byProduct, byPOS
    var path: String { self == .byProduct ? "export_sales" : "export_sales_totals" }
  }

  /// Either a range (`start` and `end`, ISO 8601) or one `shiftDay` (YYYY-MM-DD); `addGroupBy`
  /// is the optional `add_gr_by` field code uses ("terminal_id": one row per terminal).
  /// Answers `{"data": [...], "success": true}`; this returns the array.
  public func exportSales(_ grouping: SalesGrouping, start: String?, end: String?, shiftDay: String?,
                          addGroupBy: String? = nil) throws(CaffestaError) -> Operation<Reply>
  {
    let query: String
    switch (start, end, shiftDay) {
    case (let start?, let end?, nil):
      let from = try Arguments.dateTime(start, "start"), to = try Arguments.dateTime(end, "end")
      query = "start=\(PathSegment.encode(from))&end=\(PathSegment.encode(to))"
    case (nil, nil, let day?):
      query = "shift_day=\(try Arguments.day(day, "shift_day"))"
    default:
      throw .invalid("give either start and end, or shift_day alone")
    }
    var groupBy = ""
    if let addGroupBy {
      let bytes = addGroupBy.utf8
      guard (1...64).contains(bytes.count),
        bytes.allSatisfy({ ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || $0 == UInt8(ascii: "_") })
      else { throw .invalid("add_gr_by must be a field name such as \"terminal_id\"") }
      groupBy = "&add_gr_by=\(addGroupBy)"
    }
    return payloadReply(.get, "\(Self.apiPrefix)/product/\(grouping.path)?\(query)\(groupBy)")
  }

  /// GET /draft/receipts_by_shift_day/{terminal_id}/{date}: every receipt of one shift day.
  public func receiptsByShiftDay(terminalId: Int64, day: String) throws(CaffestaError) -> Operation<Reply> {
    let terminal = try Arguments.id(terminalId, "terminal_id")
    return payloadReply(.get, "\(Self.apiPrefix)/draft/receipts_by_shift_day/\(terminal)/\(try Arguments.day(day, "date"))")
  }
}
