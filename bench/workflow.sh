#!/usr/bin/env bash
# workflow.sh — issue 7 benchmarks (not tests; figures in docs/workflow.md):
#  1. merge 200 school files of 500 staff each into one county file (budget 5 s);
#     the files as at the end of the collection (trail, reviews, signatures,
#     explanations): 16 MB each, about 3.6 GB in a temp dir, removed after;
#  2. the progress board for 500 schools and 100,000 staff (budget 200 ms),
#     timing county_board() directly with bench/board_bench.c.
# usage: bench/workflow.sh [build dir [merge|board]]   (default: build, both)
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-build}
PART=${2:-all}
cmake --build "$B" --target jzg board_bench >/dev/null
J=$PWD/$B/jzg
export JZG_FORMS=$PWD/forms JZG_DATA=$PWD/data
W=$(mktemp -d /tmp/jzg_bench_wf.XXXXXX)
trap 'rm -rf "$W"' EXIT
echo "machine: $(nproc) cpu, $(lscpu | sed -n 's/^Model name: *//p')"

# 1. 200 school files × 500 staff.  One school is generated (demo), the
#    other 199 are copies with their own 学校标识码, and their people made
#    distinct (another 身份证件号 region, another last character of the
#    name; 教职工号 repeat across schools as they do): the same 500 people
#    in every school would make the county's 姓名 and 身份证件号 indexes
#    hold 200 copies of each key, which no county has.
if [ "$PART" != board ]; then
"$J" --db "$W/school.db" school add --code 2143010000 --name 基准学校 --type zxx >/dev/null
"$J" --db "$W/school.db" demo --staff 500 --school 2143010000 >/dev/null
# A school that keyed its people through the client has a trail of about
# one row per value (a demo person holds 38 records, 280 values): 300 rows
# per person, 150,000 per file.  The merge leaves them in the school's file.
sqlite3 "$W/school.db" "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ${TRAIL:-300})
  INSERT INTO audit(at, actor, path, staff_id, set_name, row_id, op, field, old, new)
  SELECT datetime('2026-09-01', '+' || (s.id * 300 + k.i) || ' seconds'), 'lu', 'client', s.id, 'jbxx', s.id,
    'update', 'F' || k.i, NULL, '值' || hex(randomblob(4)) FROM staff s, k ORDER BY s.id, k.i"
# ... and a school at the end of the collection: everybody submitted,
# approved and signed (three review rows, one signature), one explained
# warning per person on 基本信息 and one on a 学习经历 record.
sqlite3 "$W/school.db" "INSERT INTO review(staff_id, at, actor, from_state, to_state)
    SELECT id, '2026-10-01 10:00:00', 'lu', 'draft', 'submitted' FROM staff
    UNION ALL SELECT id, '2026-10-02 10:00:00', 'shen', 'submitted', 'approved' FROM staff
    UNION ALL SELECT id, '2026-10-11 10:00:00', 'lu', 'approved', 'signed' FROM staff ORDER BY 1, 2;
  INSERT INTO signature(staff_id, code, signed_on) SELECT id, 'AB12CD34', '2026-10-10' FROM staff;
  INSERT INTO explanation(staff_id, rule, set_name, row_key, reason)
    SELECT id, 'W-BENCH-1', 'jbxx', id, '经核实无误' FROM staff
    UNION ALL SELECT staff_id, 'W-BENCH-2', 'xxjl', min(id), '学历证书已核对' FROM s_xxjl GROUP BY staff_id;
  UPDATE staff SET state = 'signed';"
# Those rows were written with sqlite3, not through jzg, and merge would
# refuse them (docs/trust.md).  Made a file of schema 6 (before the hash
# chain), they are linked when jzg next opens it, as an upgraded school's
# file is: the merge then checks them as it checks any school file.
sqlite3 "$W/school.db" "DROP TRIGGER chain_no_update; DROP TRIGGER chain_no_delete; DROP TABLE chain;
  DROP TABLE trust_anchor; ALTER TABLE operator DROP COLUMN salt; ALTER TABLE operator DROP COLUMN pubkey;
  DELETE FROM meta WHERE key = 'trust_head'; PRAGMA user_version = 6"
"$J" --db "$W/school.db" school list >/dev/null 2>&1
for i in $(seq 1 200); do
	code=$(printf '21430%05d' "$i")
	cp "$W/school.db" "$W/s$i.db"
	sqlite3 "$W/s$i.db" "UPDATE school SET code = '$code', name = '基准学校$i';
	  UPDATE s_jbxx SET SFZJH = printf('%06d', 110000 + $i * 97) || substr(SFZJH, 7),
	    XM = substr(XM, 1, length(XM) - 1) || char(19968 + ($i * 131 + staff_id * 17) % 20902)"
