#!/usr/bin/env bash
# libFuzzer runs of the ordinary build, with the address sanitizer:
#   scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 60)
# The C shim (the JSON scanner) is instrumented too, so that the fuzzer sees its branches.
# Each target starts from its committed seed corpus (Tests/fuzz/corpus/<target>); what it
# learns goes to build/fuzz/, never into the repository. A crash leaves its input there.
set -euo pipefail
seconds=${1:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
status=0
for target in FuzzInput FuzzAnswer FuzzJSON; do
  CAFFESTA_FUZZ=1 swift build --scratch-path .build-fuzz --product "$target" -Xswiftc -sanitize=fuzzer,address \
    -Xcc -fsanitize=fuzzer-no-link,address \
    2>&1 | grep -E "error" || true
  work=build/fuzz/$target
  mkdir -p "$work/corpus"
  echo "== fuzz $target for $seconds s"
  if ! ASAN_OPTIONS=detect_leaks=1 .build-fuzz/debug/"$target" -max_total_time="$seconds" -rss_limit_mb=2048 \
      -artifact_prefix="$work/" -print_final_stats=1 "$work/corpus" "Tests/fuzz/corpus/$target" >"$work/log" 2>&1; then
    echo "FAIL $target: see $work/log"; tail -40 "$work/log"; status=1
  else
    grep -E "^(Done|stat::number_of_executed_units)" "$work/log" || true
  fi
done
exit $status
