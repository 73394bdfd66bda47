#!/usr/bin/env bash
# Set-level completeness (forms/sets.tsv `required`) as a clerk meets it:
# a 专任教师 with no 工作经历, 岗位聘任 or 教师资格 record — and, in a copy,
# no 学习经历 either — is not 完整; `jzg check` lists exactly the missing
# sets; stats, submit and the client's staff list and set list count it;
# a demo file stays clean; `forms check` refuses a bad condition.
. "$(dirname "$0")/lib.sh"

DB=$T/c.db
"$J" --db "$DB" school add --code 2143010001 --name 测试县第一小学 --type zxx >/dev/null
"$J" --db "$DB" demo --staff 12 --school 2143010001 >/dev/null
out=$("$J" --db "$DB" check) && rc=0 || rc=$?
expect_eq "demo file is clean" "$rc" 0
expect_has "demo file: everybody complete" "$out" "教职工 12 人，完整 12 人，完整率 100.0%"

# The planted person: a 专任教师 whose 工作经历, 岗位聘任 and 教师资格 are
# gone (the values 基本信息 derives from 岗位聘任 emptied, as entry would).
p=$(sqlite3 "$DB" "SELECT min(staff_id) FROM s_jbxx")
id=$(sqlite3 "$DB" "SELECT SFZJH FROM s_jbxx WHERE staff_id = $p")
sqlite3 "$DB" "UPDATE s_jbxx SET XM = '张晓燕', JZGLBM = '11', XRGWLBM = NULL, XRGWDJM = NULL WHERE staff_id = $p;
	DELETE FROM s_gzjl WHERE staff_id = $p; DELETE FROM s_gwpr WHERE staff_id = $p;
	DELETE FROM s_jszg WHERE staff_id = $p; UPDATE staff SET updated = '2026-11-22 10:00:00' WHERE id = $p"
cp "$DB" "$T/copy.db"

out=$("$J" --db "$DB" check --staff "$id") && rc=0 || rc=$?
expect_eq "missing sets: exit 1" "$rc" 1
expect_eq "exactly the three missing sets" "$(grep -E '^    (错误|警告)' <<<"$out")" \
"    错误 工作经历：没有记录：至少应填写一条“工作经历”
    错误 岗位聘任：没有记录：至少应填写一条“岗位聘任”
    错误 教师资格：没有记录：至少应填写一条“教师资格”"
expect_has "not 完整" "$out" "教职工 1 人，完整 0 人，完整率 0.0%"

out=$("$J" --db "$DB" check --format tsv) || true
expect_has "tsv: the rule, no row, no field" "$out" $'工作经历\t\t\t错误\trecords:gzjl\t'
out=$("$J" --db "$DB" check --format json) || true
expect_has "json: the rule" "$out" '"rule": "records:jszg"'

# the copy without 学习经历 either (最高学历 … emptied with it)
sqlite3 "$T/copy.db" "DELETE FROM s_xxjl WHERE staff_id = $p; UPDATE s_jbxx SET ZGXLM = NULL, ZGXLYX = NULL,
	ZGXWCCM = NULL, ZGXWMCM = NULL, ZGXWYX = NULL WHERE staff_id = $p"
out=$("$J" --db "$T/copy.db" check --staff "$id") || true
expect_eq "copy: exactly the four missing sets" "$(grep -E '^    (错误|警告)' <<<"$out")" \
"    错误 学习经历：没有记录：至少应填写一条“学习经历”
    错误 工作经历：没有记录：至少应填写一条“工作经历”
    错误 岗位聘任：没有记录：至少应填写一条“岗位聘任”
    错误 教师资格：没有记录：至少应填写一条“教师资格”"

# import does not refuse a file over a set without records (a school may
# bring its sets in several files); the imported file reports it
mkdir "$T/out"
"$J" --db "$DB" export --school 2143010001 --out "$T/out" >/dev/null
out=$("$J" --db "$T/imp.db" import "$T/out/"*.xlsx 2>&1) && rc=0 || rc=$?
expect_eq "import of a person without 工作经历 is not refused" "$rc" 0
out=$("$J" --db "$T/imp.db" check --staff "$id") || true
expect_eq "the imported file lists the same missing sets" "$(grep -E '^    (错误|警告)' <<<"$out")" \
"    错误 工作经历：没有记录：至少应填写一条“工作经历”
    错误 岗位聘任：没有记录：至少应填写一条“岗位聘任”
    错误 教师资格：没有记录：至少应填写一条“教师资格”"

# 教师资格 is required of 专任教师 only; 海外研修 of no one
q2=$(sqlite3 "$DB" "SELECT max(staff_id) FROM s_jbxx")
id2=$(sqlite3 "$DB" "SELECT SFZJH FROM s_jbxx WHERE staff_id = $q2")
sqlite3 "$DB" "UPDATE s_jbxx SET JZGLBM = '13' WHERE staff_id = $q2; DELETE FROM s_jszg WHERE staff_id = $q2;
	DELETE FROM s_hwyx WHERE staff_id = $q2"
out=$("$J" --db "$DB" check --staff "$id2") && rc=0 || rc=$?
expect_eq "行政人员 without 教师资格 or 海外研修 is complete" "$rc" 0

