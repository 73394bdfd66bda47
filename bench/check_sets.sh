#!/usr/bin/env bash
# bench/check_sets.sh — where a whole-file `jzg check` spends its
# instructions, set by set, beside the floor of each set's table (the
# sqlite3 CLI reading every stored value of it once, as bench/check.sh's
# floor does for the whole file).  Instruction counts (callgrind), so the
# figures do not depend on the load of the machine.
#
#   bench/check_sets.sh [DB]     DB: a copy is checked; default: a file of
#                                5 schools × 800 demo staff, made here
#
# How: the check runs on one thread; callgrind writes a dump before every
# rules_run() (one set statement of one template, or one scan of a group of
# templates), and gdb, in a run of its own, names each call's template and
# set in the same order (one thread runs them in a fixed order).  Not a
# test: prints figures for docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
J=$(realpath "${J:-build/jzg}")
export JZG_FORMS=$PWD/forms JZG_DATA=$PWD/data JZG_TODAY=${JZG_TODAY:-2026-11-22} JZG_CHECK_THREADS=1
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

if [ $# -ge 1 ]; then
	cp "$1" "$W/x.db"
else
	seed=1
	for s in zxx:2143010001 zz:3643010002 tj:5143010003 yey:1143010004 gx:4143010005; do
		"$J" --db "$W/x.db" school add --code "${s#*:}" --name "基准学校${seed}" --type "${s%%:*}" >/dev/null
		"$J" --db "$W/x.db" demo --staff 800 --school "${s#*:}" --seed "$seed" >/dev/null
		seed=$((seed + 1))
	done
fi
cd "$W"

# the order of the calls: template and set of each
cat > gdb.cmd <<'GDB'
set pagination off
break rules_run
commands
silent
printf "RUN %s %s\n", rs0->tpl->v[0], rs0->set->v[0]
continue
end
run
GDB
gdb -q -batch -x gdb.cmd --args "$J" --db x.db check --format tsv 2>/dev/null | sed -n 's/^RUN //p' > runs


valgrind --tool=callgrind --dump-before=rules_run --dump-after=rules_run --callgrind-out-file=cg "$J" --db x.db check --format tsv \
	>/dev/null 2>cg.log || true
total=$(sed -n 's/.*I *refs: *//p' cg.log | tr -d ,)
# cg.1 is everything before the first set, cg.2i the i-th call, cg.2i+1
# what runs between two calls; cg what follows the last (the report)
n=$(wc -l < runs)
for i in $(seq 1 "$n"); do sed -n 's/^totals: //p' "cg.$((2 * i))"; done > cost
start=$(sed -n 's/^totals: //p' cg.1)

between=0
for i in $(seq 3 2 $((2 * n - 1))); do between=$((between + $(sed -n 's/^totals: //p' "cg.$i"))); done
echo "jzg check, one thread, callgrind: $total instructions; before the first set: $start;" \
	"between sets: $between; after the last (the report): $(sed -n 's/^totals: //p' cg)"
printf '%-10s %9s %14s %14s %7s %9s\n' set records check floor ratio "per rec"
paste -d' ' runs cost | awk '{ c[$2] += $3 } END { for (s in c) print s, c[s] }' | sort > perset
fsum=0
while read -r set cost; do
	cols=$(sqlite3 x.db "SELECT group_concat('length(\"' || name || '\")', '+') FROM pragma_table_info('s_$set')")
	rec=$(sqlite3 x.db "SELECT count(*) FROM \"s_$set\"")
	echo "SELECT total($cols) FROM \"s_$set\";" > f.sql
	valgrind --tool=callgrind --callgrind-out-file=/dev/null sqlite3 x.db < f.sql > /dev/null 2> f.log
	f=$(sed -n 's/.*I *refs: *//p' f.log | tr -d ,)
	echo "$set $rec $cost $f"
done < perset > table
valgrind --tool=callgrind --callgrind-out-file=/dev/null sqlite3 x.db 'SELECT 1' > /dev/null 2> f0.log
f0=$(sed -n 's/.*I *refs: *//p' f0.log | tr -d ,)
sort -k3 -nr table | awk -v f0="$f0" '{ f = $4 - f0; printf "%-10s %9d %14d %14d %6.2f× %9d\n", $1, $2, $3, f, $3 / f, $3 / $2;
	c += $3; fl += f } END { printf "%-10s %9s %14d %14d %6.2f×\n", "all sets", "", c, fl, c / fl }'
echo "(floor: sqlite3 reading every value of the table once, less the $f0 instructions of starting sqlite3)"
