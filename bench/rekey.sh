#!/usr/bin/env bash
# Benchmark of issue 20: rekey compare of two 20,000-staff files of one
# school with 1 % of the values different (wall time and peak memory,
# budget 3 s and 200 MB), and verify mode's per-key time in the client
# (p99 budget 10 ms) on the same file.  Not a test: prints figures for
# docs/benchmarks.md.
#   bench/rekey.sh [path/to/jzg] [dir for the files]
set -euo pipefail
J=$(realpath "${1:-build/jzg}")
D=${2:-/tmp/jzg_bench_rekey}
here=$(cd "$(dirname "$0")/.." && pwd)
export JZG_FORMS=$here/forms JZG_DATA=$here/data LANG=C.UTF-8 LC_ALL=C.UTF-8 JZG_PWHASH_FAST=1
S=2143010001
mkdir -p "$D"
cd "$D"
if [ ! -s a.db ]; then
	echo "building a.db (20,000 staff; about a minute)…"
	rm -f a.tmp
	"$J" --db a.tmp school add --code $S --name 基准学校 --type zxx >/dev/null
	"$J" --db a.tmp demo --staff 20000 --school $S --seed 1 >/dev/null
	mv a.tmp a.db
fi
# the second keying: a pack of the same school, 1 % of every column's
# values changed (the ids of the records are the pack's own)
rm -f b.db
"$J" --db a.db pack --school $S --out b.db >/dev/null
sqlite3 b.db "SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB 's_*'" | while read -r t; do
	sqlite3 b.db "SELECT name FROM pragma_table_info('$t') WHERE name NOT IN ('id', 'staff_id', 'seq', 'SFZJH')" |
		while read -r c; do echo "UPDATE \"$t\" SET \"$c\" = \"$c\" || '改' WHERE \"$c\" IS NOT NULL AND abs(random()) % 100 = 0;"; done
done > change.sql
{ echo "BEGIN;"; cat change.sql; echo "COMMIT;"; } | sqlite3 b.db
python3 - <<'PY'
import sqlite3
a, b = sqlite3.connect('a.db'), sqlite3.connect('b.db')
tabs = [r[0] for r in a.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB 's_*'")]
n = sum(a.execute(f'SELECT count("{c}") FROM "{t}"').fetchone()[0] for t in tabs
        for (c,) in a.execute(f"SELECT name FROM pragma_table_info('{t}') WHERE name NOT IN ('id', 'staff_id', 'seq')"))
d = sum(b.execute(f"SELECT count(*) FROM \"{t}\" WHERE \"{c}\" LIKE '%改'").fetchone()[0] for t in tabs
        for (c,) in b.execute(f"SELECT name FROM pragma_table_info('{t}') WHERE name NOT IN ('id', 'staff_id', 'seq')"))
print(f"values: {n}, changed in b.db: {d} ({100 * d / n:.2f} %)")
PY
sync
for i in 1 2 3; do
	/usr/bin/time -f "rekey compare: %e s wall, %U s user, %M KB peak" "$J" --db a.db rekey compare b.db --format tsv \
		> diffs.tsv 2>time.txt || true
	tail -1 time.txt
done
echo "discrepancies listed: $(($(wc -l < diffs.tsv) - 1))"

# verify mode: a verifier keys a person of the 20,000 again; each field
# keyed differently (a decision each) or the same (no dialog)
cp a.db v.db
env JZG_NEW_PASSWORD=secret0 "$J" --db v.db user add --name root --role 管理员 >/dev/null
env JZG_NEW_PASSWORD=secret0 JZG_PASSWORD=secret0 "$J" --db v.db --user root user add --name chen --role 录入员 --school $S >/dev/null
env JZG_PASSWORD=secret0 "$J" --db v.db --user root rekey start --school $S --staff "$(sqlite3 v.db "SELECT SFZJH FROM s_jbxx WHERE staff_id = 1")" >/dev/null
sync
TM="tmux -L jzgrekey$$ -f /dev/null"
trap '$TM kill-server 2>/dev/null || true' EXIT
$TM new-session -d -s b -x 80 -y 24 "env TERM=tmux-256color JZG_PASSWORD=secret0 JZG_KEYLOG=$D/keys.log $J --db $D/v.db --user chen"
wait_screen() { local end=$((SECONDS + 60)); while ((SECONDS < end)); do $TM capture-pane -p -t b | grep -q -- "$1" && return 0; sleep 0.02; done; echo "timeout: $1"; exit 1; }
k() { $TM send-keys -t b "$@"; sleep 0.03; }
wait_screen "教职工 20000 人"
k C-r; wait_screen "二次录入核对"
for i in $(seq 120); do
	if $TM capture-pane -p -t b | grep -q "核对完毕"; then break; fi
	if ((i % 3 == 0)); then $TM send-keys -t b -l '甲'; sleep 0.02; $TM send-keys -t b -l '乙'; sleep 0.02; fi
	k Enter
	if $TM capture-pane -p -t b | grep -q "两次录入不一致"; then k 1; fi
done
k F10
sleep 1
python3 - "$D/keys.log" <<'PY'
import sys
keys = [int(l.split()[2]) for l in open(sys.argv[1]) if l.startswith('key ')]
keys.sort()
p = lambda q: keys[min(len(keys) - 1, int(round(q / 100 * (len(keys) - 1))))] / 1000
print(f"verify mode: {len(keys)} keys  p50 {p(50):.2f} ms  p99 {p(99):.2f} ms  max {keys[-1]/1000:.2f} ms")
PY
