#!/usr/bin/env bash
# Code tables as corrected (findings/fidelity.md C1–C9): an obsolete code
# (data/codes/<table>.tsv obsolete = 1) is not offered by the picker, still
# reads in stored data, and `jzg check` warns about it; a stored code that
# left its table is an error, never dropped; the new rows can be chosen.
. "$(dirname "$0")/lib.sh"

DB=$T/c.db
"$J" --db "$DB" school add --code 2143010001 --name 测试县第一小学 --type zxx >/dev/null
"$J" --db "$DB" demo --staff 2 --school 2143010001 >/dev/null
p=$(sqlite3 "$DB" "SELECT min(staff_id) FROM s_jbxx")
id=$(sqlite3 "$DB" "SELECT SFZJH FROM s_jbxx WHERE staff_id = $p")

# old data: 052 高级教师（中学）, superseded by 062 中小学高级教师 (its 现任
# value in 基本信息 follows, as entry would derive it)
sqlite3 "$DB" "UPDATE s_zyjszwpr SET PRZYJSZWM = '052', PRKSNY = '2015-09', PRJSNY = NULL WHERE staff_id = $p;
	UPDATE s_jbxx SET XRZYJSZWM = '052' WHERE staff_id = $p"
out=$("$J" --db "$DB" check --staff "$id") && rc=0 || rc=$?
expect_eq "obsolete code: a warning (exit 1)" "$rc" 1
expect_has "obsolete code named, old data reads" "$out" "“052-高级教师（中学）” 是代码"
if grep -q "^    错误" <<<"$out"; then bad "obsolete code is not an error"; else ok "obsolete code is not an error"; fi
out=$("$J" --db "$DB" explain --staff "$id" --rule obsolete:PRZYJSZWM --reason 待人事部门核定新职称 2>&1) && rc=0 || rc=$?
expect_eq "the warning can be explained" "$rc" 0

# a code that left the table: reported, the value kept
sqlite3 "$DB" "UPDATE s_jbxx SET MZM = '59' WHERE staff_id = $p"
out=$("$J" --db "$DB" check --staff "$id") || true
expect_has "unknown code reported" "$out" "代码 “59” 不在代码表 民族 中"
expect_db "unknown code kept" "$DB" "SELECT MZM FROM s_jbxx WHERE staff_id = $p" "59"
sqlite3 "$DB" "UPDATE s_jbxx SET MZM = '01' WHERE staff_id = $p"

# the picker offers 062 中小学高级教师, not the obsolete 052 / 413
RUN="JZG_FORMS=$JZG_FORMS JZG_DATA=$JZG_DATA JZG_TODAY=$JZG_TODAY $J --db $DB"
screen_start 80 24 "$RUN"
skip_admin
wait_for "错|✓ 完整" && keys Enter
# Esc leaves the form for the set list (an Esc is told from a key's escape
# sequence by a pause: wait until the form has gone before the arrows)
wait_for "★姓名" && keys Escape
wait_gone "★姓名"
keys Down Down Down Down
wait_line 2 "│ 专业技术职务聘任" && keys Enter
wait_for "专业技术职务聘任：1 条" && keys Enter
wait_for "★聘任专业技术职务" && keys F2
wait_for "查找：" && text 高级教师
wait_for "062 中小学高级教师" && ok "picker: 062 中小学高级教师 offered"
# (the form behind still shows the stored 052: look at the picker's lines only)
if screen | grep -qE "│ +(052|413|414) "; then bad "picker offers an obsolete code"; else ok "picker hides obsolete codes"; fi
keys BSpace BSpace BSpace BSpace
wait_for "060 中小学教师" && ok "picker: the 中小学教师 series at the top level"
if screen | grep -qE "│ +(050 中学教师|410 小学教师)"; then bad "obsolete series shown"; else ok "obsolete series hidden"; fi
screen_stop

# RJXD, BXLX, DSLB as corrected
out=$("$J" forms report --format tsv)
for want in $'代码表\tRJXD' $'代码表\tBXLX' $'代码表\tDSLB'; do expect_has "report lists $want" "$out" "$want"; done
grep -qP '^3\t普通初中' "$JZG_DATA/codes/RJXD.tsv" && ok "RJXD 3 普通初中" || bad "RJXD 3"
grep -qP '^933\t' "$JZG_DATA/codes/BXLX.tsv" && ok "BXLX 933" || bad "BXLX 933"
finish
