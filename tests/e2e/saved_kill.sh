#!/usr/bin/env bash
# saved_kill.sh — 已保存 means saved (issue 18 item 1): type a value, press
# Enter, and kill -9 the client the moment the terminal is sent 已保存
# (kill_on_text.py follows the pane's output through tmux pipe-pane: within
# a millisecond); the file must hold the value, and be whole.  ROUNDS=N
# (ctest: 8; the long run, bench/saved_kill.sh, 200 or more).  Before
# COMMIT returns the line says 正在保存……, never 已保存.
. "$(dirname "$0")/lib.sh"
ROUNDS=${ROUNDS:-8}
DB=$T/s.db
"$J" --db "$DB" school add --code 2143012345 --name 测试县第一小学 --type zxx >/dev/null
"$J" --db "$DB" demo --staff 1 --school 2143012345 >/dev/null
NAME=$(sqlite3 "$DB" 'SELECT XM FROM s_jbxx')
RUN="HOME=$T/home XDG_CONFIG_HOME= JZG_FORMS=$JZG_FORMS JZG_DATA=$JZG_DATA JZG_TODAY=$JZG_TODAY $J --db $DB"
lost=0 broken=0 seen=0
for i in $(seq 1 "$ROUNDS"); do
	v="k${i}x$RANDOM"
	screen_start 80 24 "$RUN"
	skip_admin || break
	wait_for "$NAME" || break
	keys Enter
	wait_for "★姓名" || break
	keys Down Down Down                       # 教职工号
	keys C-u; text "$v"
	wait_for "$v" || break                    # typed, not yet left
	pid=$(pgrep -P "$($TM display -p -t app '#{pane_pid}')" | head -1)
	: > "$T/pane.log"
	$TM pipe-pane -t app "cat >> $T/pane.log"
	rm -f "$T/ready"
	/usr/bin/python3 "$(dirname "$0")/kill_on_text.py" "$T/pane.log" "$pid" "已保存" "$T/ready" 15 &
	watcher=$!
	end=$((SECONDS + 10))                     # the watcher follows the log from its end: wait till it does
	while ((SECONDS < end)) && [ ! -e "$T/ready" ]; do sleep 0.01; done
	keys Enter
	wait "$watcher" || { bad "round $i: 已保存 never written"; break; }
	seen=$((seen + 1))
	[ "$(sqlite3 "$DB" 'SELECT JZGH FROM s_jbxx')" = "$v" ] || { lost=$((lost + 1)); echo "round $i: $v shown as saved, lost"; }
	[ "$(sqlite3 "$DB" 'PRAGMA integrity_check')" = ok ] || broken=$((broken + 1))
	screen_stop
done
echo "# rounds=$ROUNDS killed_after_saved=$seen lost=$lost integrity_failures=$broken"
expect_eq "every round reached 已保存 and was killed" "$seen" "$ROUNDS"
expect_eq "values shown as saved and lost" "$lost" 0
expect_eq "integrity_check failures" "$broken" 0
finish
