#!/usr/bin/env bash
# The CMake package in use: builds examples/cpp with CMake against an installed libcaffesta,
# runs the program from its build tree, installs it (with the library beside it when bundled)
# and runs the installed program with no LD_LIBRARY_PATH, each against the emulator
# (CAFFESTA_BASE_URL, CAFFESTA_ACCOUNT, CAFFESTA_API_KEY: scripts/with-emulator.sh sets them).
#   scripts/check-cmake.sh [--bundle] [CMAKE_PREFIX_PATH]
# --bundle: the installer's route (the library in the program's lib/, RUNPATH $ORIGIN/../lib).
# Without CMAKE_PREFIX_PATH, find_package looks where CMake looks by default (the .deb's files).
# The test command runs it against the staged install; make dist-check against the .deb and the
# tarball in Debian 11 and 13.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bundle=OFF
[ "${1:-}" = --bundle ] && { bundle=ON; shift; }
prefix_path=${1:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
unset LD_LIBRARY_PATH CAFFESTA_LIBRARY

cmake -S "$root/examples/cpp" -B "$work/build" -DCAFFESTA_BUNDLE=$bundle ${prefix_path:+-DCMAKE_PREFIX_PATH="$prefix_path"} \
  >"$work/configure.log" 2>&1 || { cat "$work/configure.log" >&2; exit 1; }
grep -E "Caffesta|Build files" "$work/configure.log" || true
# The version file: 1.0 and this version are answered, a later minor or another major is not
# (a project with a language, as a till's: CMake searches lib/<multiarch>/cmake only then).
version=$(cat "$root/VERSION")
mkdir "$work/versions"
for wanted in 1.0 "$version" "${version%.*}.99" 2.0; do
  printf 'cmake_minimum_required(VERSION 3.13)\nproject(v LANGUAGES C)\nfind_package(Caffesta %s REQUIRED)\n' "$wanted" \
    >"$work/versions/CMakeLists.txt"
  if cmake -S "$work/versions" -B "$work/versions/build-$wanted" ${prefix_path:+-DCMAKE_PREFIX_PATH="$prefix_path"} >/dev/null 2>&1
  then found=yes; else found=no; fi
  case "$wanted:$found" in 1.0:yes|"$version":yes|*.99:no|2.0:no) ;; *) echo "find_package(Caffesta $wanted): found=$found" >&2; exit 1;; esac
done
echo "versions: find_package(Caffesta 1.0 or $version) finds $version; ${version%.*}.99 and 2.0 do not"

cmake --build "$work/build" >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
echo "built: $(ldd "$work/build/sync-cpp" | grep -o 'libcaffesta.so.1 => [^ ]*')"
"$work/build/sync-cpp" cmake-build "Из CMake" 2.50

cmake --install "$work/build" --prefix "$work/till" >/dev/null
installed="$work/till/bin/sync-cpp"
if [ "$bundle" = ON ]; then
  readelf -d "$installed" | grep -q 'R.*PATH.*\[\$ORIGIN/\.\./lib\]' || { echo "no \$ORIGIN/../lib RUNPATH" >&2; exit 1; }
  mv "$work/till" "$work/moved"   # installed anywhere: $ORIGIN follows the tree
  installed="$work/moved/bin/sync-cpp"
fi
echo "installed: $(ldd "$installed" | grep -o 'libcaffesta.so.1 => [^ ]*')"
"$installed" cmake-install "Установлен CMake" 3.50
echo "cmake: find_package(Caffesta 1.1) builds and runs from the build tree and installed"
