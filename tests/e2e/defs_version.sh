#!/usr/bin/env bash
# Definitions by year (issue 19): a file keyed with last year's definitions
# (tests/fixtures/defs2025: 手机号 named YDDH, 残疾 coded 4) opens with
# this year's, whose forms/renames.tsv maps both, and keeps every value;
# last year's file as a baseline is compared through the same mapping; a
# split code is refused with the file unchanged.
. "$(dirname "$0")/lib.sh"

FIX=$(dirname "$0")/../fixtures/defs2025
q() { sqlite3 "$1" "$2"; }
CODE=2143010001
# last year's definitions: this year's with the fixture's files over them
cp -r "$JZG_FORMS" "$T/f25"; cp -r "$JZG_DATA" "$T/d25"
cp -r "$FIX/forms/." "$T/f25/"; cp -r "$FIX/data/." "$T/d25/"
# this year's, with the renames of the worked example
cp -r "$JZG_FORMS" "$T/f26"
cp "$FIX/renames.tsv" "$T/f26/renames.tsv"
out=$("$J" forms check "$T/f26" 2>&1) && rc=0 || rc=$?
expect_eq "this year's forms with the renames pass forms check" "$rc" 0

OLD=$T/2025.db
J25() { "$J" --forms "$T/f25" --data "$T/d25" "$@"; }
J26() { "$J" --forms "$T/f26" "$@"; }
J25 --db "$OLD" school add --code $CODE --name 测试县第一小学 --type zxx >/dev/null
J25 --db "$OLD" demo --staff 6 --school $CODE >/dev/null
q "$OLD" "UPDATE s_jbxx SET JKZKM = '4' WHERE staff_id IN (1, 2)"
expect_eq "last year's file records its definitions version" "$(q "$OLD" "SELECT value FROM meta WHERE key = 'forms_version'")" 2025
expect_eq "last year's 手机号 in YDDH" "$(q "$OLD" "SELECT count(*) FROM s_lxfs WHERE YDDH IS NOT NULL")" 6
cp "$OLD" "$T/keep.db"

# a split code cannot be migrated: refused, file unchanged
cp -r "$T/f26" "$T/f26s"
sed -i '/^2026\tcode\t/d' "$T/f26s/renames.tsv"
printf '2026\tsplit\tjbxx\tJKZKM\t4\t3|6\t例：拆分\n' >> "$T/f26s/renames.tsv"
cp "$OLD" "$T/split.db"
sum=$(sha256sum "$T/split.db" | cut -d' ' -f1)
out=$("$J" --forms "$T/f26s" --db "$T/split.db" school list 2>&1) && rc=0 || rc=$?
expect_eq "split code: refused" "$rc" 2
expect_has "split code: says which and why" "$out" "有 2 个值是代码 “4”，该代码在 2026 年版指标中拆分为 3|6"
expect_eq "split code: file unchanged" "$(sha256sum "$T/split.db" | cut -d' ' -f1)" "$sum"

# this year's definitions open it and migrate in one go
NEW=$T/2026.db
cp "$OLD" "$NEW"
J26 --db "$NEW" school list >/dev/null
expect_eq "migrated: version recorded" "$(q "$NEW" "SELECT value FROM meta WHERE key = 'forms_version'")" 2026
python3 - "$T/keep.db" "$NEW" <<'PY' && ok "every value kept (YDDH → SJH, JKZK 4 → 6)" || bad "values lost or changed by the migration"
import sqlite3, sys
old, new = (sqlite3.connect(p) for p in sys.argv[1:3])
tables = [r[0] for r in old.execute("SELECT name FROM sqlite_master WHERE type='table' AND name LIKE 's\\_%' ESCAPE '\\'")]
bad = 0
for t in tables:
    cols = [r[1] for r in old.execute(f'PRAGMA table_info("{t}")')]
    key = "id" if "id" in cols else "staff_id"
    for row in old.execute(f'SELECT * FROM "{t}"'):
        r = dict(zip(cols, row))
        for c, v in r.items():
            nc, nv = c, v
            if t == "s_lxfs" and c == "YDDH": nc = "SJH"
            if t == "s_jbxx" and c == "JKZKM" and v == "4": nv = "6"
            got = new.execute(f'SELECT "{nc}" FROM "{t}" WHERE "{key}" = ?', (r[key],)).fetchone()
            if got is None or got[0] != nv:
                print(t, r[key], c, v, "→", got); bad += 1
sys.exit(1 if bad else 0)
PY
expect_eq "old column emptied" "$(q "$NEW" "SELECT count(*) FROM s_lxfs WHERE YDDH IS NOT NULL")" 0
out=$(J26 --db "$NEW" check --format tsv || true)
expect_eq "no finding about the old code" "$(grep -c '“4”' <<<"$out" || true)" 0

# last year's (unmigrated) file as the baseline: compared through the mapping
out=$(J26 --db "$NEW" baseline set --label 2025年 "$T/keep.db" 2>&1)
expect_has "baseline from the 2025 file" "$out" "去年 6 人，其中 6 人"
out=$(J26 --db "$NEW" changes --format tsv) && rc=0 || rc=$?
expect_eq "baseline through the mapping: nothing changed" "$rc" 0
expect_eq "baseline through the mapping: no rows" "$(tail -n +2 <<<"$out" | wc -l)" 0

# a file keyed with newer definitions is refused
out=$(J25 --db "$NEW" school list 2>&1) && rc=0 || rc=$?
expect_eq "newer file refused by older definitions" "$rc" 2
expect_has "newer file: says so" "$out" "是按 2026 年版指标定义录入的，本程序的指标定义是 2025 年版"

finish
