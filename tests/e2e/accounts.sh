#!/usr/bin/env bash
# Words a clerk understands (issue 17, item 6; clerk-day problems 6 and
# 10c), at 80×24 under TERM=xterm: the first-管理员 prompt is asked once
# for a new file and is reachable later (^K on the school list); the 应有
# column says how it is filled and ^N fills it, audited.
. "$(dirname "$0")/lib.sh"

DB=$T/county.db
RUN="HOME=$T JZG_PWHASH_FAST=1 JZG_FORMS=$JZG_FORMS JZG_DATA=$JZG_DATA JZG_TODAY=$JZG_TODAY $J --db $DB"
"$J" --db "$DB" school add --code 2141000123 --name 城关镇中心小学 --type zxx >/dev/null
"$J" --db "$DB" school add --code 2141000124 --name 测试县第二小学 --type zxx >/dev/null
"$J" --db "$DB" demo --staff 3 --school 2141000123 --seed 1 >/dev/null 2>&1

SCREEN_TERM=xterm screen_start 80 24 "$RUN"
wait_for "创建第一个管理员" && ok "a new file asks for the first 管理员"
keys Escape
wait_for "学校 2 所"
expect_has "Esc says it will not ask again, and where to find it" "$(screen)" "以后启动不再询问。要设账号：在学校列表按 ^K"

# 应有: empty says how it is filled; ^N fills it
keys Down
wait_line 23 "应有人数未填：按 \^N 填写" && ok "an empty 应有 says how to fill it"
expect_has "the column says 未填" "$(screen | sed -n 3p)" "未填"
keys Up
wait_line 3 "^ 2141000123"
keys C-n
wait_for "应有教职工数" && ok "^N asks for 应有"
text 45
keys Enter
wait_for "已保存：应有 45 人" && ok "^N saves"
expect_has "the column shows it" "$(screen | sed -n 3p)" "   45"
expect_db "stored" "$DB" "SELECT expected_staff FROM school WHERE code = '2141000123'" 45
expect_db "audited (client, old → new)" "$DB" \
	"SELECT path || ' ' || field || ' ' || ifnull(old, '∅') || ' ' || new FROM audit WHERE set_name = 'school'" \
	"client expected_staff ∅ 45"
keys C-b
wait_for "录入进度"
wait_for "2141000123 城关镇中心小学 +45 +3 +6\.7%" && ok "the board's 录入率 follows"
# the board lists schools with nobody entered first: 2141000124 is selected
wait_line 23 "应有人数未填" && ok "the board says how an empty 应有 is filled"
keys C-n
wait_for "应有教职工数"
text 40
keys Enter
wait_for "已保存：应有 40 人" && ok "^N on the board too"
wait_for "2141000124 测试县第二小学 +40 +0 +0\.0%"
keys Escape
wait_for "学校 2 所"
keys F10
expect_eq "quits" "$(pane_dead_status)" 0

# asked once: the next start goes straight to the school list
SCREEN_TERM=xterm screen_start 80 24 "$RUN"
wait_for "学校 2 所" && ok "a restart does not ask again"
expect_eq "no 管理员 prompt" "$(screen | grep -c '创建第一个管理员')" 0
# ^K: the first 管理员 later
keys C-k
wait_for "创建第一个管理员" && ok "^K opens the first-管理员 dialog"
text 王老师; keys Tab
text secret1; keys Tab
text secret1; keys Enter
wait_for "管理员 王老师，欢迎" && ok "the first 管理员 created from ^K"
expect_db "one operator" "$DB" "SELECT name || ' ' || role FROM operator" "王老师 admin"
keys C-k
wait_for "已登录：管理员 王老师" && ok "^K once logged in says who and how to add others"
keys F10
expect_eq "quits" "$(pane_dead_status)" 0
SCREEN_TERM=xterm screen_start 80 24 "$RUN"
wait_for "jzg — 登录" && ok "with a 管理员 every start logs in"

finish
