#!/usr/bin/env bash
# bench/check.sh — how long `jzg check` takes over 100,000 staff, beside the
# floor of merely counting every s_* table with the sqlite3 CLI.
# Not a test: prints figures for docs/checks.md.  The 100,000-staff file
# takes minutes to make (demo ≈ 500 staff/s), so it is kept in
# /tmp/jzg_bench_100k.db (or $1) and reused when present.
set -euo pipefail
cd "$(dirname "$0")/.."
J=${J:-build/jzg}
DB=${1:-/tmp/jzg_bench_100k.db}
export JZG_FORMS=$PWD/forms JZG_DATA=$PWD/data
# demo dates and "this year" rules both read today(): pin it so the cached
# file stays clean whatever day the benchmark is run
export JZG_TODAY=${JZG_TODAY:-2026-11-22}

if [ ! -s "$DB" ]; then
	echo "building $DB (5 schools × 20000 staff) …" >&2
	part=$DB.part
	rm -f "$part"
	seed=1
	for s in zxx:2143010001 zz:3643010002 tj:5143010003 yey:1143010004 gx:4143010005; do
		"$J" --db "$part" school add --code "${s#*:}" --name "基准学校${seed}" --type "${s%%:*}" >/dev/null
		"$J" --db "$part" demo --staff 20000 --school "${s#*:}" --seed "$seed" >/dev/null
		seed=$((seed + 1))
	done
	mv "$part" "$DB"
fi

# open once so a schema migration is not part of the timing
"$J" --db "$DB" check --format tsv >/dev/null || true

tables=$(sqlite3 "$DB" "SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB 's_*' ORDER BY name")
count="SELECT 0"
floor=""
for t in $tables; do
	count="$count + (SELECT count(*) FROM \"$t\")"
	# the floor (issue 21): one pass reading every stored value once
	cols=$(sqlite3 "$DB" "SELECT group_concat('length(\"' || name || '\")', '+') FROM pragma_table_info('$t')")
	floor="$floor SELECT total($cols) FROM \"$t\";"
done

echo "machine: $(nproc) CPU, $(lscpu | sed -n 's/^Model name: *//p')"
echo "staff: $(sqlite3 "$DB" 'SELECT count(*) FROM staff'), rows in s_*: $(sqlite3 "$DB" "$count")"
# The machine may be shared: user CPU time is the steadier figure; wall
# time only shows the two threads when two cores are free (load in uptime).
# Floor and check alternate, so each ratio is of the same moment's load.
timed() { { /usr/bin/time -f '%e %U %S %M' "$@" 2>&1 >/dev/null || true; } | tail -1; }
for i in 1 2 3; do
	echo "load: $(uptime | sed 's/.*load average: //')"
	f=$(timed sqlite3 "$DB" "$floor")
	# exit status 1 = findings (the demo file has a few duplicate IDs)
	one=$(JZG_CHECK_THREADS=1 timed "$J" --db "$DB" check --format tsv)
	two=$(timed "$J" --db "$DB" check --format tsv)
	echo "$f|$one|$two" | awk -F'|' '{
		split($1, f, " "); split($2, a, " "); split($3, b, " ")
		printf "run '"$i"': floor (sqlite3, every value once) %.2f s wall %.2f s user; check one thread %.2f s wall %.2f s user %d KB (%.2f× floor user); two threads %.2f s wall %.2f s user %d KB (%.2f× floor wall)\n",
			f[1], f[2], a[1], a[2], a[4], a[2] / f[2], b[1], b[2], b[4], b[1] / f[1] }'
done

# set-level completeness (forms/sets.tsv `required`, issue 16): the same
# check with those columns emptied, alternating, same build
NOREQ=$(mktemp -d)
trap 'rm -rf "$NOREQ"' EXIT
cp -r forms/. "$NOREQ"
python3 - "$NOREQ/sets.tsv" <<'PY'
import sys
p = sys.argv[1]; out = []; hdr = None
for l in open(p, encoding='utf-8').read().split('\n'):
    c = l.split('\t')
    if l.startswith('#') or not l:
        out.append(l); continue
    if hdr is None:
        hdr = c; out.append(l); continue
    for name in ('required', 'required_tag'):
        if hdr.index(name) < len(c):
            c[hdr.index(name)] = ''
    out.append('\t'.join(c))
open(p, 'w', encoding='utf-8').write('\n'.join(out))
PY
for i in 1 2 3; do
	for f in "$NOREQ" "$PWD/forms"; do
		echo -n "completeness $([ "$f" = "$NOREQ" ] && echo off || echo on) (run $i): "
		{ JZG_FORMS=$f /usr/bin/time -f '%e s wall, %U s user, %M KB' "$J" --db "$DB" check --format tsv \
			>/dev/null || true; } 2>&1 | tail -1
	done
done

# one person's checks, as the entry screens run them (bench/check_person.c)
B=$(dirname "$J")
if [ ! -x "$B/check_person" ]; then cmake --build "$B" --target check_person >/dev/null; fi
"$B/check_person" "$DB" 1000
