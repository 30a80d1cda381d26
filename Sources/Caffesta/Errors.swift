import CSupport
import CaffestaCore

// The "Errors, memory, version" section of include/caffesta.h (written by hand: these take no
// client and set no last error).

@_cdecl("caffesta_last_error")
public func caffesta_last_error() -> UnsafePointer<CChar> {
  caf_error_message()
}

@_cdecl("caffesta_last_http_status")
public func caffesta_last_http_status() -> Int32 {
  caf_error_http_status()
}

@_cdecl("caffesta_last_delivery")
public func caffesta_last_delivery() -> Int32 {
  caf_error_delivery()
}

@_cdecl("caffesta_status_name")
public func caffesta_status_name(_ status: Int32) -> UnsafePointer<CChar> {
  guard let known = Status(rawValue: status) else { return ("CAFFESTA_UNKNOWN" as StaticString).cString }
  return known.name.cString
}

@_cdecl("caffesta_string_free")
public func caffesta_string_free(_ text: UnsafeMutablePointer<CChar>?) {
  caf_free(text)
}

@_cdecl("caffesta_version")
public func caffesta_version() -> UnsafePointer<CChar> {
  Version.string.cString
}
