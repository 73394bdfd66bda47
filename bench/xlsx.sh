#!/usr/bin/env bash
# xlsx.sh — benchmark of `jzg export` and `jzg import` on the 100,000-staff
# demo file against a bare libxlsxwriter constant_memory loop writing the
# same cells (bench/xlsx_baseline.c), all in the same run.  Not a test.
# usage: bench/xlsx.sh [BUILD_DIR]   (figures go to docs/xlsx.md by hand)
#   BASE=OTHER_BUILD_DIR: also that build's two-thread export in each round
#   (the build before a change, measured in the same minutes)
set -euo pipefail
B=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DB=${DB:-/tmp/jzg_bench_100k.db}
J="$B/jzg"
export JZG_FORMS="$ROOT/forms" JZG_DATA="$ROOT/data"
[ -f "$DB" ] || { echo "build $DB first (docs/xlsx.md §Benchmark)"; exit 2; }
W=$(mktemp -d /tmp/jzg_bench_xlsx.XXXXXX)
trap 'rm -rf "$W"' EXIT
echo "machine: $(nproc) cores, $(lscpu | grep 'Model name' | sed 's/ \+/ /g')"
echo "staff: $(sqlite3 "$DB" 'SELECT count(*) FROM staff'), schools: $(sqlite3 "$DB" 'SELECT count(*) FROM school')"
# CPU time (user+sys) as well as wall: the machine may be shared.
t() { /usr/bin/time -f "%e s wall, %U+%S s cpu, peak %M KB" "$@" 2>&1 >/dev/null | tail -1; }
cmake --build "$B" --target xlsx_baseline jzg >/dev/null
# Alternating, three rounds: the bare single-thread loop, jzg export on one
# thread, jzg export on both cores (issue 21: ≤ 0.6× the bare loop's wall,
# peak ≤ 50 MB; byte-identical to one thread, compared below).
for r in $(seq 1 "${ROUNDS:-3}"); do
	echo "round $r, load: $(cut -d" " -f1-3 /proc/loadavg)"
	rm -rf "$W/base" "$W/exp1" "$W/exp"
	mkdir "$W/base" "$W/exp1" "$W/exp"
	echo "  baseline (bare constant_memory loop): $(t "$B/xlsx_baseline" "$DB" "$W/base" jbxx SFZJH XM)"
	if [ -n "${BASE:-}" ]; then
		rm -rf "$W/expb"
		mkdir "$W/expb"
		echo "  BASE jzg export --all, two threads:   $(JZG_EXPORT_TIMES=1 /usr/bin/time -f "%e s wall, %U+%S s cpu, peak %M KB" \
			"$BASE/jzg" --db "$DB" export --out "$W/expb" 2>&1 >/dev/null | tr '\n' ' ')"
	fi
	echo "  jzg export --all, one thread:         $(JZG_EXPORT_THREADS=1 t "$J" --db "$DB" export --out "$W/exp1")"
	# each thread's CPU time too: the larger is the wall time on two free cores
	echo "  jzg export --all, two threads:        $(JZG_EXPORT_TIMES=1 /usr/bin/time -f "%e s wall, %U+%S s cpu, peak %M KB" \
		"$J" --db "$DB" export --out "$W/exp" 2>&1 >/dev/null | tr '\n' ' ')"
done
same=0
for f in "$W"/exp/*.xlsx; do cmp -s "$f" "$W/exp1/$(basename "$f")" && same=$((same + 1)); done
echo "byte-identical to one thread: $same of $(ls "$W"/exp/*.xlsx | wc -l) files"
du -sh "$W/base" "$W/exp" | sed 's/^/size: /'
echo "jzg import into an empty file:        $(t "$J" --db "$W/imp.db" import "$W/exp")"
echo "imported staff: $(sqlite3 "$W/imp.db" 'SELECT count(*) FROM staff')"
