#!/usr/bin/env bash
# rekey_client.sh — issue 20's verify mode in the real client (tmux): the
# keyer is refused as verifier; another operator re-keys a person from
# "paper" (the values the file holds) with two planted differences and
# resolves them one each way (the first keying right, the second right);
# the file then holds what was decided, the trail the discrepancies and
# decisions, and the staff list shows the person verified.
. "$(dirname "$0")/lib.sh"
set +e
cd "$T"
S1=2143012345
export JZG_PASSWORD=secret0

"$J" --db s.db school add --code $S1 --name 测试县第一小学 --type zxx >/dev/null
"$J" --db s.db demo --staff 3 --school $S1 --seed 5 >/dev/null
env JZG_NEW_PASSWORD=secret0 "$J" --db s.db user add --name root --role 管理员 >/dev/null
for u in lu chen; do
	env JZG_NEW_PASSWORD=secret0 "$J" --db s.db --user root user add --name $u --role 录入员 --school $S1 >/dev/null
done
# person 1 keeps only 基本信息 (a short paper form to key twice)
for t in $(sqlite3 s.db "SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB 's_*' AND name <> 's_jbxx'"); do
	sqlite3 s.db "DELETE FROM \"$t\" WHERE staff_id = 1"
done
ID=$(sqlite3 s.db "SELECT SFZJH FROM s_jbxx WHERE staff_id = 1")

# --- lu keys the person's name in the client: the trail names lu
screen_start 80 24 "$J --db $T/s.db --user lu"
wait_for "教职工 3 人" && keys Enter
wait_for "★姓名" && keys C-u && text "测试甲" && keys Enter
wait_for "已保存：姓名" && keys F10
expect_eq "lu's client ends" "$(pane_dead_status)" 0
screen_stop
expect_eq "lu keyed 姓名" "$(sqlite3 s.db "SELECT XM FROM s_jbxx WHERE staff_id = 1")" 测试甲

"$J" --db s.db --user root rekey start --school $S1 --staff "$ID" >/dev/null
expect_eq "person 1 marked" "$(sqlite3 s.db "SELECT count(*) FROM rekey WHERE staff_id = 1 AND verified IS NULL")" 1

# --- the keyer is refused as verifier (the core says why, the list stays)
screen_start 80 24 "$J --db $T/s.db --user lu"
wait_for "待核" && keys C-r
wait_for "不能核对：lu 录入或修改过此人的数据" && ok "the keyer is refused as verifier"
expect_has "still the staff list" "$(screen)" "教职工 3 人"
keys F10
screen_stop

# --- chen verifies: values hidden, derived and defaulted fields skipped.
# The "paper": the values as the file holds them now
sqlite3 -json s.db "SELECT * FROM s_jbxx WHERE staff_id = 1" > paper.json
paper() { python3 -c 'import json, sys; v = json.load(open("paper.json"))[0].get(sys.argv[1]); print("" if v is None else v)' "$1"; }
screen_start 80 24 "$J --db $T/s.db --user chen"
wait_for "待核" && keys C-r
wait_for "二次录入核对 — 测试甲" && ok "verify mode opens for chen"
scr=$(screen)
expect_has "derived fields are not keyed" "$scr" "出生日期                 —— 自动生成，不核对"
expect_has "defaulted fields are not keyed" "$scr" "国籍/地区                —— 默认值，不核对"
if grep -qF "$ID" <<<"$scr" || grep -qF "测试甲 " <<<"$(sed -n '3,22p' <<<"$scr")"; then
	bad "the first keying is hidden"
else
	ok "the first keying is hidden"
fi
# key each field from "paper": what the file holds, except two planted
# differences; each step waits for the count of fields left to go down
labels=$JZG_FORMS/sets/jbxx.tsv
planted=0
for step in $(seq 1 80); do
	scr=$(screen)
	grep -q "核对完毕" <<<"$scr" && break
	left=$(grep -oE "还剩 [0-9]+ 项" <<<"$scr" | head -1 | grep -oE "[0-9]+")
	label=$(grep "▶" <<<"$scr" | sed -E 's/^ ▶ //; s/ {2,}.*$//; s/ +$//')
	field=$(awk -F'\t' -v l="$label" '$2 == l { print $1 }' "$labels")
	if [ -z "$field" ] || [ -z "$left" ]; then bad "field under the cursor: «$label» ($left left)"; screen; break; fi
	case $field in
	XM) val=测试乙; choice=1 ;;            # the verifier misread: the first is right
	JG) val=云南省大理市; choice=2 ;;      # the keyer mistyped: the second is right
	*) val=$(paper "$field"); choice= ;;
	esac
	[ -n "$val" ] && text "$val"
	keys Enter
	if [ -n "$choice" ]; then
		wait_for "两次录入不一致：请对照纸质表判定" || break
		scr=$(screen)
		expect_has "both keyings shown ($field)" "$scr" "第二次（chen）：$val"
		keys "$choice"
		wait_for "已判定" || break
		planted=$((planted + 1))
	else
		wait_for "还剩 $((left - 1)) 项|核对完毕" || break
	fi
