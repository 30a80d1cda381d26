#!/usr/bin/env bash
# `make dist-check`: the artifacts in dist/, installed as a user of Debian 11 (bullseye) and
# Debian 13 (trixie) would, each in a fresh copy of a minimal root (scripts/dist/root.sh,
# cached in build/dist-roots), against one emulator on the host's loopback:
#   1. the .debs with apt-get (their Depends pull libcurl4 and libjansson4), examples/c/sync.c
#      built with pkg-config, examples/cpp built with CMake (find_package(Caffesta), installed
#      and run), and examples/php/sync.php where the system's PHP is 8.1 or later;
#   2. there too, where PHP is 8.1 or later: the PHP shop's route of bindings/php/README.md word
#      for word (the release's PHP package with Composer, the php-fpm recipe behind nginx on
#      port 80, in a network namespace of its own with its own emulator: scripts/dist/fpm-recipe.sh);
#   3. in another fresh copy, with no .deb: the wheel in a venv of the system's Python,
#      examples/python/sync.py without CAFFESTA_LIBRARY, the caffesta command's stock --excel and
#      an .xlsx push; then the tarball unpacked in /opt, the
#      C example built through its relocatable .pc file and examples/cpp through its CMake package.
# Needs root (chroot, mounts in a private namespace that vanishes with the script).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
version=$(cat VERSION)
suites=${CAFFESTA_DIST_SUITES:-bullseye trixie}
[ "$(id -u)" = 0 ] || { echo "dist-check: needs root (debootstrap, chroot)" >&2; exit 1; }
for f in "libcaffesta1_${version}_amd64.deb" "libcaffesta-dev_${version}_amd64.deb" \
         "caffesta-${version}-py3-none-manylinux_2_28_x86_64.whl" "libcaffesta-${version}-linux-x86_64.tar.gz" \
         "caffesta-php-${version}.tar.gz"; do
  [ -f "dist/$f" ] || { echo "dist-check: dist/$f is missing (make dist)" >&2; exit 1; }
done
for suite in $suites; do bash scripts/dist/root.sh "$suite" build/dist-roots; done

# Once more inside scripts/with-emulator.sh, which sets CAFFESTA_BASE_URL, CAFFESTA_ACCOUNT and
# CAFFESTA_API_KEY for one emulator on the host's loopback (the roots share the host's network).
if [ -z "${CAFFESTA_DIST_CHECK_EMULATOR:-}" ]; then
  CAFFESTA_DIST_CHECK_EMULATOR=1 exec scripts/with-emulator.sh bash "$0" "$@"
fi

work=build/dist-check
rm -rf --one-file-system "$work"
mkdir -p "$work"

# fresh_root NAME SUITE: a new copy of the cached root with the artifacts and the examples in
# /tmp/caffesta (the repository's layout: examples/, bindings/php/, dist/, the emulator and the
# scripts the checks run).
fresh_root() {
  local dir="$work/$1"
  mkdir -p "$dir"
  tar -C "$dir" -xf "build/dist-roots/$2.tar"
  mkdir -p "$dir/tmp/caffesta/bindings" "$dir/tmp/caffesta/scripts/dist"
  cp -r examples dist emulator VERSION "$dir/tmp/caffesta/"
  cp -r bindings/php "$dir/tmp/caffesta/bindings/"
  cp scripts/check-cmake.sh scripts/with-emulator.sh "$dir/tmp/caffesta/scripts/"
  cp scripts/dist/fpm-recipe.sh "$dir/tmp/caffesta/scripts/dist/"
  rm -rf "$dir/tmp/caffesta/examples/build" "$dir/tmp/caffesta/bindings/php/vendor"
  find "$dir/tmp/caffesta/emulator" -name __pycache__ -prune -exec rm -rf {} +
  echo "$dir"
}

