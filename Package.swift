// swift-tools-version:6.0
// One manifest, two builds:
//   CAFFESTA_EMBEDDED=1  the shipped libcaffesta.so: Embedded Swift, no Swift runtime (make lib)
//   otherwise            ordinary Swift for `swift test`, sanitizers and fuzzing
import PackageDescription

let embedded = Context.environment["CAFFESTA_EMBEDDED"] == "1"
// The Makefile passes the toolchain's embedded library folder (from `which swiftc`).
let embeddedLibDir = Context.environment["CAFFESTA_EMBEDDED_LIBDIR"] ?? ""
let root = Context.packageDirectory

var swiftSettings: [SwiftSetting] = [.swiftLanguageMode(.v5)]
// libm: the embedded stdlib's Dictionary sizing calls ceil().
var libraryLinker: [LinkerSetting] = [.linkedLibrary("m")]
if embedded {
  swiftSettings += [
    .enableExperimentalFeature("Embedded"),
    .unsafeFlags(["-wmo", "-Xcc", "-fPIC"]),
  ]
  libraryLinker += [
    .unsafeFlags([
      "-L", embeddedLibDir, "-lswiftUnicodeDataTables",
      "-Xlinker", "--version-script=\(root)/Sources/Caffesta/exports.map",
      "-Xlinker", "-soname=libcaffesta.so.1",
      // Debian's hardening: relocations resolved at load time and then read-only.
      "-Xlinker", "-z", "-Xlinker", "relro", "-Xlinker", "-z", "-Xlinker", "now",
    ])
  ]
}

var targets: [Target] = [
  .systemLibrary(name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl",
                 providers: [.apt(["libcurl4-openssl-dev"])]),
  .systemLibrary(name: "CJansson", path: "Sources/CJansson", pkgConfig: "jansson",
                 providers: [.apt(["libjansson-dev"])]),
  // The shipped library carries its own arc4random_buf (glibc floor 2.28): see support.c.
  .target(name: "CSupport", path: "Sources/CSupport",
          cSettings: [.unsafeFlags(["-fPIC"])] + (embedded ? [.define("CAFFESTA_GLIBC_SHIMS")] : [])),
  .target(name: "CaffestaCore", dependencies: ["CCurl", "CJansson", "CSupport"],
          path: "Sources/CaffestaCore", swiftSettings: swiftSettings),
  .target(name: "Caffesta", dependencies: ["CaffestaCore", "CSupport"],
          path: "Sources/Caffesta", exclude: ["exports.map"],
          swiftSettings: swiftSettings, linkerSettings: libraryLinker),
]
if !embedded {
  targets.append(.testTarget(name: "CaffestaCoreTests", dependencies: ["CaffestaCore", "Caffesta"],
                             path: "Tests/CaffestaCoreTests"))
}

// libFuzzer targets (make fuzz): ordinary mode with CAFFESTA_FUZZ=1 and -sanitize=fuzzer.
let fuzzing = Context.environment["CAFFESTA_FUZZ"] == "1"
if fuzzing && !embedded {
  targets.append(.target(name: "FuzzDriver", path: "Tests/fuzz/FuzzDriver"))
  targets.append(.target(name: "FuzzSupport", dependencies: ["Caffesta", "CaffestaCore"], path: "Tests/fuzz/FuzzSupport"))
  for name in ["FuzzInput", "FuzzAnswer"] {
    targets.append(.executableTarget(name: name, dependencies: ["Caffesta", "FuzzDriver", "FuzzSupport"],
                                     path: "Tests/fuzz/\(name)", swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
  }
  // The scanner against jansson (differential).
  targets.append(.executableTarget(name: "FuzzJSON", dependencies: ["CSupport", "CJansson", "FuzzDriver"],
                                   path: "Tests/fuzz/FuzzJSON", swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
}

let package = Package(
  name: "libcaffesta",
  products: [.library(name: "caffesta", type: .dynamic, targets: ["Caffesta"])],
  targets: targets
)
