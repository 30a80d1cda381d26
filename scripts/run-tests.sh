#!/usr/bin/env bash
# Every suite, one after another, against the shipped (Embedded) library staged in build/stage.
# Goes on after a failing suite and exits non-zero if any failed. Called by `make test`.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export CAFFESTA_LIBRARY="$root/build/stage/lib/libcaffesta.so.1"
export PKG_CONFIG_PATH="$root/build/stage/lib/pkgconfig"
python=${PYTHON:-python3}
passed=() failed=()

suite() {
  local name=$1; shift
  echo
  echo "===== $name"
  local start=$SECONDS
  if "$@"; then passed+=("$name"); else failed+=("$name"); fi
  echo "----- $name: $((SECONDS - start)) s"
}

suite "library checks" scripts/check-library.sh "$CAFFESTA_LIBRARY" include/caffesta.h
suite "one version (VERSION everywhere)" "$python" scripts/version.py check
suite "portability floors: glibc 2.28, libcurl 7.74, jansson 2.13 (objdump -T)" \
  "$python" scripts/check-portability.py "$CAFFESTA_LIBRARY"
suite "ABI: the header against abi/caffesta.abi" "$python" scripts/abi.py check abi/caffesta.abi include/caffesta.h
suite "ABI checker, both ways (pytest)" "$python" -m pytest -q Tests/abi
suite "endpoint table: api/calls.toml against the header and the generated layers" "$python" scripts/calls.py check
suite "endpoint table checker, both ways (pytest)" "$python" -m pytest -q Tests/calls
suite "emulator (pytest)" "$python" -m pytest -q emulator/tests
suite "Swift core (swift test)" scripts/with-emulator.sh swift test --quiet
suite "C (header, every function)" make --no-print-directory -C Tests/c run
[ -d bindings/python/tests ] && suite "Python binding (pytest)" "$python" -m pytest -q bindings/python/tests
[ -f bindings/php/phpunit.xml ] && suite "PHP binding (phpunit)" phpunit --colors=never -c bindings/php/phpunit.xml
suite "CMake package: examples/cpp against the staged install" scripts/with-emulator.sh scripts/check-cmake.sh --bundle "$root/build/stage"
[ -f scripts/extra-tests.sh ] && suite "extra checks" bash scripts/extra-tests.sh
suite "benchmark, quick pass (works, not how fast)" bash bench/run.sh --quick
# Hardening: the same suites under memcheck and the sanitizers, and a short fuzz pass
# (make valgrind / asan / tsan / fuzz run them at length).
suite "C under valgrind (shipped library)" scripts/valgrind.sh
suite "Swift and C under AddressSanitizer" scripts/sanitize.sh address
suite "Swift and C under ThreadSanitizer" scripts/sanitize.sh thread
suite "fuzz, short pass" scripts/fuzz.sh "${CAFFESTA_FUZZ_SECONDS:-20}"

echo
echo "===== summary"
for s in "${passed[@]}"; do echo "ok   $s"; done
for s in "${failed[@]}"; do echo "FAIL $s"; done
echo "suites: ${#passed[@]} passed, ${#failed[@]} failed"
[ ${#failed[@]} -eq 0 ]