# in_root DIR SCRIPT: runs SCRIPT with bash in DIR as root of the file system, with /proc and
# /dev mounted in a private mount namespace (gone when it ends, even on failure). With
# NETNS=1, in a network namespace of its own too, with only its loopback (up).
in_root() {
  unshare --mount ${NETNS:+--net} --propagation private bash -euc '
    dir=$1; shift
    [ -z "${NETNS:-}" ] || ip link set lo up
    mount -t proc proc "$dir/proc"
    mount --bind /dev "$dir/dev"
    chroot "$dir" env -i QUIET="$QUIET" PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME=/root LANG=C.UTF-8 \
      DEBIAN_FRONTEND=noninteractive CAFFESTA_BASE_URL="$CAFFESTA_BASE_URL" CAFFESTA_ACCOUNT="$CAFFESTA_ACCOUNT" \
      CAFFESTA_API_KEY="$CAFFESTA_API_KEY" V="'"$version"'" bash -euc "$QUIET$1"
  ' _ "$@"
}

# apt-get, quiet unless it fails (its debconf and /dev/pts notes are noise in a chroot).
export QUIET='quiet() { "$@" >/tmp/quiet.log 2>&1 || { cat /tmp/quiet.log; return 1; }; }
'
failed=()
step() {  # step SUITE WHAT ROOT SCRIPT (NETNS=1 step ...: in a network namespace of its own)
  local start=$SECONDS
  echo "== $1: $2"
  if in_root "$3" "$4"; then echo "-- $1: $2: ok ($((SECONDS - start)) s)"
  else echo "-- $1: $2: FAILED" >&2; failed+=("$1: $2"); fi
}

# The wheel's own dependencies (the `caffesta` command's click, tqdm, tomli), fetched from PyPI
# on the host for each system's Python, so that pip in the roots needs no network.
declare -A python_of=([bullseye]=3.9 [trixie]=3.13)
for suite in $suites; do
  "${PYTHON:-python3}" -m pip download -q --only-binary=:all: --python-version "${python_of[$suite]}" \
    --platform manylinux_2_28_x86_64 -d "$work/pydeps-$suite" "dist/caffesta-${version}-py3-none-manylinux_2_28_x86_64.whl" \
    tomli  # pip evaluates python_version markers with the host's Python: tomli (< 3.11) by name
done

