// libFuzzer target: the validating scanner (Sources/CSupport/json_scan.c) against jansson, over
// the same text. The first byte picks the flags (any top value, duplicate keys refused); the rest
// is the text. They must agree on validity: where the scanner accepts, jansson accepts the text
// (with the numbers it cannot hold, which the scanner lists, replaced as the library replaces
// them); where the scanner refuses, jansson refuses too. Spans must cut valid values.
// One known difference: jansson skips a NUL byte that directly follows a number or a literal
// (`[1\0]`; its lexer's unget of a NUL reads as "buffer empty"). RFC 8259 allows no NUL there and
// the scanner refuses it; the target checks that this is the only reason they differ.
import CJansson
import CSupport
import FuzzDriver

@_cdecl("FuzzJSON_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
  var count = argc
  var arguments = argv
  return LLVMFuzzerRunDriver(&count, &arguments, fuzzJSON)
}

func janssonAccepts(_ bytes: UnsafeBufferPointer<UInt8>, anyValue: Bool, rejectDuplicates: Bool) -> (Bool, Int) {
  var flags = Int(JSON_ALLOW_NUL)
  if anyValue { flags |= Int(JSON_DECODE_ANY) }
  if rejectDuplicates { flags |= Int(JSON_REJECT_DUPLICATES) }
  var error = json_error_t()
  let base = UnsafeRawPointer(bytes.baseAddress ?? UnsafePointer(bitPattern: 1)!).assumingMemoryBound(to: CChar.self)
  guard let value = json_loadb(base, bytes.count, flags, &error) else { return (false, -1) }
  let size = caf_json_is_array(value) != 0 ? json_array_size(value) : -1
  caf_json_decref(value)
  return (true, size)
}

/// Whether the text is valid once NUL bytes after a number's or literal's last byte are dropped.
func janssonSkipsNUL(_ text: UnsafeBufferPointer<UInt8>, _ flags: Int32) -> Bool {
  var copy: [UInt8] = []
  var dropped = false
  for (index, byte) in text.enumerated() {
    if byte == 0, index > 0, copy.last.map({ ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) }) == true {
      dropped = true
      continue
    }
    copy.append(byte)
  }
  guard dropped else { return false }
  var result = caf_json_scan_result()
  defer { caf_json_scan_free(&result) }
  return copy.withUnsafeBufferPointer { buffer in
    caf_json_scan(UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self), buffer.count, flags, &result)
  } == Int32(CAF_JSON_OK)
}

func disagree(_ what: StaticString) -> Never { fatalError("scanner and jansson disagree: \(what)") }

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  guard let data, size > 0 else { return 0 }
  let anyValue = data[0] & 1 != 0, rejectDuplicates = data[0] & 2 != 0
  let text = UnsafeBufferPointer(start: data + 1, count: size - 1)
  var flags = Int32(CAF_JSON_CHILDREN)
  if anyValue { flags |= Int32(CAF_JSON_ANY_VALUE) }
  if rejectDuplicates { flags |= Int32(CAF_JSON_REJECT_DUPLICATES) }
  var result = caf_json_scan_result()
  defer { caf_json_scan_free(&result) }
  let base = UnsafeRawPointer(data + 1).assumingMemoryBound(to: CChar.self)
  let status = caf_json_scan(base, text.count, flags, &result)
  if status == Int32(CAF_JSON_NO_MEMORY) { return 0 }
  guard status == Int32(CAF_JSON_OK) else {
    if janssonAccepts(text, anyValue: anyValue, rejectDuplicates: rejectDuplicates).0 && !janssonSkipsNUL(text, flags) {
      disagree("scanner refused")
    }
    return 0
  }
  // The text jansson reads: each number it cannot hold becomes 1e308 of the same sign.
  var readable: [UInt8] = []
  var at = 0
  for index in 0..<result.wide_count {
    let start = result.wide![2 * index], end = result.wide![2 * index + 1]
    guard start >= at, end > start, end <= text.count else { disagree("bad number span") }
    readable.append(contentsOf: text[at..<start])
    readable.append(contentsOf: text[start] == UInt8(ascii: "-") ? Array("-1e308".utf8) : Array("1e308".utf8))
    at = end
  }
  readable.append(contentsOf: text[at...])
  let (accepted, arraySize) = readable.withUnsafeBufferPointer {
    janssonAccepts($0, anyValue: anyValue, rejectDuplicates: rejectDuplicates)
  }
  if !accepted { disagree("scanner accepted") }
  if arraySize >= 0 && arraySize != result.child_count { disagree("element count") }
  // Every child span is a valid value of its own, every key span a string.
  for index in 0..<result.child_count {
    let span = result.children! + 4 * index
    guard span[2] < span[3], span[3] <= text.count else { disagree("bad child span") }
    var child = caf_json_scan_result()
    if caf_json_scan(base + span[2], span[3] - span[2], Int32(CAF_JSON_ANY_VALUE), &child) != Int32(CAF_JSON_OK) {
      caf_json_scan_free(&child)
      disagree("child span is not a value")
    }
    caf_json_scan_free(&child)
    if span[1] > span[0] && (text[span[0]] != UInt8(ascii: "\"") || text[span[1] - 1] != UInt8(ascii: "\"")) {
      disagree("key span is not a string")
    }
  }
  return 0
}
