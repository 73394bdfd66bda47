#!/usr/bin/env bash
# The yearly 核对更新 (issue 19): last year's file as the baseline, and
# `changes` reporting exactly what was planted between the two years — a
# person added, a person gone, a changed value, an added degree, a changed
# birth date, a changed 身份证件号 — in text, tsv and json; bad baseline
# sources refused with the file unchanged; baseline from filled templates.
. "$(dirname "$0")/lib.sh"

q() { sqlite3 "$1" "$2"; }
CODE=2143010001
OLD=$T/2025.db
NEW=$T/2026.db
"$J" --db "$OLD" school add --code $CODE --name 测试县第一小学 --type zxx >/dev/null
"$J" --db "$OLD" demo --staff 12 --school $CODE >/dev/null
cp "$OLD" "$NEW"

# no baseline yet
out=$("$J" --db "$NEW" changes 2>&1) && rc=0 || rc=$?
expect_eq "no baseline: exit 2" "$rc" 2
expect_has "no baseline: says how" "$out" "jzg baseline set"

# bad sources: refused, the file unchanged
sum=$(sha256sum "$NEW" | cut -d' ' -f1)
out=$("$J" --db "$NEW" baseline set /etc/hostname 2>&1) && rc=0 || rc=$?
expect_eq "foreign source: exit 2" "$rc" 2
expect_has "foreign source: why" "$out" "既不是 jzg 数据文件，也不是填好的采集模板"
printf 'PK\003\004 not really a zip' > "$T/bad.xlsx"
out=$("$J" --db "$NEW" baseline set "$T/bad.xlsx" 2>&1) && rc=0 || rc=$?
expect_eq "damaged xlsx: exit 2" "$rc" 2
out=$("$J" --db "$NEW" baseline set --school 9999999999 "$OLD" 2>&1) && rc=0 || rc=$?
expect_eq "school not in source: exit 2" "$rc" 2
expect_has "school not in source: why" "$out" "没有学校 9999999999，未做任何改动"
out=$("$J" --db "$NEW" baseline set "$T/nosuch.db" 2>&1) && rc=0 || rc=$?
expect_eq "missing source: exit 2" "$rc" 2
expect_eq "refusals left the file as it was" "$(sha256sum "$NEW" | cut -d' ' -f1)" "$sum"

out=$("$J" --db "$NEW" baseline set --label 2025年 "$OLD" 2>&1) && rc=0 || rc=$?
expect_eq "baseline set: exit 0" "$rc" 0
expect_has "baseline set: counts" "$out" "基线已设置：1 所学校，去年 12 人，其中 12 人在本年数据中找到"
out=$("$J" --db "$NEW" baseline list)
expect_has "baseline list" "$out" "$CODE	测试县第一小学	2025年	12	12	$OLD"

# nothing changed yet
out=$("$J" --db "$NEW" changes) && rc=0 || rc=$?
expect_eq "unchanged: exit 0" "$rc" 0
expect_has "unchanged: rate 0" "$out" "新增 0 人，减少 0 人，有变化 0 人；更新率 0.0%"

# the same records in another order, an empty value as '' instead of NULL:
# nothing changed (changes reads in full only the people whose records
# differ as a whole; these do not, or differ only in form)
q "$NEW" "UPDATE s_xxjl SET seq = 100 - seq;
  UPDATE s_jbxx SET BZ = '' WHERE BZ IS NULL"
out=$("$J" --db "$NEW" changes --format tsv) && rc=0 || rc=$?
expect_eq "records reordered, '' for NULL: exit 0" "$rc" 0
expect_eq "records reordered, '' for NULL: no rows" "$(tail -n +2 <<<"$out" | wc -l)" 0

# plant this year's changes
"$J" --db "$NEW" demo --staff 1 --school $CODE >/dev/null
q "$NEW" "PRAGMA foreign_keys=ON;
  UPDATE s_jbxx SET XM = '新来人', SFZJH = '110101199501010011' WHERE staff_id = 13;
  UPDATE s_jbxx SET CSRQ = '1970-01-01' WHERE staff_id = 1;
  UPDATE s_xxjl SET SXZY = '应用数学' WHERE id = (SELECT min(id) FROM s_xxjl WHERE staff_id = 2);
  INSERT INTO s_xxjl(staff_id, seq, HDXLM, RXNY, BYNY, HDXLYX, SXZY, SFSFLZY, XWCCM, XXFSM)
    VALUES(3, 99, '14', '2019-09', '2022-06', '北京师范大学', '教育学', '1', '0', '1');
  UPDATE s_jbxx SET SFZJH = '110101198001010015' WHERE staff_id = 6;
  DELETE FROM staff WHERE id = 4;"
