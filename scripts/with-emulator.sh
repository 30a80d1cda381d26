#!/usr/bin/env bash
# Runs a command against a fresh emulator on a free loopback port:
#   scripts/with-emulator.sh CMD ARGS...
# The command sees CAFFESTA_EMULATOR_URL and CAFFESTA_EMULATOR_KEY; the emulator stops afterwards.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
key=${CAFFESTA_EMULATOR_KEY:-0123456789abcdef0123456789abcdef}
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
export CAFFESTA_EMULATOR_URL=${line#listening on }
export CAFFESTA_EMULATOR_KEY=$key
"$@"