for suite in $suites; do
  deb_root=$(fresh_root "$suite-deb" "$suite")
  step "$suite" "the .debs, the C example, the PHP example" "$deb_root" '
    cd /tmp/caffesta
    before=$(dpkg-query -W -f="\${Package}\n" | sort)
    quiet apt-get install -y ./dist/libcaffesta1_${V}_amd64.deb ./dist/libcaffesta-dev_${V}_amd64.deb
    echo "apt-get installed: $(comm -13 <(echo "$before") <(dpkg-query -W -f="\${Package}\n" | sort) | tr "\n" " ")"
    ldd /usr/lib/x86_64-linux-gnu/libcaffesta.so.1 2>/dev/null | grep -E "libcurl|libjansson"
    ! ldd /usr/lib/x86_64-linux-gnu/libcaffesta.so.1 | grep -q "not found"
    echo "pkg-config: $(pkg-config --cflags --libs caffesta) (version $(pkg-config --modversion caffesta))"
    echo "system: $(dpkg-query -W -f="\${Package} \${Version}, " libc6 python3 "libcurl4*" libjansson4 "php*-cli" 2>/dev/null)"
    quiet apt-get install -y libjansson-dev   # the example reads its catalog with jansson
    cc -std=c99 -Wall -o /tmp/sync-c examples/c/sync.c $(pkg-config --cflags --libs caffesta jansson)
    ldd /tmp/sync-c 2>/dev/null | grep -E "libcaffesta.so.1 => (/usr)?/lib/x86_64-linux-gnu/libcaffesta.so.1"
    /tmp/sync-c examples/catalog.json
    quiet apt-get install -y nlohmann-json3-dev   # the C++ example'"'"'s JSON library
    bash scripts/check-cmake.sh                   # find_package finds the .deb'"'"'s CMake package by itself
    if command -v php >/dev/null; then
      php -r "exit(PHP_VERSION_ID >= 80100 ? 0 : 1);" || { echo "PHP $(php -r "echo PHP_VERSION;") is below 8.1"; exit 1; }
      php examples/php/sync.php examples/catalog.json
    else
      echo "no PHP example: this system'"'"'s PHP is below the binding'"'"'s 8.1"
    fi'

  if [ "$suite" != bullseye ]; then   # Debian 11's PHP 7.4 is below the binding's 8.1
    NETNS=1 step "$suite" "the PHP package with Composer, the php-fpm recipe behind nginx (bindings/php/README.md)" \
      "$deb_root" 'cd /tmp/caffesta && bash scripts/with-emulator.sh bash scripts/dist/fpm-recipe.sh'
  fi

  wheel_root=$(fresh_root "$suite-wheel" "$suite")
  cp -r "$work/pydeps-$suite" "$wheel_root/tmp/caffesta/pydeps"
  step "$suite" "the wheel (no .deb), then the tarball" "$wheel_root" '
    cd /tmp/caffesta
    quiet apt-get install -y libcurl4   # the wheel uses the system libcurl
    ! ldconfig -p | grep -q libcaffesta || { echo "libcaffesta is already installed"; exit 1; }
    python3 -m venv /tmp/venv
    /tmp/venv/bin/pip install -q --no-index --find-links pydeps dist/caffesta-${V}-py3-none-manylinux_2_28_x86_64.whl
    echo "Python $(python3 -V), wheel installed"
    (cd /tmp && /tmp/venv/bin/python -c "import caffesta, caffesta._native as n; print(\"loads\", n.load().path, caffesta.library_version())")
    /tmp/venv/bin/python examples/python/sync.py examples/catalog.json
    # The operator'"'"'s route (bindings/python/README.md, the caffesta command): the wheel'"'"'s own
    # command, no CAFFESTA_LIBRARY: stock as an Excel file, then a catalog from a workbook.
    (cd /tmp && /tmp/venv/bin/caffesta stock 1 --pos 2 --excel --output /tmp/stock.csv)
    head -1 /tmp/stock.csv | grep -q "^.id;ref_code;name;" || { echo "stock.csv: $(head -1 /tmp/stock.csv)"; exit 1; }
    /tmp/venv/bin/python -c "import openpyxl; book = openpyxl.Workbook(); sheet = book.active
sheet.append([\"ref_code\", \"name\", \"price\", \"caf_shop_id\"]); sheet.append([5001, \"Из Excel\", 2.5, 2])
book.save(\"/tmp/catalog.xlsx\")"
    (cd /tmp && /tmp/venv/bin/caffesta products push /tmp/catalog.xlsx)

    quiet apt-get install -y libjansson4 libjansson-dev
    mkdir -p /opt/vendor && tar -C /opt/vendor -xzf dist/libcaffesta-${V}-linux-x86_64.tar.gz
    export PKG_CONFIG_PATH=/opt/vendor/libcaffesta-${V}-linux-x86_64/lib/pkgconfig
    libdir=$(pkg-config --variable=libdir caffesta)
    echo "tarball pkg-config: $(pkg-config --cflags --libs caffesta)"
    cc -std=c99 -Wall -o /tmp/sync-tar examples/c/sync.c $(pkg-config --cflags --libs caffesta jansson) -Wl,-rpath,"$libdir"
    ldd /tmp/sync-tar 2>/dev/null | grep "libcaffesta.so.1 => /opt/vendor/"
    /tmp/sync-tar examples/catalog.json
    quiet apt-get install -y nlohmann-json3-dev
    bash scripts/check-cmake.sh --bundle /opt/vendor/libcaffesta-${V}-linux-x86_64'
  rm -rf --one-file-system "$deb_root" "$wheel_root"
done

echo
if [ ${#failed[@]} -gt 0 ]; then
  printf 'dist-check: FAILED %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "dist-check: every artifact works on: $suites"
