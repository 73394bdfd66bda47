#!/usr/bin/env bash
# Definitions by year (issue 19): a file keyed with last year's definitions
# (tests/fixtures/defs2025: 手机号 named YDDH, 残疾 coded 4) opens with
# this year's, whose forms/renames.tsv maps both, and keeps every value;
# last year's file as a baseline is compared through the same mapping
# (multi-select values too: 五险一金 7 → 1 among other codes); a split code
# is refused with the file unchanged; a school's 2025 file is not merged
# into a 2026 county file until it is migrated.
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
# a multi-select value holding the renamed code among others (2025's table order: 0 2 … 6 7)
q "$OLD" "INSERT INTO s_jbdy(staff_id, seq, ND, WXYJM) VALUES(3, 99, 2024, '2 6 7'), (4, 99, 2024, '7')"
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
python3 - "$T/keep.db" "$NEW" <<'PY' && ok "every value kept (YDDH → SJH, JKZK 4 → 6, WXYJ 7 → 1 among other codes)" || bad "values lost or changed by the migration"
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
            if t == "s_jbdy" and c == "WXYJM" and v:   # 7 → 1 among the others, in this year's order
                nv = " ".join(sorted({"1" if x == "7" else x for x in v.split()}))
            got = new.execute(f'SELECT "{nc}" FROM "{t}" WHERE "{key}" = ?', (r[key],)).fetchone()
            if got is None or got[0] != nv:
                print(t, r[key], c, v, "→", got); bad += 1
sys.exit(1 if bad else 0)
PY
expect_eq "old column emptied" "$(q "$NEW" "SELECT count(*) FROM s_lxfs WHERE YDDH IS NOT NULL")" 0
expect_eq "multi-select: renamed code rewritten, table order" \
	"$(q "$NEW" "SELECT group_concat(WXYJM, ',') FROM (SELECT WXYJM FROM s_jbdy WHERE seq = 99 ORDER BY staff_id)")" "1 2 6,1"
out=$(J26 --db "$NEW" check --format tsv || true)
expect_eq "no finding about the old code" "$(grep -c '“4”' <<<"$out" || true)" 0

# last year's (unmigrated) file as the baseline: compared through the mapping
out=$(J26 --db "$NEW" baseline set --label 2025年 "$T/keep.db" 2>&1)
expect_has "baseline from the 2025 file" "$out" "去年 6 人，其中 6 人"
out=$(J26 --db "$NEW" changes --format tsv) && rc=0 || rc=$?
expect_eq "baseline through the mapping: nothing changed" "$rc" 0
expect_eq "baseline through the mapping: no rows" "$(tail -n +2 <<<"$out" | wc -l)" 0

# a school's file keyed with last year's definitions, merged into a county
# file on this year's: refused, county file unchanged; opened once (which
# migrates it), it merges with this year's names and codes
COUNTY=$T/county.db
J26 --db "$T/other.db" school add --code 2143010009 --name 测试县第九小学 --type zxx >/dev/null
J26 --db "$T/other.db" demo --staff 2 --school 2143010009 >/dev/null
J26 --db "$COUNTY" merge "$T/other.db" >/dev/null
IN25="staff_id IN (SELECT t.id FROM staff t JOIN school k ON k.id = t.school_id WHERE k.code = '$CODE')"
cp "$T/keep.db" "$T/school25.db"
sum=$(sha256sum "$COUNTY" | cut -d' ' -f1)
out=$(J26 --db "$COUNTY" merge "$T/school25.db" 2>&1) && rc=0 || rc=$?
expect_eq "merge of a 2025 file: refused" "$rc" 2
expect_has "merge of a 2025 file: says what to do" "$out" "是按 2025 年版指标定义录入的，本程序的指标定义是 2026 年版：请先用本程序打开它一次"
expect_eq "merge of a 2025 file: county file unchanged" "$(sha256sum "$COUNTY" | cut -d' ' -f1)" "$sum"
J26 --db "$T/school25.db" school list >/dev/null
out=$(J26 --db "$COUNTY" merge "$T/school25.db" 2>&1) && rc=0 || rc=$?
expect_eq "merge once migrated: merged" "$rc" 0
expect_eq "merged: 手机号 under this year's name" "$(q "$COUNTY" "SELECT count(*) FROM s_lxfs WHERE SJH IS NOT NULL AND $IN25")" 6
expect_eq "merged: no stale code" "$(q "$COUNTY" "SELECT count(*) FROM s_jbxx WHERE JKZKM = '4'") $(q "$COUNTY" "SELECT count(*) FROM s_jbxx WHERE JKZKM = '6' AND $IN25")" "0 2"
expect_eq "merged: multi-select migrated" "$(q "$COUNTY" "SELECT count(*) FROM s_jbdy WHERE seq = 99 AND WXYJM IN ('1 2 6', '1') AND $IN25")" 2
# a 2027 file as the baseline or merged: refused
cp "$NEW" "$T/2027.db"
q "$T/2027.db" "UPDATE meta SET value = '2027' WHERE key = 'forms_version'"
out=$(J26 --db "$COUNTY" baseline set "$T/2027.db" 2>&1) && rc=0 || rc=$?
expect_eq "baseline from a newer file: refused" "$rc" 2
expect_has "baseline from a newer file: says so" "$out" "是按 2027 年版指标定义录入的"

# a file keyed with newer definitions is refused
out=$(J25 --db "$NEW" school list 2>&1) && rc=0 || rc=$?
expect_eq "newer file refused by older definitions" "$rc" 2
expect_has "newer file: says so" "$out" "是按 2026 年版指标定义录入的，本程序的指标定义是 2025 年版"

finish
