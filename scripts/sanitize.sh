#!/usr/bin/env bash
# The Swift and C suites under a sanitizer, on the ordinary (non-Embedded) build of the same
# sources:   scripts/sanitize.sh address|thread
# The C tests are compiled with the Swift toolchain's clang, so that both sides share one
# sanitizer runtime. Exits non-zero on a failing test or a sanitizer report.
set -euo pipefail
mode=${1:?usage: sanitize.sh address|thread}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export CAFFESTA_REPO_ROOT=$root  # the C tests that start emulators of their own look there
scratch=.build-$mode
out=build/$mode
clang=$(dirname "$(which swiftc)")/clang
swiftlib=$(dirname "$(which swiftc)")/../lib/swift/linux
mkdir -p "$out"

# XCTest's own runner leaks a few objects at exit: not ours, so suppressed by name.
export LSAN_OPTIONS=suppressions=$root/Tests/sanitizers/lsan.supp:print_suppressions=0
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 TSAN_OPTIONS=halt_on_error=1

echo "== $mode: swift test"
{ scripts/with-emulator.sh swift test --quiet --sanitize="$mode" --scratch-path "$scratch" 2>&1; } \
  | { grep -v "Cannot export local symbol" || true; }

echo "== $mode: the C suites against the ordinary library"
swift build --sanitize="$mode" --scratch-path "$scratch" --product caffesta 2>&1 | grep -E "error|warning: unre" || true
libdir=$root/$scratch/debug
extra=()
# The toolchain's thread sanitizer runtime intercepts libdispatch, which it then needs.
[ "$mode" = thread ] && extra=(-L"$swiftlib" -Wl,-rpath,"$swiftlib" -ldispatch -lBlocksRuntime)
status=0
for test in Tests/c/test_*.c; do
  name=$(basename "$test" .c)
  helpers=()
  [ "$name" = test_peers ] && helpers=(Tests/c/peers.c)  # starts nginx, tinyproxy, httpbin
  "$clang" -fsanitize="$mode" -g -O1 -std=c99 -D_POSIX_C_SOURCE=200809L -Iinclude -o "$out/$name" "$test" Tests/c/harness.c "${helpers[@]}" \
    -L"$libdir" -Wl,-rpath,"$libdir" -lcaffesta "${extra[@]}" $(pkg-config --cflags --libs libcurl jansson) -lpthread \
    2>&1 | grep -v "Cannot export local symbol" || true
  (cd Tests/c && ../../scripts/with-emulator.sh "../../$out/$name") || status=1
done
exit $status
