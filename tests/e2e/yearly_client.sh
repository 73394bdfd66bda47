#!/usr/bin/env bash
# The yearly 核对更新 in the client (issue 19 item 4), driven in tmux at
# 80×24: with last year's file as the baseline, a value changed and a
# degree added on the person screen are marked (* and +) as soon as they
# are saved, ^Y says last year's value and that the record is new, a value
# set back loses its mark; the staff list's 有变化 filter shows exactly the
# changed people with the count and the people gone; the marks on a vt100
# (monochrome) terminal; `jzg changes` agrees.
. "$(dirname "$0")/lib.sh"

q() { sqlite3 "$1" "$2"; }
CODE=2143010001
OLD=$T/2025.db
NEW=$T/2026.db
"$J" --db "$OLD" school add --code $CODE --name 测试县第一小学 --type zxx >/dev/null
"$J" --db "$OLD" demo --staff 3 --school $CODE >/dev/null
cp "$OLD" "$NEW"
"$J" --db "$OLD" demo --staff 1 --school $CODE >/dev/null   # left before this year
"$J" --db "$NEW" baseline set --label 2025年 "$OLD" >/dev/null
n1=$(q "$NEW" "SELECT XM FROM s_jbxx WHERE staff_id = 1")
n2=$(q "$NEW" "SELECT XM FROM s_jbxx WHERE staff_id = 2")
# from 基本信息's form to the 学习经历 table
to_xxjl() {
	keys Escape; wait_for "Enter 进入本信息集"
	keys Down; wait_for "学习经历：[0-9]+ 条记录"
	keys Enter; wait_for "F3 新增，Enter 修改"
}
RUN="HOME=$T/home XDG_CONFIG_HOME= JZG_FORMS=$JZG_FORMS JZG_DATA=$JZG_DATA JZG_TODAY=$JZG_TODAY $J --db $NEW"

screen_start 80 24 "$RUN"
skip_admin
wait_for "教职工 3 人"
keys Enter                                      # the first person: 基本信息
wait_for "与去年（2025年）对照：\* 与去年不同，\+ 今年新增的记录；\^Y 看去年的值" && ok "the status line explains the marks"
wait_line 24 "\^Y去年" && ok "^Y 去年 in the key bar at 80 columns"
# (lines 2–22: the title masks the ID number with *)
expect_eq "nothing marked before a change" "$(screen | sed -n 2,22p | grep -c '\*' || true)" 0

# a changed value: marked once saved, ^Y shows last year's
wait_for "★姓名 +$n1"
keys C-u; text 新名字; keys Enter
wait_for "已保存：姓名"
wait_for "★姓名 +\*新名字" && ok "the changed value is marked"
wait_for "^基本信息 +\*" && ok "its set is marked"
expect_eq "only that value marked (and its set)" "$(screen | sed -n 2,22p | grep -c '\*' || true)" 2
keys Up C-y
wait_for "去年（2025年）姓名：$n1" && ok "^Y shows last year's value"
keys Down C-y
wait_for "曾用名与去年（2025年）相同" && ok "^Y on an unchanged value says so"

# an added degree: its form and its row marked as new
to_xxjl
keys F3
wait_for "学习经历 — 第 [0-9]+ 条（共 [0-9]+ 条）  \+ 今年新增" && ok "a new record's form says so"
# (the status line shows the next field's finding once a value is saved)
text 14; wait_for "14 硕士研究生毕业"          # 获得学历 (a whole code: no Enter)
keys Enter                                      # 国家 (default 156)
wait_for "错误 获得学历的院校或机构：必填项未填"
text 北京师范大学; keys Enter
wait_for "错误 所学专业：必填项未填"
text 教育学; keys Enter
wait_for "已保存：所学专业"
keys Enter                                      # 是否师范类专业 (default)
text 201909; wait_for "已保存：入学年月"        # six digits: no Enter
keys Escape
wait_for "[0-9] \+14 硕士" && ok "the added record's row is marked +"
keys C-y
wait_for "这条学习经历记录是今年新增的，去年（2025年）没有" && ok "^Y on the new record says it is new"
keys Escape
wait_for "^学习经历 +\*" && ok "the set with the new record is marked"

# the staff list's 有变化
keys Escape
wait_for "教职工 3 人"
keys F6; wait_for "显示：有问题"
keys F6; wait_for "显示：已完整"
keys F6
wait_for "显示：有变化 1 人（含今年新增 0 人）" && ok "有变化: one person, counted"
wait_for "减少 1 人（jzg changes）" && ok "有变化: last year's person gone, counted"
wait_for "新名字" && ok "有变化 lists the changed person"
if screen | grep -qF -- "$n2"; then bad "有变化 lists an unchanged person"; else ok "有变化 leaves out the unchanged"; fi
# the command line sees the same changes
out=$("$J" --db "$NEW" changes --format tsv || true)
expect_has "changes: the added degree" "$out" "新增记录	学习经历	2019-09 硕士研究生毕业"
expect_has "changes: the changed name" "$out" "	修改	基本信息		姓名	$n1	新名字"
expect_has "changes: the person gone" "$out" "减少人员"

# within 有变化: set back to last year's value, the mark goes (the record
# stays new, the person stays listed); the new record deleted, the person
# has no change left and leaves the list
keys Enter
wait_for "★姓名 +\*新名字"
keys C-u; text "$n1"; keys Enter
wait_for "已保存：姓名"
wait_for "★姓名 +$n1" && ok "the value set back loses its mark"
keys Escape
wait_for "Enter 进入本信息集"
if screen | grep -qE "^基本信息 +\*"; then bad "基本信息 still marked"; else ok "基本信息 no longer marked"; fi
wait_for "^学习经历 +\*"
keys Escape
wait_for "显示：有变化 1 人" && ok "有变化 keeps the person with the new record"
keys Enter
wait_for "★姓名"
to_xxjl
keys Down Down Down Down Down Down Down Down Down C-y   # the last row: the new one
wait_for "这条学习经历记录是今年新增的"
keys F8
wait_for "删除这条记录？"
keys y
wait_for "已删除"
keys Escape
wait_gone "^学习经历 +\*" && ok "the set without the new record loses its mark"
keys Escape
wait_for "显示：有变化 0 人" && ok "有变化 drops the person with no change left"
wait_for "没有符合条件的教职工"
keys F10
expect_eq "F10 exits 0" "$(pane_dead_status)" 0
screen_stop

# a monochrome terminal (vt100: no colour, no underline): the marks are
# characters, so they show there too
SCREEN_TERM=vt100 screen_start 80 24 "$RUN"
wait_for "教职工 3 人"
keys Enter
wait_for "与去年（2025年）对照"
wait_for "★姓名 +$n1"
keys C-u; text 另一名; keys Enter
wait_for "已保存：姓名"
wait_for "★姓名 +\*另一名" && ok "vt100: the changed value is marked"
wait_for "^基本信息 +\*" && ok "vt100: its set is marked"
keys C-c
wait_for "退出 jzg？"
keys y
expect_eq "vt100: ^C y exits 0" "$(pane_dead_status)" 0
screen_stop

out=$("$J" --db "$NEW" changes --format tsv || true)
expect_eq "changes: just the name and the person gone" "$(tail -n +2 <<<"$out" | cut -f4,7,8,9 | sort)" "修改	姓名	$n1	另一名
减少人员			"

finish
