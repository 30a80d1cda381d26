#!/usr/bin/env bash
# Checks the shipped library: it exports exactly the header's functions, has SONAME
# libcaffesta.so.1, and depends on neither the Swift runtime nor libstdc++.
#   scripts/check-library.sh LIBRARY HEADER
set -euo pipefail
lib=$1 header=$2
fail=0
declared=$(grep -oE '\bcaffesta_[a-z0-9_]+[[:space:]]*\(' "$header" | tr -d ' (' | sort -u)
exported=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[A-Z]$/ && $2 != "A" {print $3}' | sed 's/@.*//' | sort -u)
if [ "$declared" != "$exported" ]; then
  echo "FAIL exports differ from the header (< header only, > library only):"
  diff <(echo "$declared") <(echo "$exported") | grep '^[<>]' || true
  fail=1
else
  echo "ok   exports: exactly the $(echo "$declared" | wc -l) functions of the header"
fi
soname=$(readelf -d "$lib" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
if [ "$soname" = "libcaffesta.so.1" ]; then echo "ok   SONAME $soname"; else echo "FAIL SONAME is '$soname'"; fail=1; fi
if ldd "$lib" | grep -E 'libswift|libstdc\+\+|libFoundation|libdispatch'; then
  echo "FAIL the library depends on the Swift runtime or libstdc++"
  fail=1
else
  echo "ok   ldd: no Swift runtime, no libstdc++"
fi
size=$(stat -L -c %s "$lib")
echo "     size: $size bytes"
[ $fail = 0 ] && echo "library checks: 3 passed, 0 failed" || echo "library checks: failed"
exit $fail
