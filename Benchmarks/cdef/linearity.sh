#!/bin/sh
# Is ffi.cdef linear? Times one cdef of 2,000 and of 20,000 declarations (after 1,000
# others), each in a fresh process, alternating, and prints the best of each and
# their ratio (issue goal: at most 11).
#   Benchmarks/cdef/linearity.sh .build-release/release/luaffi [rounds (25)]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=$1; rounds=${2:-25}
small=1; large=1
for _ in $(seq "$rounds"); do
  t=$("$bin" "$here/linearity.lua" 2000); small=$(echo "$t $small" | awk '{print ($1 < $2) ? $1 : $2}')
  t=$("$bin" "$here/linearity.lua" 20000); large=$(echo "$t $large" | awk '{print ($1 < $2) ? $1 : $2}')
done
echo "2000: $small s  20000: $large s  ratio: $(echo "$small $large" | awk '{printf "%.2f", $2 / $1}')"
