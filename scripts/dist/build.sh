#!/usr/bin/env bash
# `make dist`: the six artifacts in dist/, from the library `make lib` built.
#   libcaffesta1_<v>_amd64.deb, libcaffesta-dev_<v>_amd64.deb   dpkg-buildpackage on a clean copy
#   caffesta-<v>-py3-none-manylinux_2_28_x86_64.whl              setuptools, then auditwheel repair
#   libcaffesta-<v>-linux-x86_64.tar.gz                          make install into a relocatable tree
#   caffesta-php-<v>.tar.gz                                      the Composer package (php-package.sh)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
version=$(cat VERSION)
python=${PYTHON:-python3}
lib=.build-embedded/release/libcaffesta.so
work=build/dist
rm -rf "$work" dist
mkdir -p "$work" dist

echo "== Debian packages"
# dpkg-buildpackage writes next to the source tree: build a copy of the tracked (and new,
# not ignored) files under build/dist, so nothing lands outside the repository.
src="$work/deb/libcaffesta-$version"
mkdir -p "$src"
git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$src" 2>/dev/null || true
(cd "$src" && dpkg-buildpackage -b -us -uc >../build.log 2>&1) || { tail -30 "$work/deb/build.log" >&2; exit 1; }
cp "$work/deb/libcaffesta1_${version}_amd64.deb" "$work/deb/libcaffesta-dev_${version}_amd64.deb" dist/
echo "== lintian"
lintian --fail-on error \
  "dist/libcaffesta1_${version}_amd64.deb" "dist/libcaffesta-dev_${version}_amd64.deb"

echo "== Python wheel"
wsrc="$work/wheel/src"
mkdir -p "$wsrc"
cp -rL bindings/python/. "$wsrc/"   # -L: caffesta_emulator is a link to emulator/
rm -rf "$wsrc/tests" "$wsrc"/build "$wsrc"/*.egg-info
find "$wsrc" -name __pycache__ -prune -exec rm -rf {} +
mkdir -p "$wsrc/caffesta/_lib"
install -m 0644 "$lib" "$wsrc/caffesta/_lib/libcaffesta.so.1"
"$python" -m pip wheel -q --no-deps --no-build-isolation -w "$work/wheel/plain" "$wsrc"
plain=$(ls "$work"/wheel/plain/caffesta-"$version"-py3-none-any.whl)
# The wheel carries a native library: tag it for the platform before auditwheel looks at it.
"$python" -m wheel tags --remove --platform-tag linux_x86_64 "$plain" >/dev/null
# jansson goes into the wheel; libcurl stays the system's (its TLS, CA store and proxy
# settings; one libcurl per process next to PHP's curl or pycurl).
auditwheel repair -w dist --plat manylinux_2_28_x86_64 --only-plat --exclude libcurl.so.4 \
  "$work"/wheel/plain/caffesta-"$version"-py3-none-linux_x86_64.whl

echo "== tarball"
name="libcaffesta-$version-linux-x86_64"
tree="$work/tarball/$name"
make --no-print-directory install PREFIX="$root/$tree" >/dev/null
install -m 0644 LICENSE README.md "$tree/"
tar -C "$work/tarball" --owner=0 --group=0 -czf "dist/$name.tar.gz" "$name"

echo "== PHP package"
bash scripts/dist/php-package.sh dist >/dev/null

echo "== dist/"
ls -l dist