name() { q "$OLD" "SELECT XM || char(9) || SFZJH FROM s_jbxx WHERE staff_id = $1"; }
major=$(q "$OLD" "SELECT SXZY FROM s_xxjl WHERE id = (SELECT min(id) FROM s_xxjl WHERE staff_id = 2)")
birth=$(q "$OLD" "SELECT CSRQ FROM s_jbxx WHERE staff_id = 1")
oldid=$(q "$OLD" "SELECT SFZJH FROM s_jbxx WHERE staff_id = 6")
n6=$(q "$OLD" "SELECT XM FROM s_jbxx WHERE staff_id = 6")
rec2=$(q "$OLD" "SELECT RXNY FROM s_xxjl WHERE id = (SELECT min(id) FROM s_xxjl WHERE staff_id = 2)")

out=$("$J" --db "$NEW" changes --format tsv) && rc=0 || rc=$?
expect_eq "changes: exit 1 (found)" "$rc" 1
# the rows, one by one (the record label shows 入学年月 and 获得学历 by name)
expect_eq "changes: 6 rows + header" "$(wc -l <<<"$out")" 7
expect_has "added person" "$out" "$CODE	新来人	110101199501010011	新增人员"
expect_has "changed birth date" "$out" "$CODE	$(name 1)	修改	基本信息		出生日期	$birth	1970-01-01"
expect_has "changed value in a kept record" "$out" "	修改	学习经历	$rec2 "
expect_has "changed value: old → new" "$out" "	所学专业	$major	应用数学"
expect_has "added degree: one added record" "$out" "$CODE	$(name 3)	新增记录	学习经历	2019-09 硕士研究生毕业"
expect_has "changed id number: one person, one change" "$out" "$CODE	$n6	110101198001010015	修改	基本信息		身份证件号	$oldid	110101198001010015"
expect_has "gone person with a finding" "$out" "$(name 4)	减少人员						去年人员状态为“在本单位任职”，今年不在本文件中，去向未说明"
expect_eq "no record of person 2 shifted" "$(grep -c "	$(name 2 | cut -f2)	" <<<"$out")" 1

out=$("$J" --db "$NEW" changes || true)
expect_has "text: summary and rate" "$out" "今年 12 人，去年 12 人；新增 1 人，减少 1 人，有变化 4 人；更新率 41.7%"
expect_has "text: old → new" "$out" "基本信息 · 出生日期：$birth → 1970-01-01"
out=$("$J" --db "$NEW" changes --format json || true)
expect_eq "json: parses, rate" "$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d["changes"]), round(d["schools"][0]["update_rate"], 4))' <<<"$out")" "6 0.4167"
out=$("$J" --db "$NEW" changes --staff "$(name 1 | cut -f2)" --format tsv || true)
expect_eq "--staff: that person only" "$(tail -n +2 <<<"$out" | wc -l)" 1

# 更新率 on the board (stats text and tsv)
out=$("$J" --db "$NEW" stats --format tsv)
expect_has "stats: 更新率 column" "$out" "	本周新增	更新率"
expect_has "stats: the school's 更新率" "$(grep "^$CODE" <<<"$out")" "	41.7%"

# prior-year rules (forms/checks.tsv ${prior.X}, ${prior_missing.SET}):
# exactly the planted ones fire, and none on a file without a baseline
out=$("$J" --db "$NEW" check --format tsv || true)
prior=$(grep -o '	jbxx_prior_[a-z]*	' <<<"$out" | sort | tr -d '\t' | tr '\n' ' ')
expect_eq "prior rules: birth date and id number changed" "$prior" "jbxx_prior_csrq jbxx_prior_sfzjh "
expect_has "prior rule message (Chinese)" "$out" "出生日期	警告	jbxx_prior_csrq	出生日期与去年不同，请核实并说明原因"
q "$NEW" "DELETE FROM s_gzjl WHERE id = (SELECT min(id) FROM s_gzjl WHERE staff_id = 5);
  UPDATE s_jbxx SET ZGXLM = '61' WHERE staff_id = 7 AND ZGXLM < '61'; DELETE FROM check_cache;"
