#!/usr/bin/env bash
# Benchmark (not a test): confirmation sheets of a 2,000-staff school in one
# PDF, with one thread and with two (each draws half of the people into a
# PDF of its own, joined at the end: sheet.c, pdfjoin.c),
# alternating, each with its CPU per thread.  Budget (issue 21): ≤ 6 s wall,
# ≤ 300 MB peak RSS on 2 cores, two threads; the files must be the same.
# Wall times mean something only on a quiet machine: the load is printed.
# usage: bench/print.sh [path/to/jzg] [runs]   (default build/jzg 1)
set -euo pipefail
J=${1:-build/jzg}
RUNS=${2:-1}
DB=/tmp/jzg_bench_2000.db
export JZG_TODAY=${JZG_TODAY:-2026-11-22}
if [ ! -s "$DB" ]; then
	rm -f "$DB.tmp"
	"$J" --db "$DB.tmp" school add --code 2143012345 --name 测试县第一中学 --type zxx >/dev/null
	"$J" --db "$DB.tmp" demo --staff 2000 --school 2143012345 --seed 6 >/dev/null
	mv "$DB.tmp" "$DB"
fi
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p')"
TCK=$(getconf CLK_TCK)

# Run "$@" under /usr/bin/time and print, besides time's line, the CPU of
# each of its threads (utime + stime from /proc, sampled every 0.05 s; a
# thread's last sample before it ends, so a little low for short threads).
timed() {
	local tf pid line kids
	tf=$(mktemp)
	declare -A cpu=()
	/usr/bin/time -o "$tf" -f "wall=%es user=%Us sys=%Ss maxrss=%MKB" "$@" >/dev/null &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		kids=$(cat /proc/"$pid"/task/"$pid"/children 2>/dev/null) || kids=
		for c in $kids; do
			for st in /proc/"$c"/task/*/stat; do
				line=$(cat "$st" 2>/dev/null) || continue
				line=${line##*) }   # after the command name
				set -- $line
				cpu[${st%/stat}]=$(( ${12} + ${13} ))
			done
		done
		sleep 0.05
	done
	wait "$pid"
	printf '%s  threads:' "$(cat "$tf")"
	for k in "${!cpu[@]}"; do
		awk -v t="${cpu[$k]}" -v h="$TCK" 'BEGIN { printf " %.2fs", t / h }'
	done
	echo
	rm -f "$tf"
}

for ((r = 1; r <= RUNS; r++)); do
	for th in 1 2; do
		echo "run $r, JZG_SHEET_THREADS=$th, load $(cut -d' ' -f1-3 /proc/loadavg):"
		JZG_SHEET_THREADS=$th timed "$J" --db "$DB" print sheet --school 2143012345 --out /tmp/jzg_bench_sheets$th.pdf
	done
done
pdfinfo /tmp/jzg_bench_sheets2.pdf | awk '/^Pages:/ {printf "%d pages, %.2f per person, ", $2, $2 / 2000}'
ls -l /tmp/jzg_bench_sheets2.pdf | awk '{printf "PDF %.1f MB, ", $5 / 1048576}'
cmp -s /tmp/jzg_bench_sheets1.pdf /tmp/jzg_bench_sheets2.pdf && echo "one thread and two: same bytes" ||
	echo "one thread and two: DIFFERENT files"
/usr/bin/time -f "blank form: wall=%es user=%Us sys=%Ss maxrss=%MKB" "$J" print form --type zxx --out /tmp/jzg_bench_form.pdf
