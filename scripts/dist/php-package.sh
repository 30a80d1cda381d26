#!/usr/bin/env bash
# The PHP package of a release: scripts/dist/php-package.sh OUT_DIR -> OUT_DIR/caffesta-php-<v>.tar.gz
# `composer archive` of bindings/php: the files Composer ships (bindings/php/.gitattributes leaves
# the tests out), under one directory, caffesta-php-<v>/, for a `path` repository once unpacked
# (bindings/php/README.md, Install). make dist calls it; bindings/php/tests/PackageTest.php too.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mkdir -p "$1" && cd "$1" && pwd)
version=$(cat "$root/VERSION")
name="caffesta-php-$version"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
command -v composer >/dev/null || { echo "php-package: composer is not installed (scripts/bootstrap.sh)" >&2; exit 1; }
(cd "$root/bindings/php" && COMPOSER_ALLOW_SUPERUSER=1 COMPOSER_DISABLE_NETWORK=1 \
  composer archive --no-interaction --quiet --format=tar --dir="$work" --file=package)
mkdir "$work/$name"
tar -C "$work/$name" -xf "$work/package.tar"
tar -C "$work" --owner=0 --group=0 --sort=name -czf "$out/$name.tar.gz" "$name"
echo "$out/$name.tar.gz"
