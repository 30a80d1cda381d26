#!/usr/bin/env bash
# The main job: a catalog sync into the bundled emulator, through the C example, then the C++,
# Python ones, the `caffesta` command (push examples/catalog.csv, pull it back) and PHP. The emulator keeps its state in build/demo/caffesta.db, so a second run
# reports "updated" where the first reported "created".
# Expects CAFFESTA_LIBRARY and PKG_CONFIG_PATH pointing at the staged library (make demo sets them).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$root/build/demo"
export CAFFESTA_EMULATOR_DB="$root/build/demo/caffesta.db"
make -s -C "$root/examples" >/dev/null
# The C examples link the library pkg-config names; when that is a staged copy, the loader needs its directory.
export LD_LIBRARY_PATH="$(pkg-config --variable=libdir caffesta)${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

run_demo() {
  echo "== emulator at $CAFFESTA_BASE_URL (state in build/demo/caffesta.db)"
  echo "== C: examples/c/sync.c"
  "$root/examples/build/sync-c" "$root/examples/catalog.json"
  echo "== C++: examples/cpp/sync.cpp"
  "$root/examples/build/sync-cpp" cpp-flat-white "Флэт уайт" 4.8
  if [ -f "$root/examples/python/sync.py" ]; then
    echo "== Python: examples/python/sync.py"
    PYTHONPATH="$root/bindings/python${PYTHONPATH:+:$PYTHONPATH}" "${PYTHON:-python3}" "$root/examples/python/sync.py" \
      "$root/examples/catalog.json"
  fi
  echo "== command line: caffesta products push examples/catalog.csv (one bad row on purpose), then pull"
  caffesta() { PYTHONPATH="$root/bindings/python${PYTHONPATH:+:$PYTHONPATH}" "${PYTHON:-python3}" -m caffesta.cli "$@"; }
  local status=0
  caffesta products push "$root/examples/catalog.csv" --report "$root/build/demo/report.csv" || status=$?
  [ "$status" -eq 3 ] || { echo "demo: expected exit 3 (partial) from the push, got $status" >&2; return 1; }
  caffesta products pull --pos 2 --format csv --output "$root/build/demo/products.csv"
  head -n 4 "$root/build/demo/products.csv"
  if [ -f "$root/examples/php/sync.php" ]; then
    echo "== PHP: examples/php/sync.php"
    php "$root/examples/php/sync.php" "$root/examples/catalog.json"
  fi
}
export -f run_demo
export root
"$root/scripts/with-emulator.sh" bash -c run_demo