done
sync   # the 3 GB of files just made are written back before, not during, the timed merge
# the floor: the sqlite3 shell copying the same rows, no checks (merge_floor.sh)
rm -f "$W/empty.db"
"$J" --db "$W/empty.db" school add --code 2143099999 --name 县教育局 --type zxx >/dev/null
bench/merge_floor.sh "$W" 200 "$W/empty.db" | tail -1
rm -f "$W/floor.db" "$W/floor.sql"
# BASE_J=other/jzg: the same merge by another build first, on the same files
# and a fresh county file each, alternating (ROUNDS=N, default 1), so that
# two builds are compared in one run on one load.
for r in $(seq 1 "${ROUNDS:-1}"); do
	for b in ${BASE_J:+"$BASE_J"} "$J"; do
		rm -f "$W/county.db"
		"$b" --db "$W/county.db" school add --code 2143099999 --name 县教育局 --type zxx >/dev/null
		sync
		[ "$b" = "$J" ] && [ "$r" = "${ROUNDS:-1}" ] && break 2
		/usr/bin/time -f "merge 200 x 500 ($b, round $r): wall=%es user=%Us sys=%Ss maxrss=%MKB" \
			"$b" --db "$W/county.db" merge "$W"/s{1..200}.db | tail -1
	done
done
echo "merge: $J --db county.db merge s1.db … s200.db"
/usr/bin/time -f "merge 200 x 500: wall=%es user=%Us sys=%Ss maxrss=%MKB" "$J" --db "$W/county.db" merge "$W"/s{1..200}.db | tail -1
echo "again (all identical, skipped by the digest recorded at the first merge):"
/usr/bin/time -f "merge 200 x 500 again: wall=%es user=%Us sys=%Ss" "$J" --db "$W/county.db" merge "$W"/s{1..200}.db | tail -1
# the same re-merge by the other build (BASE_J), which compares every person
if [ -n "${BASE_J:-}" ]; then
	/usr/bin/time -f "merge 200 x 500 again ($BASE_J): wall=%es user=%Us sys=%Ss" "$BASE_J" --db "$W/county.db" merge \
		"$W"/s{1..200}.db | tail -1
	/usr/bin/time -f "merge 200 x 500 again: wall=%es user=%Us sys=%Ss" "$J" --db "$W/county.db" merge "$W"/s{1..200}.db | tail -1
fi
sqlite3 "$W/county.db" "SELECT 'county staff: ' || count(*) FROM staff"
echo "school file $(du -m "$W/s1.db" | cut -f1) MB (trail rows: $(sqlite3 "$W/s1.db" 'SELECT count(*) FROM audit')), county file $(du -m "$W/county.db" | cut -f1) MB"
fi
[ "$PART" = merge ] && exit 0

# 2. 500 schools, 100,000 staff: the cached 100k demo file, staff spread
#    over 500 schools, every person checked once (jzg stats fills
#    check_cache), then the board query alone.
BIG=/tmp/jzg_bench_100k.db
[ -f "$BIG" ] || { echo "missing $BIG (build it as docs/benchmarks.md says)"; exit 1; }
cp "$BIG" "$W/board.db"
"$J" --db "$W/board.db" school list >/dev/null      # migrate to schema 4
sqlite3 "$W/board.db" "WITH RECURSIVE k(i) AS (SELECT 5 UNION ALL SELECT i + 1 FROM k WHERE i < 499)
  INSERT INTO school(code, name, template, expected_staff) SELECT printf('21431%05d', i), '学校' || i, 'zxx', 210 FROM k;
  UPDATE school SET expected_staff = 210;
  UPDATE staff SET school_id = CASE WHEN id % 500 < 5 THEN (SELECT id FROM school ORDER BY id LIMIT 1 OFFSET 0) + id % 500
    ELSE (SELECT s.id FROM school s WHERE s.code = printf('21431%05d', staff.id % 500)) END;
  SELECT 'schools: ' || count(*) FROM school; SELECT 'schools with staff: ' || count(DISTINCT school_id) FROM staff;"
/usr/bin/time -f "stats (checks 100,000 people first, then prints): wall=%es maxrss=%MKB" \
	"$J" --db "$W/board.db" stats --format tsv >/dev/null
/usr/bin/time -f "stats again (cache warm): wall=%es" "$J" --db "$W/board.db" stats --format tsv >/dev/null
"$B/board_bench" "$W/board.db" 20
