#!/usr/bin/env bash
# `jzg check` and `jzg explain` as a county officer uses them: a clean demo
# file, planted faults, the three formats, explaining a warning, exit
# statuses 0/1/2.
. "$(dirname "$0")/lib.sh"

DB=$T/check.db
"$J" --db "$DB" school add --code 2143010001 --name 测试县第一小学 --type zxx >/dev/null
"$J" --db "$DB" demo --staff 30 --school 2143010001 >/dev/null

out=$("$J" --db "$DB" check) && rc=0 || rc=$?
expect_eq "clean file exits 0" "$rc" 0
expect_has "clean file says so" "$out" "未发现问题"
expect_has "summary per school" "$out" "2143010001 测试县第一小学：教职工 30 人，完整 30 人，完整率 100.0%"

# one error and one warning, on two persons
p1=$(sqlite3 "$DB" "SELECT min(staff_id) FROM s_jbxx")
p2=$(sqlite3 "$DB" "SELECT max(staff_id) FROM s_jbxx")
id2=$(sqlite3 "$DB" "SELECT SFZJH FROM s_jbxx WHERE staff_id = $p2")
sqlite3 "$DB" "UPDATE s_jbxx SET MZM = '99' WHERE staff_id = $p1; UPDATE s_jbxx SET CSRQ = date(CSRQ, '+1 day') WHERE staff_id = $p2"