out=$("$J" --db "$NEW" check --format tsv || true)
expect_has "a last-year record missing → warning" "$out" "	警告	jbxx_prior_gzjl	去年的工作经历记录今年缺少"
expect_has "最高学历 lower than last year → error" "$out" "	错误	jbxx_prior_zgxl	最高学历低于去年"
out=$("$J" --db "$OLD" check --format tsv || true)
expect_eq "no baseline: no prior finding" "$(grep -c jbxx_prior_ <<<"$out" || true)" 0
# a warning of a prior rule is explained like any other
"$J" --db "$NEW" explain --staff "$(name 1 | cut -f2)" --rule jbxx_prior_csrq --reason "按档案更正" >/dev/null
out=$("$J" --db "$NEW" check --format tsv || true)
expect_has "prior warning explained" "$(grep jbxx_prior_csrq <<<"$out")" "按档案更正"

# the confirmation sheet marks each changed item with last year's value
# (pdftotext), and the check code covers the marks
"$J" --db "$NEW" print sheet --staff "$(name 1 | cut -f2)" --out "$T/s1.pdf" >/dev/null
txt=$(pdftotext -layout "$T/s1.pdf" - | tr -s ' ')
expect_has "sheet: changed birth date with last year's value" "$txt" "去年：$birth"
"$J" --db "$NEW" print sheet --staff "$(name 3 | cut -f2)" --out "$T/s3.pdf" >/dev/null
expect_has "sheet: the added degree marked" "$(pdftotext -layout "$T/s3.pdf" - | tr -s ' ')" "今年新增"
code_marked=$(pdftotext "$T/s1.pdf" - | grep -o '校验码[：: ]*[0-9A-Z]*' | head -1)
"$J" --db "$NEW" baseline drop >/dev/null
"$J" --db "$NEW" print sheet --staff "$(name 1 | cut -f2)" --out "$T/s1b.pdf" >/dev/null
txt=$(pdftotext -layout "$T/s1b.pdf" - | tr -s ' ')
expect_eq "sheet without a baseline: no mark" "$(grep -c '去年：' <<<"$txt" || true)" 0
code_plain=$(pdftotext "$T/s1b.pdf" - | grep -o '校验码[：: ]*[0-9A-Z]*' | head -1)
if [ -n "$code_marked" ] && [ "$code_marked" != "$code_plain" ]; then ok "check code covers the marks"; else bad "check code covers the marks: «$code_marked» vs «$code_plain»"; fi
"$J" --db "$NEW" baseline set --label 2025年 "$OLD" >/dev/null

# a baseline from the filled official template of last year
mkdir "$T/x"
"$J" --db "$OLD" export --school $CODE --out "$T/x" >/dev/null
out=$("$J" --db "$NEW" baseline set --label 模板 "$T/x" 2>&1) && rc=0 || rc=$?
expect_eq "baseline from templates: exit 0" "$rc" 0
expect_has "baseline from templates: replaces" "$out" "去年 12 人"
expect_eq "one baseline per school" "$(q "$NEW" "SELECT count(*) || label FROM baseline")" "1模板"
out=$("$J" --db "$NEW" changes --format tsv || true)
expect_eq "same changes from the template baseline" "$(tail -n +2 <<<"$out" | wc -l)" 8

# two more schools whose baselines are set again and again (from this
# file), each above the other: last year's ids with gaps, read through a
# sorted list instead of an array by id — the same changes, none in them
for c in 2143010002 2143010003; do
	"$J" --db "$NEW" school add --code $c --name 测试县小学$c --type zxx >/dev/null
	"$J" --db "$NEW" demo --staff 2 --school $c >/dev/null
done
for i in 1 2 3 4 5 6; do
	for c in 2143010002 2143010003; do "$J" --db "$NEW" baseline set --school $c "$NEW" >/dev/null; done
done
expect_eq "ids with gaps" "$(q "$NEW" "SELECT max(id) - min(id) > 2 * count(*) + 64 FROM b_staff")" 1
out2=$("$J" --db "$NEW" changes --format tsv || true)
expect_eq "ids with gaps: the same changes" "$(grep -v '^214301000[23]' <<<"$out2")" "$out"
expect_has "ids with gaps: nothing in the other schools" "$("$J" --db "$NEW" changes --school 2143010003)" "有变化 0 人"
for c in 2143010002 2143010003; do "$J" --db "$NEW" baseline drop --school $c >/dev/null; done

out=$("$J" --db "$NEW" baseline drop) && rc=0 || rc=$?
expect_eq "baseline drop" "$rc" 0
expect_eq "baseline drop: tables empty" "$(q "$NEW" "SELECT (SELECT count(*) FROM baseline) + (SELECT count(*) FROM b_staff) + (SELECT count(*) FROM b_xxjl)")" 0

finish