# an explicit 无 completes the set: a 教师资格 record of 0-无
sqlite3 "$T/copy.db" "INSERT INTO s_jszg(staff_id, seq, JSZGZZLM) VALUES($p, 1, '0')"
out=$("$J" --db "$T/copy.db" check --staff "$id") || true
if grep -q "教师资格" <<<"$out"; then bad "a 0-无 record completes 教师资格"; else ok "a 0-无 record completes 教师资格"; fi

# counted everywhere completeness is counted
out=$("$J" --db "$DB" stats --format tsv)
expect_has "stats: 11 of 12 complete" "$out" $'\t12\t—\t11\t91.7%'
out=$("$J" --db "$DB" submit --staff "$id" 2>&1) && rc=0 || rc=$?
expect_eq "submit refused" "$rc" 1
expect_has "submit says why" "$out" "还有 3 个错误"

# the client: 检测 column on the staff list, 缺 beside each empty required set
RUN="JZG_FORMS=$JZG_FORMS JZG_DATA=$JZG_DATA JZG_TODAY=$JZG_TODAY $J --db $DB"
screen_start 80 24 "$RUN"
skip_admin
wait_for "张晓燕" && ok "staff list shown"
wait_for "张晓燕.*错3" && ok "staff list: 检测 counts the missing sets"
keys Enter
wait_for "基本信息" && ok "person screen"
wait_line 4 "^工作经历 +缺" && ok "set list: 缺 beside 工作经历"
wait_line 5 "^岗位聘任 +缺" && ok "set list: 缺 beside 岗位聘任"
if screen | grep -qE "^学习经历 +缺"; then bad "学习经历 has a record but is marked"; else ok "学习经历 not marked"; fi
# a record added to 工作经历: its mark goes at once (Esc leaves the form for
# the set list; wait until the form has gone before the arrows)
keys Escape
wait_gone "★姓名"
keys Down Down
wait_line 2 "│ 工作经历" && keys Enter
wait_for "还没有记录" && keys F3
wait_for "工作经历 — 第 1 条（共 1 条）" && ok "a 工作经历 record added"
wait_line 4 "^工作经历 +│" && ok "set list: 缺 gone once 工作经历 has a record"
wait_line 5 "^岗位聘任 +缺" && ok "set list: 岗位聘任 still marked"
screen_stop

# forms check: a bad completeness condition is named by file and line
F=$T/forms
cp -r "$JZG_FORMS" "$F"
sed -i "s/\t\${JZGLBM} = '11'\t/\t\${NOPE} = '11'\t/" "$F/sets.tsv"
out=$(JZG_FORMS=$F "$J" forms check 2>&1) && rc=0 || rc=$?
expect_eq "bad condition: forms check fails" "$rc" 1
expect_has "bad condition named" "$out" "sets.tsv:"
expect_has "unknown field named" "$out" "NOPE"
cp "$JZG_FORMS/sets.tsv" "$F/sets.tsv"
sed -i "s/^\(jbxx\t\([^\t]*\t\)\{7\}\)\t/\1yes\t/" "$F/sets.tsv"
out=$(JZG_FORMS=$F "$J" forms check 2>&1) && rc=0 || rc=$?
expect_eq "required on the person set: forms check fails" "$rc" 1
expect_has "required on the person set refused" "$out" "person_set jbxx 本身不能设 required"
# a template may change it (modifyset): 中职 without 教师资格 required
cp "$JZG_FORMS/sets.tsv" "$F/sets.tsv"
hdr=$(grep -v '^#' "$F/templates/zz.tsv" | head -1)
col=$(tr '\t' '\n' <<<"$hdr" | grep -n '^required$' | cut -d: -f1)
line=$(awk -v c="$col" 'BEGIN{OFS="\t"; for (i = 1; i <= c; i++) f[i] = ""; f[1] = "modifyset"; f[2] = "jszg"; f[c] = "-";
	s = f[1]; for (i = 2; i <= c; i++) s = s OFS f[i]; print s}')
printf '%s\n' "$line" >>"$F/templates/zz.tsv"
out=$(JZG_FORMS=$F "$J" forms check 2>&1) && rc=0 || rc=$?
expect_eq "modifyset accepted" "$rc" 0
Z=$T/zz.db
JZG_FORMS=$F "$J" --db "$Z" school add --code 3643010002 --name 测试职校 --type zz >/dev/null
JZG_FORMS=$F "$J" --db "$Z" demo --staff 3 --school 3643010002 >/dev/null
pz=$(sqlite3 "$Z" "SELECT min(staff_id) FROM s_jbxx")
sqlite3 "$Z" "UPDATE s_jbxx SET JZGLBM = '11' WHERE staff_id = $pz; DELETE FROM s_jszg WHERE staff_id = $pz"
out=$(JZG_FORMS=$F "$J" --db "$Z" check) && rc=0 || rc=$?
expect_eq "modifyset: 中职 专任教师 without 教师资格 complete" "$rc" 0
out=$("$J" --db "$Z" check) && rc=0 || rc=$?
expect_eq "shipped forms: the same person is not" "$rc" 1

finish
