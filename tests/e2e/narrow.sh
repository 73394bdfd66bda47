#!/usr/bin/env bash
# 80×24 without loss (issue 17, item 3; clerk-day problem 5): the first
# dialog, labels, table headings, report lines, the board, help and the
# legend either fit or wrap; what must be cut (a value, a school name, a
# long path) ends in … and is shown whole on a key or on selection.
. "$(dirname "$0")/lib.sh"

D="$T/县教育局/二〇二六年教职工基础信息采集/城关镇"
mkdir -p "$D"
DB=$D/school.db
RUN="HOME=$T JZG_FORMS=$JZG_FORMS JZG_DATA=$JZG_DATA JZG_TODAY=$JZG_TODAY $J --db $DB"
"$J" --db "$DB" school add --code 2141000124 --name 测试县第二小学 --type zxx >/dev/null
"$J" --db "$DB" school add --code 2141000123 --name 河南省某某县城关镇中心小学 --type zxx >/dev/null
"$J" --db "$DB" demo --staff 2 --school 2141000123 --seed 1 >/dev/null 2>&1
p1=$(sqlite3 "$DB" 'SELECT min(staff_id) FROM s_jbxx')
name=$(sqlite3 "$DB" "SELECT XM FROM s_jbxx WHERE staff_id = $p1")
# a finding with a long message: 进本校年月 before 参加工作年月
sqlite3 "$DB" "UPDATE s_jbxx SET CJGNY = '2015-08', JBXNY = '2014-09' WHERE staff_id = $p1"

SCREEN_TERM=xterm screen_start 80 24 "$RUN"
wait_for "创建第一个管理员"
expect_has "first dialog: the Esc choice is read whole" "$(screen | sed 's/[│ ]//g' | tr -d '\n')" "（Esc：不设账号，单人使用）。"
keys Escape
wait_for "学校 2 所" && ok "school list"
title=$(screen | head -1)
expect_has "title: the long data-file path shortened from the left" "$title" "…"
expect_has "title: the count is kept" "$title" "城关镇/school.db — 学校 2 所"
keys F1
wait_for "【按键】"
keys End                       # the help's last page
wait_for "【数据文件】" && ok "F1 names the data file"
expect_has "F1: the data file's whole path" "$(screen | tr -d '\n ')" "$(tr -d ' ' <<<"$DB")"
keys Escape
wait_for "学校 2 所"

# ^B at 80 columns: every column shows (the bar gives way), a cut school
# name is said whole on the status line when its row is selected.
keys C-b
wait_for "录入进度" && ok "board"
wait_gone "正在检查"
expect_has "board: all columns at 80" "$(screen | sed -n 2p)" "待审  已审  签字 重签"
keys F1
wait_for "【按键】" && ok "F1 on the board opens help"
keys Escape
wait_for "录入进度"
keys Down
wait_line 23 "2141000123 河南省某某县城关镇中心小学" && ok "board: the selected school's whole name on the status line"
expect_has "board: the cut name ends in …" "$(screen | grep '^ 2141000123')" "…"
keys Up
wait_gone "2141000123 河南省某某县城关镇中心小学"
keys Escape
wait_for "学校 2 所"

# the person screen: labels whole, ^O in the legend
keys Enter
wait_for "教职工 2 人"
keys Enter
wait_for "^ *$name .*无照片"
expect_has "legend at 80 columns has ^O" "$(screen | tail -1)" "^O照片"
expect_has "legend keeps Esc+数字" "$(screen | tail -1)" "Esc+数字=F键"
keys Enter
wait_for "★姓名"
expect_has "label whole: 获得最高学历的院校或机构" "$(screen)" "获得最高学历的院校或机构"
keys F1
wait_for "指标编号" && ok "F1 on a field"
expect_eq "help shows no source tags" "$(screen | grep -cE 'G-[AB]-|CLONE|UNCERTAIN|来源：|定义中没有说明')" 0
keys Escape
wait_for "★姓名"
keys Escape
wait_for "Enter 进入本信息集"
# 学习经历: headings wrap onto a second line, the form's labels whole
keys Down
wait_for "学习经历：[0-9]+ 条"
expect_has "table heading wraps: 获得学历的国家(地区)" "$(screen | sed -n 3,4p | tr -d ' │')" "家(地区)"
keys Enter Enter            # into the table, then its first record
wait_for "第 1 条（共"
expect_has "record label whole" "$(screen)" "获得学历的国家(地区)"
# the picker: no repeated title, no tree keys on a flat list
keys F2
wait_for "查找："
expect_eq "picker title not repeated" "$(screen | grep -c '获得学历（学历）')" 0
expect_has "picker: the indicator's explanation" "$(screen | sed 's/[│ ]//g' | tr -d '\n')" "从第一学历（高中或中专）填起"
keys Escape
wait_gone "查找："
keys Down
keys F2
wait_for "查找："
expect_eq "flat list: no → 下级" "$(screen | grep -c '下级')" 0
keys Escape
wait_gone "查找："
keys Escape
wait_gone "第 1 条（共"

# F9: a finding longer than the line wraps, nothing cut
keys F9
wait_for "完整性检测" && ok "report"
expect_has "report: the long message read whole" "$(screen | tr -d '\n ')" "进本校年月不能早于参加工作年月，且不能晚于当前年月"
keys Escape
wait_gone "完整性检测"

finish
