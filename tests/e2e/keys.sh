#!/usr/bin/env bash
# Keys on the terminals clerks have (issue 17, item 1): PuTTY's default
# keyboard under TERM=xterm sends F1–F4 as ESC [ 11~ … ESC [ 14~, which
# xterm's terminfo does not describe; every F-key also works as Esc then a
# digit (Midnight Commander) for terminals that keep F1/F11 themselves;
# unknown escape sequences are ignored, never read as Esc; Esc on the
# school list and ^C ask before quitting.
. "$(dirname "$0")/lib.sh"

DB=$T/school.db
RUN="JZG_FORMS=$JZG_FORMS JZG_DATA=$JZG_DATA JZG_TODAY=$JZG_TODAY $J --db $DB"
$J --db "$DB" school add --code 2143012345 --name 测试县第一小学 --type zxx >/dev/null
$J --db "$DB" school add --code 2143012346 --name 测试县第二小学 --type zxx >/dev/null
$J --db "$DB" demo --staff 2 --school 2143012345 --seed 1 >/dev/null 2>&1

SCREEN_TERM=xterm screen_start 80 24 "$RUN"
skip_admin
wait_for "学校 2 所" && ok "school list"
# keys as PuTTY sends them (send-keys -l: the raw bytes)
# from a new person's form back to the list (form → set list → list)
leave_person() { keys Escape; wait_for "Enter 进入本信息集"; keys Escape; wait_for "教职工 [0-9]+ 人"; }
putty() { $TM send-keys -t app -l "$1"; }

# An unknown sequence (Ctrl-Up, F13) is swallowed: still on the school list.
putty $'\e[1;5A'; putty $'\e[25~'
putty $'\e[11~'
wait_for "【按键】" && ok "PuTTY F1 (ESC [ 11~) opens help, the sequences before it did nothing"
expect_has "help lists Esc then digit beside F1" "$(screen)" "F1 Esc 1"
expect_has "help lists ^C" "$(screen)" "^C"
keys Escape
wait_for "学校 2 所" && ok "Esc leaves help"
expect_has "legend says Esc+digit is the F-key" "$(screen | tail -1)" "Esc+数字=F键"

# Esc on the school list asks; anything but y stays.
keys Escape
wait_for "退出 jzg？" && ok "Esc on the school list asks before quitting"
keys n
wait_for "学校 2 所" && ok "n stays"
expect_eq "still running" "$([ -s "$T/status" ] && echo gone || echo running)" running

keys Enter
wait_for "教职工 [0-9]+ 人" && ok "staff list"
# F2 (nothing on the staff list, and not "back") and F6 in one write, as
# a fast typist or a loaded link delivers them: both sequences are read.
# Both demo people are complete, so 有问题 is an empty filter (it quit
# the sanitizer build: qsort of no one).
putty $'\e[12~\e[17~'
wait_for "显示：有问题" && ok "PuTTY F2 then F6 back to back: F2 not read as Esc, F6 filters"
expect_has "the list stays" "$(screen | head -1)" "教职工"
expect_has "nobody has a problem" "$(screen | head -1)" "教职工 0 人"
putty $'\e[17~\e[17~'
wait_for "显示：全部"
putty $'\e[13~'
wait_for "★姓名" && ok "PuTTY F3 (ESC [ 13~) adds a person"
leave_person
putty $'\e[15~'
wait_for "查找" && ok "F5 (ESC [ 15~) searches"
keys Escape; wait_gone "查找："      # an Esc is told from the next key's escape sequence by a pause
putty $'\e[17~'
wait_for "显示：有问题" && ok "F6 (ESC [ 17~) filters"
putty $'\e[17~'; putty $'\e[17~'
wait_for "显示：全部"
putty $'\e[18~'
wait_for "排序：姓名" && ok "F7 (ESC [ 18~) sorts"
putty $'\e[19~'
wait_for "删除.*y 确认" && ok "F8 (ESC [ 19~) asks to delete"
keys n; wait_gone "y 确认"
putty $'\e[20~'
wait_for "完整性检测" && ok "F9 (ESC [ 20~) opens the report"
keys Escape
wait_for "教职工 [0-9]+ 人"
putty $'\e[24~'
wait_for "签字日期" && ok "F12 (ESC [ 24~) records a signature"
keys Escape; wait_gone "签字日期"
putty $'\e[14~\e[17~'               # F4 on the list: nothing, and not "back"
wait_for "显示：有问题" && ok "PuTTY F4 then F6 back to back"
expect_has "PuTTY F4 is not read as Esc" "$(screen | head -1)" "教职工"
putty $'\e[17~\e[17~'
wait_for "显示：全部"
# F6's sequence split after its Esc by more than curses's ESCDELAY (a
# loaded machine): still F6, never Esc then text.
putty $'\e'; wait_for "接着按数字"; putty $'[17~'
wait_for "显示：有问题" && ok "a sequence whose rest comes late is still the key"
putty $'\e[17~\e[17~'
wait_for "显示：全部"

# Esc then a digit, typed as a person would, is the F-key of that number:
# the status line says a digit may follow, then the digit comes.
keys Escape; wait_for "接着按数字 1–9、0 即 F1–F10"; keys 7
wait_for "排序：身份证件号" && ok "Esc then 7 = F7"
keys Escape 1
wait_for "【按键】" && ok "Esc 1 (Alt-1) = F1"
keys Escape
wait_for "教职工 [0-9]+ 人"
keys Escape 3
wait_for "★姓名" && ok "Esc 3 = F3"
leave_person
# Esc alone still goes back (after a short wait for a digit).
keys Escape
wait_for "学校 2 所" && ok "Esc alone goes back"

# ^C asks; y quits with status 0.
keys C-c
wait_for "退出 jzg？" && ok "^C asks before quitting"
keys n
wait_for "学校 2 所"
keys C-c
wait_for "退出 jzg？"
keys y
expect_eq "^C then y quits cleanly" "$(pane_dead_status)" 0

# Esc 0 = F10 quits.
SCREEN_TERM=xterm screen_start 80 24 "$RUN"
skip_admin
wait_for "学校 2 所"
keys Escape 0
expect_eq "Esc 0 = F10 quits" "$(pane_dead_status)" 0

echo "# $PASSES passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
