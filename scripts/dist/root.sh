#!/usr/bin/env bash
# Builds (once) a minimal Debian root for `make dist-check` and caches it as a tarball:
#   scripts/dist/root.sh SUITE CACHE_DIR   ->  CACHE_DIR/SUITE.tar (and SUITE.tar.stamp)
# debootstrap --variant=minbase from Debian's mirror, then the tools a user of that system
# would install to build and run the examples (gcc, g++, make, cmake, pkg-config, Python's venv,
# PHP where the system's PHP is 8.1 or later). libcurl4, libjansson4 and libjansson-dev (and
# nlohmann-json3-dev, php-fpm, nginx, composer, curl) are downloaded into apt's cache but not
# installed, so that installing the .debs shows that their Depends pull them in, the steps
# install what the docs tell a user to, and a warm run needs no network. The stamp records both
# lists: a root cached with other lists is built again. As in a container image, policy-rc.d
# keeps packages from starting services (nginx, php-fpm) in the root; the checks start them.
set -euo pipefail
suite=$1 cache=$2
mirror=${CAFFESTA_DEBIAN_MIRROR:-http://deb.debian.org/debian}
out="$cache/$suite.tar"
tools="gcc g++ libc6-dev make cmake pkg-config python3 python3-venv"
later="libcurl4 libjansson4 libjansson-dev nlohmann-json3-dev"
[ "$suite" = bullseye ] || { tools="$tools php-cli"; later="$later php-fpm php-opcache nginx composer curl"; }
stamp="tools: $tools; downloaded: $later"
[ -f "$out" ] && [ "$(cat "$out.stamp" 2>/dev/null)" = "$stamp" ] && exit 0
mkdir -p "$cache"
work=$(mktemp -d "$cache/$suite.XXXXXX")
trap 'rm -rf --one-file-system "$work"' EXIT

echo "dist-check: building the $suite root (first run only; cached in $out)"
# A private mount namespace: debootstrap's /proc and ours go away with it, whatever happens.
unshare --mount --propagation private bash -euc '
  suite=$1 root=$2 mirror=$3 tools=$4 log=$5 later=$6
  debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$log" 2>&1 || { tail -20 "$log" >&2; exit 1; }
  mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"
  mount --bind /dev "$root/dev"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  printf "#!/bin/sh\nexit 101\n" > "$root/usr/sbin/policy-rc.d"
  chmod 755 "$root/usr/sbin/policy-rc.d"
  chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive bash -euc "
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends $tools >/dev/null 2>&1
    apt-get install -y -qq --download-only $later >/dev/null 2>&1
  "
  umount "$root/dev" "$root/proc"
' _ "$suite" "$work/root" "$mirror" "$tools" "$work/debootstrap.log" "$later"
tar -C "$work/root" --one-file-system -cf "$out.tmp" .
mv "$out.tmp" "$out"
printf '%s\n' "$stamp" > "$out.stamp"
echo "dist-check: cached the $suite root ($(du -h "$out" | cut -f1))"
