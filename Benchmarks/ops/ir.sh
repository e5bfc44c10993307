#!/bin/sh
# Instructions per operation of around.lua's operations under callgrind:
# (Ir(N2) - Ir(N1)) / (N2 - N1), one round each, empty loop included.
#   Benchmarks/ops/ir.sh "<interpreter>" [pattern ...]
# e.g. Benchmarks/ops/ir.sh /tmp/luaffi-stripped "i64 + 1"; ir.sh "luajit -joff" "p + 1"
set -u
here=$(cd "$(dirname "$0")" && pwd)
cmd=$1; shift
n1=${OPS_N1:-20000}; n2=${OPS_N2:-120000}
ir() {
  LUAFFI_OPS_N=$2 valgrind --tool=callgrind --callgrind-out-file=/dev/null $cmd "$here/around.lua" 1 "$1" 2>&1 >/dev/null |
    sed -n 's/.*Collected : *\([0-9]*\).*/\1/p' | tail -n 1
}
for pattern in "$@"; do
  a=$(ir "$pattern" "$n1"); b=$(ir "$pattern" "$n2")
  awk -v a="$a" -v b="$b" -v n1="$n1" -v n2="$n2" -v p="$pattern" \
    'BEGIN { printf "%-30s %8.1f\n", p, (b - a) / (n2 - n1) }'
done