done
expect_eq "two planted differences met" "$planted" 2
wait_for "本人已核对完毕" && ok "every field keyed twice"
keys Escape
wait_for "已核" && ok "the staff list shows the person verified"
keys F10
expect_eq "chen's client ends" "$(pane_dead_status)" 0
screen_stop

expect_eq "the first keying kept where it was right" "$(sqlite3 s.db "SELECT XM FROM s_jbxx WHERE staff_id = 1")" 测试甲
expect_eq "the second keying stored where it was right" "$(sqlite3 s.db "SELECT JG FROM s_jbxx WHERE staff_id = 1")" 云南省大理市
expect_eq "verified by chen" "$(sqlite3 s.db "SELECT verifier FROM rekey WHERE staff_id = 1 AND verified IS NOT NULL")" chen
expect_eq "decisions stored" "$(sqlite3 s.db "SELECT group_concat(field || ':' || decision || ':' || ifnull(keyer, ''), ' ') FROM rekey_field WHERE decision <> 'same' ORDER BY id")" "XM:first:lu JG:second:lu"
expect_eq "every other field agreed" "$(sqlite3 s.db "SELECT count(*) > 5 FROM rekey_field WHERE decision = 'same'")" 1
expect_eq "two discrepancies in the trail" "$(sqlite3 s.db "SELECT count(*) FROM audit WHERE op = 'rekey' AND actor = 'chen'")" 2
expect_eq "the value changed through the write path, as verification's" \
	"$(sqlite3 s.db "SELECT count(*) FROM audit WHERE path = 'rekey' AND op = 'update' AND field = 'JG' AND new = '云南省大理市'")" 1
run() { out=$("$@" 2>&1); rc=$?; }
run "$J" --db s.db --user root log --staff "$ID"
expect_has "jzg log shows the decision" "$out" "二次录入核对：第一次 测试甲，第二次 测试乙，判定：第一次正确"

# --- rekey compare's discrepancies decided in the client: a second keying
# of the school in another file differs in two fields of person 2
"$J" --db s.db --user root pack --school $S1 --out p.db >/dev/null
ID2=$(sqlite3 s.db "SELECT SFZJH FROM s_jbxx WHERE staff_id = 2")
CSD2=$(sqlite3 s.db "SELECT CSD FROM s_jbxx WHERE staff_id = 2")
sqlite3 p.db "UPDATE s_jbxx SET JG = '贵州省遵义市', CSD = '贵州省毕节市' WHERE SFZJH = '$ID2'"
run "$J" --db s.db --user root rekey compare p.db
expect_eq "compare: two discrepancies, exit 1" "$rc" 1
expect_has "compare: the client can decide them" "$out" "按 ^R"
screen_start 80 24 "$J --db $T/s.db --user chen"
wait_for "比对 录入中" && keys Down
wait_line 5 "比对" && keys C-r
wait_for "两次录入不一致：籍贯" && ok "the first discrepancy asks at once"
expect_has "the other file's value is the second keying" "$(screen)" "第二次（比对 p.db）：贵州省遵义市"
keys 2
wait_for "两次录入不一致：出生地" && keys 1
wait_for "已判定：出生地" && keys Escape
wait_gone "比对 录入中" && ok "nothing left to decide for person 2"
keys F10
expect_eq "chen's client ends again" "$(pane_dead_status)" 0
screen_stop
expect_eq "taken from the other file" "$(sqlite3 s.db "SELECT JG FROM s_jbxx WHERE staff_id = 2")" 贵州省遵义市
expect_eq "kept in this file" "$(sqlite3 s.db "SELECT CSD FROM s_jbxx WHERE staff_id = 2")" "$CSD2"
expect_eq "both decided, as the comparison's" "$(sqlite3 s.db "SELECT group_concat(field || ':' || decision, ' ') FROM rekey_field WHERE source = 'compare:p.db' ORDER BY id")" "JG:second CSD:first"
expect_eq "nothing open" "$(sqlite3 s.db "SELECT count(*) FROM rekey_open")" 0
expect_eq "in the trail" "$(sqlite3 s.db "SELECT count(*) FROM audit WHERE op = 'rekey' AND staff_id = 2 AND new LIKE '%（比对 p.db）'")" 2
run "$J" --db s.db --user root rekey compare p.db
expect_has "compare again: the one kept is said so" "$out" "（已判定保留本文件的值）"
finish
