import CSupport
import CaffestaCore

// The "One call" section of include/caffesta.h, and caffesta_last_delivery of "Errors".

@_cdecl("caffesta_last_delivery")
public func caffesta_last_delivery() -> Int32 {
  caf_error_delivery()
}
