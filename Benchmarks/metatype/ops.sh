#!/bin/sh
# Instructions per operation of each op in ops.lua under callgrind:
# (Ir(n2) - Ir(n1)) / (n2 - n1), which cancels start-up. Valgrind needs Swift
# binaries stripped of debug info (strip --strip-debug).
#   Benchmarks/metatype/ops.sh BIN [op ...]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=$1; shift
ir() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null $bin "$here/ops.lua" "$1" "$2" 2>&1 >/dev/null |
    sed -n 's/.*Collected : *\([0-9]*\).*/\1/p' | tail -n 1
}
for op in ${*:-empty eq len call concat method method_gc}; do
  a=$(ir "$op" 2000); b=$(ir "$op" 22000)
  echo "$op $a $b" | awk '{ printf "%-10s %7.1f Ir\n", $1, ($3 - $2) / 20000 }'
done
