#!/usr/bin/env bash
# Runs a command against a fresh emulator on a free loopback port:
#   scripts/with-emulator.sh CMD ARGS...
# The command sees CAFFESTA_BASE_URL (the emulator's URL), CAFFESTA_ACCOUNT ("demo" unless set)
# and CAFFESTA_API_KEY (the key the emulator accepts: $CAFFESTA_API_KEY when set, else the test
# key 0123456789abcdef0123456789abcdef), and CAFFESTA_LIBRARY (build/stage's library, after
# `make stage`, when not set); the emulator stops afterwards.
# Read when set: CAFFESTA_API_KEY, CAFFESTA_ACCOUNT, CAFFESTA_LIBRARY (above);
# CAFFESTA_EMULATOR_DB, the emulator's --db file, to keep its state after the command (default
# :memory:; make demo uses build/demo/caffesta.db); PYTHON, the interpreter that runs the emulator
# (default python3).
#   scripts/with-emulator.sh python3 examples/python/sync.py
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
key=${CAFFESTA_API_KEY:-0123456789abcdef0123456789abcdef}
db=${CAFFESTA_EMULATOR_DB:-:memory:}
log=$(mktemp)
coproc EMU { exec "${PYTHON:-python3}" "$root/emulator/caffesta_emulator.py" --host 127.0.0.1 --port 0 \
  --db "$db" --api-key "$key" 2>"$log"; }
emu_pid=$EMU_PID
trap 'kill "$emu_pid" 2>/dev/null; wait "$emu_pid" 2>/dev/null; rm -f "$log"' EXIT
if ! read -r -t 20 line <&"${EMU[0]}"; then
  echo "with-emulator: the emulator did not start:" >&2
  cat "$log" >&2
  exit 1
fi
case "$line" in
  "listening on "*) ;;
  *) echo "with-emulator: unexpected first line: $line" >&2; exit 1 ;;
esac
export CAFFESTA_BASE_URL=${line#listening on }
export CAFFESTA_ACCOUNT=${CAFFESTA_ACCOUNT:-demo}
export CAFFESTA_API_KEY=$key
# In a source tree, the bindings and examples use the library `make stage` built, unless told otherwise.
if [ -z "${CAFFESTA_LIBRARY:-}" ] && [ -e "$root/build/stage/lib/libcaffesta.so.1" ]; then
  export CAFFESTA_LIBRARY=$root/build/stage/lib/libcaffesta.so.1
fi
"$@"
