#!/usr/bin/env bash
# The benchmark (issue 7): builds the C programs of bench/ against the installed library,
# starts nginx (bench/nginx.conf.in) and the emulator (20 ms per answer) on loopback, runs
# bench/bench.py, which prints the table and writes build/bench/results.json, and stops both
# (bench/fpm/run.py starts and stops the php-fpm case's own servers).
#   bench/run.sh            the full run: a few minutes on 2 cores
#   bench/run.sh --quick    (or BENCH_QUICK=1) tiny counts, one round: checks that every path works
# `make bench` runs it with the staged library; by hand, set CAFFESTA_LIBRARY and PKG_CONFIG_PATH
# (defaults: build/stage). Needs nginx, PHP's curl extension and Python's requests; valgrind for
# the instruction counts (issue 16; without it the table has none).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

quick=${BENCH_QUICK:-0}
for arg in "$@"; do
  case $arg in
    --quick) quick=1 ;;
    *) echo "usage: bench/run.sh [--quick]" >&2; exit 2 ;;
  esac
done
[ "$quick" = 0 ] || quick=1

export CAFFESTA_LIBRARY=${CAFFESTA_LIBRARY:-$root/build/stage/lib/libcaffesta.so.1}
export PKG_CONFIG_PATH=${PKG_CONFIG_PATH:-$root/build/stage/lib/pkgconfig}
export PYTHONPATH=$root/bindings/python${PYTHONPATH:+:$PYTHONPATH}
# One start of Python finds the interpreter behind any wrapper (pyenv's shims cost a shell
# each time) and whether requests is there, without importing it.
read -r python has_requests < <("${PYTHON:-python3}" -c \
  'import importlib.util, sys; print(sys.executable, int(importlib.util.find_spec("requests") is not None))' \
  2>/dev/null || echo "${PYTHON:-python3} 0")
nginx=$(command -v nginx || echo /usr/sbin/nginx)

missing=()
[ -x "$nginx" ] || missing+=("nginx (apt-get install nginx-light)")
php -r 'exit(function_exists("curl_init") ? 0 : 1);' 2>/dev/null || missing+=("PHP's curl extension (apt-get install php-curl)")
[ "$has_requests" = 1 ] || missing+=("Python's requests (pip install requests)")
# The php-fpm case (bench/fpm/run.py): php-fpm behind nginx, and Guzzle as the PHP shop's client.
ls /usr/sbin/php-fpm* >/dev/null 2>&1 || command -v php-fpm >/dev/null || missing+=("php-fpm (apt-get install php-fpm)")
[ -f /usr/share/php/GuzzleHttp/autoload.php ] || missing+=("Guzzle (apt-get install php-guzzlehttp-guzzle)")
pkg-config --exists caffesta libcurl jansson || missing+=("pkg-config caffesta libcurl jansson (make stage)")
[ -f "$CAFFESTA_LIBRARY" ] || missing+=("$CAFFESTA_LIBRARY (make stage)")
if [ ${#missing[@]} -gt 0 ]; then
  printf 'bench: missing %s\n' "${missing[@]}" >&2
  exit 1
fi

# The C programs, built as a user of the installed library would.
bin=$root/build/bench/bin
mkdir -p "$bin"
cflags="-std=c99 -O2 -Wall -Wextra -pedantic -Werror"
cc $cflags -o "$bin/raw_loop" bench/raw_loop.c $(pkg-config --cflags --libs libcurl jansson)
cc $cflags -o "$bin/lib_loop" bench/lib_loop.c $(pkg-config --cflags --libs caffesta libcurl jansson) -Wl,-rpath,"$(pkg-config --variable=libdir caffesta)"
cc $cflags -o "$bin/load_time" bench/load_time.c -ldl

tmp=$(mktemp -d)
chmod 755 "$tmp"
emulator_pid=
cleanup() {
  if [ -f "$tmp/nginx.pid" ]; then
    kill "$(cat "$tmp/nginx.pid")" 2>/dev/null || true
    for _ in $(seq 50); do [ -f "$tmp/nginx.pid" ] || break; sleep 0.1; done
  fi
  if [ -n "$emulator_pid" ]; then
    kill "$emulator_pid" 2>/dev/null || true
    wait "$emulator_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

key=bench$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')

# nginx on a free loopback port (tried again on another port if it was taken meanwhile).
free_port() { "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
for attempt in 1 2 3 4 5; do
  port=$(free_port)
  sed -e "s|@PORT@|$port|g" -e "s|@KEY@|$key|g" -e "s|@PREFIX@|$tmp|g" bench/nginx.conf.in > "$tmp/nginx.conf"
  if "$nginx" -p "$tmp" -c "$tmp/nginx.conf" -e "$tmp/error.log" 2>"$tmp/nginx.err"; then break; fi
  [ "$attempt" = 5 ] && { cat "$tmp/nginx.err" "$tmp/error.log" >&2 2>/dev/null; echo "bench: nginx did not start" >&2; exit 1; }
done
nginx_url=http://127.0.0.1:$port

# The emulator, every answer delayed by 20 ms.
"$python" emulator/caffesta_emulator.py --host 127.0.0.1 --port 0 --db :memory: --api-key "$key" \
  --delay-ms 20 > "$tmp/emulator.out" 2>"$tmp/emulator.err" &
emulator_pid=$!
for _ in $(seq 200); do
  grep -q '^listening on ' "$tmp/emulator.out" 2>/dev/null && break
  kill -0 "$emulator_pid" 2>/dev/null || { cat "$tmp/emulator.err" >&2; echo "bench: the emulator did not start" >&2; exit 1; }
  sleep 0.1
done
emulator_url=$(sed -n 's/^listening on //p' "$tmp/emulator.out")
[ -n "$emulator_url" ] || { echo "bench: the emulator did not start" >&2; exit 1; }

echo "bench: nginx $("$nginx" -v 2>&1 | sed 's|.*/||') at $nginx_url, emulator at $emulator_url (20 ms per answer)"
echo "bench: library $CAFFESTA_LIBRARY, $(nproc) CPUs$([ $quick = 1 ] && echo ', quick mode')"
args=(--bin "$bin" --nginx "$nginx_url" --emulator "$emulator_url" --key "$key" --library "$CAFFESTA_LIBRARY"
      --out "$root/build/bench/results.json")
[ $quick = 1 ] && args+=(--quick)
"$python" bench/bench.py "${args[@]}"
