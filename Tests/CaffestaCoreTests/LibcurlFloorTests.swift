import XCTest
@testable import CaffestaCore

/// The libcurl floor, checked when a client is created (CurlTransport.checkRunningLibcurl).
final class LibcurlFloorTests: XCTestCase {
  func testAnOlderLibcurlIsAnInternalErrorNamingBothVersions() {
    do {
      try CurlTransport.checkLibcurl(versionNumber: 0x074000, versionText: "7.64.0")
      XCTFail("libcurl 7.64.0 was accepted")
    } catch {
      XCTAssertEqual(error.status, .internal)
      XCTAssertTrue(error.message.contains("7.64.0"), error.message)
      XCTAssertTrue(error.message.contains("7.74.0"), error.message)
    }
  }

  func testTheFloorAndNewerAreAccepted() throws {
    try CurlTransport.checkLibcurl(versionNumber: 0x074a00, versionText: "7.74.0")
    try CurlTransport.checkLibcurl(versionNumber: 0x081000, versionText: "8.16.0")
  }

  func testTheRunningLibcurlIsAccepted() throws {
    try CurlTransport.checkRunningLibcurl()
    XCTAssertNotNil(try? Client.make(accountName: "demo", apiKey: "key"))
  }
}
