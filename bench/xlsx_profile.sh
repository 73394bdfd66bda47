#!/usr/bin/env bash
# xlsx_profile.sh — instruction counts (callgrind) and CPU time of the
# baseline, `jzg export` and `jzg import` on a 5,000-staff demo file: on a
# shared machine wall time is noise, instruction counts are not.  Not a test.
# usage: bench/xlsx_profile.sh [BUILD_DIR]   (needs valgrind; ≈ 10 min)
set -euo pipefail
B=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
J="$B/jzg"
export JZG_FORMS="$ROOT/forms" JZG_DATA="$ROOT/data"
DB=/tmp/jzg_bench_5k.db
if [ ! -f "$DB" ]; then
	"$J" --db "$DB.tmp" school add --code 2143010001 --name 测试小学 --type zxx >/dev/null
	"$J" --db "$DB.tmp" demo --staff 5000 --school 2143010001 >/dev/null
	mv "$DB.tmp" "$DB"
fi
W=$(mktemp -d /tmp/jzg_prof_xlsx.XXXXXX)
trap 'rm -rf "$W"' EXIT
mkdir "$W/base" "$W/exp" "$W/exp2"
echo "machine: $(nproc) cores, $(lscpu | grep 'Model name' | sed 's/ \+/ /g'), load $(cut -d' ' -f1-3 /proc/loadavg)"
t() { /usr/bin/time -f "%U s user, %S s sys, peak %M KB" "$@" 2>&1 >/dev/null | tail -1; }
echo "cpu baseline: $(t "$B/xlsx_baseline" "$DB" "$W/base" jbxx SFZJH XM)"
echo "cpu export:   $(t "$J" --db "$DB" export --out "$W/exp")"
echo "cpu import:   $(t "$J" --db "$W/i1.db" import "$W/exp")"
ir() { valgrind --tool=callgrind --callgrind-out-file="$W/cg.out" "$@" >/dev/null 2>&1; grep -m1 '^summary' "$W/cg.out" | cut -d' ' -f2; }
echo "Ir baseline:  $(ir "$B/xlsx_baseline" "$DB" "$W/base" jbxx SFZJH XM)"
echo "Ir export:    $(ir "$J" --db "$DB" export --out "$W/exp2")"
echo "Ir import:    $(ir "$J" --db "$W/i2.db" import "$W/exp")"
