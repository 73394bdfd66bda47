#!/usr/bin/env bash
# The edges (issue 17, item 7; findings/ecosystem.md): no terminal on
# stdin; LANG unset; output independent of the locale; ZIP entries made on
# Unix with UTF-8 names; --out folders created.
. "$(dirname "$0")/lib.sh"

DB=$T/school.db
"$J" --db "$DB" school add --code 2143012345 --name 测试县第一小学 --type zxx >/dev/null
"$J" --db "$DB" demo --staff 3 --seed 2 >/dev/null 2>&1

# The client without a terminal: a Chinese message and 2, at once (it used
# to read end-of-file for ever at 100 % CPU), and no data file created.
out=$(timeout 10 "$J" --db "$T/new.db" </dev/null 2>&1 >/dev/null) && rc=0 || rc=$?
expect_eq "no terminal: exit 2" "$rc" 2
expect_has "no terminal: says so in Chinese" "$out" "需要在终端中运行"
[ ! -e "$T/new.db" ] && ok "no terminal: no file created" || bad "no terminal: $T/new.db created"

# LANG unset (the C locale) is taken as UTF-8; LC_ALL=C gives the same
# bytes as a UTF-8 locale (widths in display columns, not the C library's
# locale tables).
a=$(env -u LANG -u LC_ALL -u LC_CTYPE "$J" --db "$DB" stats)
b=$(LC_ALL=C "$J" --db "$DB" stats)
c=$(LC_ALL=C.UTF-8 "$J" --db "$DB" stats)
expect_eq "stats: LANG unset = C.UTF-8" "$a" "$c"
expect_eq "stats: LC_ALL=C = C.UTF-8" "$b" "$c"
expect_has "stats: Chinese, aligned" "$b" "测试县第一小学            中小学"

# The client with LANG unset starts (no refusal) in a terminal.
printf '#!/bin/sh\nunset LANG LC_ALL LC_CTYPE\nexport TERM=tmux-256color\n%s\necho $? > %s/status\n' \
	"JZG_FORMS=$JZG_FORMS JZG_DATA=$JZG_DATA $J --db $DB" "$T" > "$T/run.sh"
$TM new-session -d -s app -x 80 -y 24 "sh $T/run.sh"
skip_admin
wait_for "测试县第一小学" && ok "client starts with LANG unset, Chinese shown"
keys F10
expect_eq "and quits cleanly" "$(pane_dead_status)" 0

# The terminal goes away while the client waits for a key, its SIGHUP
# ignored (as when the hang-up reaches another process group — two clients
# left by check-bundle spun a core each for an hour): it must end, not spin.
printf '#!/bin/sh\ntrap "" HUP\nexport LANG=C.UTF-8 TERM=tmux-256color\n%s\n' \
	"JZG_FORMS=$JZG_FORMS JZG_DATA=$JZG_DATA $J --db $DB" > "$T/run.sh"
$TM new-session -d -s app -x 80 -y 24 "sh $T/run.sh"
skip_admin
wait_for "测试县第一小学"
pid=$(pgrep -P "$($TM display -p -t app '#{pane_pid}')" | head -1)
screen_stop
end=$((SECONDS + 10))
while ((SECONDS < end)) && kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
if kill -0 "$pid" 2>/dev/null; then
	bad "terminal gone: the client still runs ($(ps -o %cpu= -p "$pid") % CPU)"
	kill -9 "$pid"
else
	ok "terminal gone: the client ends"
fi

# export --out: the folder is made; a trailing / gives no double slash.
out=$("$J" --db "$DB" export --all --out "$T/上报/第一批/" 2>/dev/null)
expect_eq "export --out into a new folder" "$out" \
	"$T/上报/第一批/2143012345_测试县第一小学_中小学教职工基础信息采集模板.xlsx"
"$J" --db "$DB" export --all --out "$T/zip" --zip >/dev/null 2>&1
z=$(ls "$T"/zip/*.zip)
# zipinfo: "unx" = made on Unix; Debian's unzip then keeps the UTF-8 names
info=$(zipinfo "$z")
expect_has "ZIP entry made on Unix, rw-r--r--" "$info" "-rw-r--r--  2.0 unx"
mkdir "$T/unz" && (cd "$T/unz" && unzip -q "$z")
[ -f "$T/unz/2143012345_测试县第一小学_中小学教职工基础信息采集模板.xlsx" ] && ok "unzip extracts the Chinese name" ||
	bad "unzip gave: $(ls "$T/unz")"

echo "# $PASSES passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
