#!/usr/bin/env bash
# Benchmark (not a test): confirmation sheets of a 2,000-staff school in one
# PDF.  Budget: < 20 s wall, < 300 MB peak RSS on 2 cores.
# usage: bench/print.sh [path/to/jzg]   (default build/jzg)
set -euo pipefail
J=${1:-build/jzg}
DB=/tmp/jzg_bench_2000.db
export JZG_TODAY=${JZG_TODAY:-2026-11-22}
if [ ! -s "$DB" ]; then
	rm -f "$DB.tmp"
	"$J" --db "$DB.tmp" school add --code 2143012345 --name 测试县第一中学 --type zxx >/dev/null
	"$J" --db "$DB.tmp" demo --staff 2000 --school 2143012345 --seed 6 >/dev/null
	mv "$DB.tmp" "$DB"
fi
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p')"
/usr/bin/time -f "wall=%es user=%Us sys=%Ss maxrss=%MKB" "$J" --db "$DB" print sheet --school 2143012345 --out /tmp/jzg_bench_sheets.pdf
ls -l /tmp/jzg_bench_sheets.pdf | awk '{printf "PDF %.1f MB\n", $5 / 1048576}'
/usr/bin/time -f "wall=%es user=%Us sys=%Ss maxrss=%MKB" "$J" print form --type zxx --out /tmp/jzg_bench_form.pdf