out=$("$J" --db "$DB" check) && rc=0 || rc=$?
expect_eq "findings exit 1" "$rc" 1
expect_has "error listed" "$out" "错误 基本信息·民族：代码 “99” 不在代码表 民族 中"
expect_has "warning listed with its rule" "$out" "〔jbxx_csrq_idcard〕"
expect_has "ID number masked" "$out" "**************${id2: -4}"
if grep -qF -- "$id2" <<<"$out"; then bad "full ID number shown"; else ok "full ID number not shown"; fi
expect_has "完整率 counts both" "$out" "完整 28 人，完整率 93.3%"
expect_has "per-set counts" "$out" "基本信息：错误 1 条，警告 1 条"
wide=$(python3 -c 'import sys, unicodedata
w = lambda s: sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
print(max(w(l) for l in sys.stdin.read().splitlines()))' <<<"$out")
[ "$wide" -le 80 ] && ok "text fits 80 columns ($wide)" || bad "text line of $wide columns"

out=$("$J" --db "$DB" check --format tsv) && rc=0 || rc=$?
expect_eq "tsv exits 1" "$rc" 1
expect_eq "tsv header" "$(head -1 <<<"$out")" $'学校标识码\t学校名称\t姓名\t身份证件号\t信息集\t行\t指标\t严重程度\t规则\t问题\t说明'
expect_eq "tsv: two findings" "$(awk 'NR > 1 && NF == 0 { exit } NR > 1' <<<"$out" | wc -l)" 2
expect_has "tsv summary total" "$out" $'2143010001\t测试县第一小学\t30\t28\t93.3%\t合计\t1\t1\t0'

out=$("$J" --db "$DB" check --format json) && rc=0 || rc=$?
expect_eq "json exits 1" "$rc" 1
if python3 -c 'import json, sys; d = json.load(sys.stdin); assert len(d["findings"]) == 2 and d["summary"][0]["complete"] == 28' <<<"$out"; then
	ok "json parses, 2 findings, 28 complete"
else
	bad "json: $out"
fi
expect_has "json rule id" "$out" '"rule": "code:MZM"'

# explain the warning: still listed, marked, and the person counts as complete
out=$("$J" --db "$DB" explain --staff "$id2" --rule code:MZM --reason 试试 2>&1) && rc=0 || rc=$?
expect_eq "explaining an unknown rule for this person exits 2" "$rc" 2
id1=$(sqlite3 "$DB" "SELECT SFZJH FROM s_jbxx WHERE staff_id = $p1")
out=$("$J" --db "$DB" explain --staff "$id1" --rule code:MZM --reason 试试 2>&1) && rc=0 || rc=$?
expect_eq "explaining an error exits 2" "$rc" 2
expect_has "errors are fixed, not explained" "$out" "不能说明，只能改正"
out=$("$J" --db "$DB" explain --staff "$id2" --rule jbxx_csrq_idcard --reason "出生日期以档案为准" 2>&1)
expect_has "explain recorded" "$out" "已记录说明"
out=$("$J" --db "$DB" check) && rc=0 || rc=$?
expect_has "explained warning still listed" "$out" "警告（已说明） 基本信息·出生日期"
expect_has "reason shown" "$out" "说明：出生日期以档案为准"
expect_has "explained person is complete" "$out" "完整 29 人，完整率 96.7%"
expect_eq "still exits 1 for the error" "$rc" 1

sqlite3 "$DB" "UPDATE s_jbxx SET MZM = '01' WHERE staff_id = $p1"
out=$("$J" --db "$DB" check --format json) && rc=0 || rc=$?
expect_eq "only an explained warning left: exits 0" "$rc" 0
expect_has "json explained" "$out" '"explained": "出生日期以档案为准"'

# scope
out=$("$J" --db "$DB" check --staff "$id2" --format tsv) && rc=0 || rc=$?
expect_eq "--staff: one finding" "$(grep -c jbxx_csrq_idcard <<<"$out")" 1
expect_has "--staff: summary of one person" "$out" $'测试县第一小学\t1\t1\t100.0%\t合计'

"$J" --db "$DB" school add --code 1143010004 --name 测试县幼儿园 --type yey >/dev/null
"$J" --db "$DB" demo --staff 5 --school 1143010004 --seed 9 >/dev/null
out=$("$J" --db "$DB" check --school 1143010004) && rc=0 || rc=$?
expect_eq "--school: the other school is clean" "$rc" 0
expect_has "--school: only that school" "$out" "1143010004 测试县幼儿园：教职工 5 人"

# a fault on most persons: the report reads their names and ID numbers in
# one scan instead of a look-up each; every line still names its own person
# (more than 64 persons, most of those in the id range)
DB2=$T/check_many.db
"$J" --db "$DB2" school add --code 2143010001 --name 测试县第一小学 --type zxx >/dev/null
"$J" --db "$DB2" demo --staff 120 --school 2143010001 >/dev/null
sqlite3 "$DB2" "UPDATE s_jbxx SET MZM = '99' WHERE staff_id IN (SELECT staff.id FROM staff JOIN school ON school.id = staff.school_id WHERE school.code = '2143010001' AND staff.id % 3 <> 0)"
out=$("$J" --db "$DB2" check --school 2143010001 --format tsv) && rc=0 || rc=$?
want=$(sqlite3 -separator $'\t' "$DB2" "SELECT p.XM, substr('******************', 1, length(p.SFZJH) - 4) || substr(p.SFZJH, -4) FROM s_jbxx p JOIN staff ON staff.id = p.staff_id JOIN school ON school.id = staff.school_id WHERE school.code = '2143010001' AND p.MZM = '99' ORDER BY staff.id")
got=$(awk -F'\t' 'NR > 1 && NF == 0 { exit } NR > 1 && $9 == "code:MZM" { print $3 "\t" $4 }' <<<"$out")
expect_eq "many persons: each finding names its person" "$got" "$want"
[ "$(wc -l <<<"$want")" -ge 70 ] && ok "many persons: $(wc -l <<<"$want") of them" || bad "too few planted: $want"

# failures exit 2
out=$("$J" --db "$T/none.db" check 2>&1) && rc=0 || rc=$?
expect_eq "missing file exits 2" "$rc" 2
out=$("$J" --db "$DB" check --format xml 2>&1) && rc=0 || rc=$?
expect_eq "bad format exits 2" "$rc" 2
expect_has "bad format message" "$out" "--format 只能是 text、tsv 或 json"
out=$("$J" --db "$DB" check --school 9999999999 2>&1) && rc=0 || rc=$?
expect_eq "unknown school exits 2" "$rc" 2
out=$("$J" --db "$DB" check --staff 110105194912310021 2>&1) && rc=0 || rc=$?
expect_eq "unknown person exits 2" "$rc" 2
expect_has "unknown person message" "$out" "文件中没有身份证件号为"
# a broken definition the check runs (check lints only when it fails):
# exit 2, the definitions named as every command names them
cp -r "$JZG_FORMS" "$T/badforms"
sed -i 's/length(${SFZJH}) <> 15/nosuchfn(${SFZJH}) <> 15/' "$T/badforms/checks.tsv"
grep -q nosuchfn "$T/badforms/checks.tsv" || bad "checks.tsv not broken"
out=$(JZG_FORMS=$T/badforms "$J" --db "$DB" check 2>&1) && rc=0 || rc=$?
expect_eq "broken definition exits 2" "$rc" 2
expect_has "broken definition: forms check named" "$out" "指标定义有 1 处错误，请运行 “jzg forms check $T/badforms” 查看并修改"
finish
