#!/usr/bin/env bash
# No traps while keying (issue 17, item 2; clerk-day problems 2–4, 7, 8, 10),
# at 80×24: typing replaces the prefilled 教职工号 "0"; Space on a code field
# opens the whole list; F3 inside a record adds the next record of that
# set; Enter on a record's last field returns to the set's records; the set
# list never says "还没有记录" of a set that has some; record titles count
# right; F5 shows the previous query selected, typing replaces it; the
# school wizard's status line follows the field.
. "$(dirname "$0")/lib.sh"

DB=$T/school.db
RUN="JZG_FORMS=$JZG_FORMS JZG_DATA=$JZG_DATA JZG_TODAY=$JZG_TODAY $J --db $DB"

screen_start 80 24 "$RUN"
skip_admin
wait_for "请输入 10 位学校标识码" && ok "wizard: status asks for the code"
text 2143012345; keys Enter
wait_for "请输入学校全称" && ok "wizard: status follows to 学校名称"
text 测试县第一小学; keys Enter
wait_for "选择采集模板" && ok "wizard: status follows to 采集模板"
keys Enter
wait_for "本校还没有教职工"

keys F3
wait_for "★姓名"
text 王丽娟; keys Enter
keys Enter                                  # 曾用名
wait_line 5 "性别"
keys Space                                  # 性别: a code field
wait_for "1 男" && ok "Space on a code field opens the whole list"
expect_eq "the list's query is empty, not a space" "$(screen | grep -c '没有符合的代码' || true)" 0
keys Escape
wait_for "★姓名"
keys Enter                                  # leave 性别 for the ID number
wait_line 6 "教职工号 +0"
text T001; keys Enter                       # no ^U: typing replaces the default "0"
expect_db "教职工号 typed over the prefilled 0" "$DB" 'SELECT JZGH FROM s_jbxx' "T001"

# 学习经历: F3 in the table, F3 again inside the record, Enter on the last
# field back to the records.
keys Escape
wait_for "Enter 进入本信息集"
keys Down
wait_for "还没有记录" && ok "an empty 学习经历 says so"
keys Enter F3
wait_for "学习经历 — 第 1 条（共 1 条）" && ok "F3 in the table: the first record"
keys F3
wait_for "学习经历 — 第 2 条（共 2 条）" && ok "F3 inside a record adds the next record of that set"
keys PPage
text 21; wait_for "21 " && keys Enter       # 学历: 大学本科毕业
keys NPage Enter
wait_for "F3 再新增一条" && ok "Enter on a record's last field returns to the set's records"
expect_has "still 学习经历" "$(screen)" "学习经历：2 条"
expect_db "two 学习经历 records" "$DB" 'SELECT count(*) FROM s_xxjl' "2"
keys Escape
wait_for "学习经历：2 条记录。Enter 进入"
expect_eq "the set list shows the records, not 还没有记录" "$(screen | grep -c '还没有记录' || true)" 0
keys Down Up
# (line 6: the headings take two lines at 80 columns)
wait_line 6 "  2  21 " && ok "moving over the sets keeps the preview"
keys Enter Down Enter
wait_for "学习经历 — 第 2 条（共 2 条）" && ok "the second record is titled 第 2 条（共 2 条）"

# F5: the previous query selected, typing replaces it.
keys Escape; wait_for "F3 再新增一条|学习经历："
keys Escape; wait_for "条记录。Enter 进入"
keys Escape; wait_for "教职工 1 人"
keys F5
wait_for "查找（"
text wlj; keys Enter
wait_for "查找：wlj" && ok "search wlj"
expect_has "found 王丽娟" "$(screen)" "王丽娟"
keys F5
wait_for "查找（.*wlj" && ok "F5 shows the previous query"
text zz; keys Enter
wait_for "查找：zz" && ok "typing replaced the previous query"
expect_eq "not appended" "$(screen | grep -c 'wljzz' || true)" 0
keys F5
wait_for "查找（.*zz"
keys BSpace Enter
wait_for "教职工 1 人$" && ok "Backspace removes the selected query whole"

echo "# $PASSES passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
