#!/usr/bin/env bash
# bench/yearly_client.sh — the client's marks against last year's data
# (issue 19 item 4) on the 100,000-staff file: last year's file is the
# cached demo file, this year's a copy with the first school's baseline set
# from it and 10 % of that school's people changed (as bench/yearly.sh);
# then prior_bench (baseline_link of the 20,000-person school, a person's
# marks opened and recomputed, the staff list's 有变化) and bench/client.sh
# on this year's file (start-up and per-key times with the marks on).
# Not a test: prints figures for docs/benchmarks.md.
#   bench/yearly_client.sh [build dir] [100k file]
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-build}
SRC=${2:-/tmp/jzg_bench_100k.db}
WORK=${WORK:-/tmp/jzg_bench_yclient}
export JZG_FORMS=$PWD/forms JZG_DATA=$PWD/data JZG_TODAY=${JZG_TODAY:-2026-11-22}
[ -s "$SRC" ] || bench/check.sh "$SRC" >/dev/null
[ -x "$B/prior_bench" ] || cmake --build "$B" --target prior_bench >/dev/null
mkdir -p "$WORK"
cp "$SRC" "$WORK/last.db"
"$B/jzg" --db "$WORK/last.db" school list >/dev/null      # upgrade once, outside the timing
cp "$WORK/last.db" "$WORK/this.db"
CODE=$(sqlite3 "$WORK/this.db" 'SELECT code FROM school ORDER BY code LIMIT 1')
"$B/jzg" --db "$WORK/this.db" baseline set --school "$CODE" --label 2025年 "$WORK/last.db" >/dev/null
sqlite3 "$WORK/this.db" "UPDATE s_jbxx SET CSRQ = date(CSRQ, '+1 day') WHERE staff_id % 10 = 0
    AND staff_id IN (SELECT t.id FROM staff t JOIN school k ON k.id = t.school_id WHERE k.code = '$CODE');
  INSERT INTO s_xxjl(staff_id, seq, HDXLM, RXNY, XWCCM) SELECT t.id, 99, '14', '2024-09', '0'
    FROM staff t JOIN school k ON k.id = t.school_id WHERE k.code = '$CODE' AND t.id % 10 = 5;"
echo "machine: $(nproc) CPU; load: $(uptime | sed 's/.*load average: //')"
echo "school $CODE: $(sqlite3 "$WORK/this.db" "SELECT count(*) FROM staff t JOIN school k ON k.id = t.school_id WHERE k.code = '$CODE'") people"
"$B/prior_bench" "$WORK/this.db" "$CODE" 300
echo "client (bench/client.sh) on this year's file, the school with a baseline:"
bench/client.sh "$B/jzg" "$WORK/this.db"
