#!/usr/bin/env bash
# bench/yearly.sh — the yearly 核对更新 over 100,000 staff (issue 19):
# `baseline set` from last year's file, `changes` with everyone unchanged
# and with 10 % of the people changed, and `check` with the prior-year
# rules (a baseline present) beside `check` without one.  Not a test:
# prints figures for docs/benchmarks.md.  Last year's file is the cached
# 100,000-staff demo file of bench/check.sh (made there when missing);
# this year's is a copy in $WORK.
set -euo pipefail
cd "$(dirname "$0")/.."
J=${J:-build/jzg}
SRC=${1:-/tmp/jzg_bench_100k.db}
WORK=${WORK:-/tmp/jzg_bench_yearly}
export JZG_FORMS=$PWD/forms JZG_DATA=$PWD/data JZG_TODAY=${JZG_TODAY:-2026-11-22}
[ -s "$SRC" ] || bench/check.sh "$SRC" >/dev/null
mkdir -p "$WORK"
cp "$SRC" "$WORK/last.db"
"$J" --db "$WORK/last.db" school list >/dev/null      # upgrade once, outside the timing
cp "$WORK/last.db" "$WORK/this.db"
t() { /usr/bin/time -f '%e s wall, %U s user, %M KB' "$@"; }
echo "machine: $(nproc) CPU; load: $(uptime | sed 's/.*load average: //')"
echo "staff: $(sqlite3 "$WORK/this.db" 'SELECT count(*) FROM staff')"
echo -n "baseline set (100,000 staff): "
{ t "$J" --db "$WORK/this.db" baseline set --label 2025年 "$WORK/last.db" >/dev/null; } 2>&1 | tail -1
echo -n "changes, everyone unchanged: "
{ t "$J" --db "$WORK/this.db" changes --format tsv >/dev/null || true; } 2>&1 | tail -1
# 10 %: every tenth person gets a new 出生日期 and a new 学习经历 record;
# planted with sqlite3 (a benchmark fixture, not a data path)
sqlite3 "$WORK/this.db" "UPDATE s_jbxx SET CSRQ = date(CSRQ, '+1 day') WHERE staff_id % 10 = 0;
  INSERT INTO s_xxjl(staff_id, seq, HDXLM, RXNY, XWCCM) SELECT id, 99, '14', '2024-09', '0' FROM staff WHERE id % 10 = 5;"
echo -n "changes, 10 % changed: "
{ t "$J" --db "$WORK/this.db" changes --format tsv > "$WORK/changes.tsv" || true; } 2>&1 | tail -1
echo "  lines: $(wc -l < "$WORK/changes.tsv")"
echo -n "check with prior-year rules (baseline present): "
{ t "$J" --db "$WORK/this.db" check --format tsv >/dev/null || true; } 2>&1 | tail -1
"$J" --db "$WORK/this.db" baseline drop --school 2143010001 >/dev/null
for c in 3643010002 5143010003 1143010004 4143010005; do "$J" --db "$WORK/this.db" baseline drop --school $c >/dev/null; done
echo -n "check without a baseline: "
{ t "$J" --db "$WORK/this.db" check --format tsv >/dev/null || true; } 2>&1 | tail -1
