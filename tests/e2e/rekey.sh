#!/usr/bin/env bash
# rekey.sh — issue 20 on the command line: rekey start (sampling stratified
# by keyer from the audit trail, the same seed drawing the same people,
# --staff, refusals).  JZG_PWHASH_FAST=1 (set by ctest) keeps password
# hashing quick.
. "$(dirname "$0")/lib.sh"
set +e
cd "$T"
run() { out=$("$@" 2>&1); rc=$?; }
S1=2143012345

"$J" --db s.db school add --code $S1 --name 测试县第一小学 --type zxx >/dev/null
"$J" --db s.db demo --staff 20 --school $S1 --seed 5 >/dev/null
export JZG_PASSWORD=secret0
env JZG_NEW_PASSWORD=secret0 "$J" --db s.db user add --name root --role 管理员 >/dev/null
for u in lu wang chen; do
	env JZG_NEW_PASSWORD=secret0 "$J" --db s.db --user root user add --name $u --role 录入员 --school $S1 >/dev/null
done
ids=$(sqlite3 s.db "SELECT SFZJH FROM s_jbxx ORDER BY staff_id")
# people 1–12 keyed by lu, 13–20 by wang: a value each, through the client's
# path on the command line (explain writes no data; import would): the
# trail names the keyer
sqlite3 s.db "SELECT staff_id FROM s_jbxx" >/dev/null
i=0
for id in $ids; do
	i=$((i + 1))
	if [ $i -le 12 ]; then u=lu; else u=wang; fi
	printf '%s\n' "$id" > "$T/id_$i"
	sqlite3 s.db "INSERT INTO audit(actor, path, staff_id, set_name, row_id, op, field, old, new)
		VALUES ('$u', 'client', $i, 'jbxx', $i, 'update', 'JG', NULL, '测试')"
done

# --- refusals
run "$J" --db s.db --user root rekey start --school $S1
expect_eq "neither --sample nor --staff: usage" "$rc" 2
run "$J" --db s.db --user root rekey start --school $S1 --sample 0
expect_eq "--sample 0 refused" "$rc" 2
expect_has "--sample message" "$out" "百分比"
run "$J" --db s.db --user root rekey start --school 2143099999 --sample 10
expect_eq "unknown school" "$rc" 2

# --- the sample: stratified by keyer, rounded up, reproducible
run "$J" --db s.db --user root rekey start --school $S1 --sample 10 --seed 42
expect_eq "sample: exit 0" "$rc" 0
expect_has "lu's stratum: 12 people, 2 marked" "$out" $'lu\t12\t0\t2\t'
expect_has "wang's stratum: 8 people, 1 marked" "$out" $'wang\t8\t0\t1\t'
expect_has "the seed is said" "$out" "--seed 42"
expect_eq "3 marked, by root" "$(sqlite3 s.db "SELECT count(*) FROM rekey WHERE marked_by = 'root'")" 3
first=$(sqlite3 s.db "SELECT group_concat(staff_id) FROM rekey")
cp s.db s2.db
sqlite3 s2.db "DELETE FROM rekey"
"$J" --db s2.db --user root rekey start --school $S1 --sample 10 --seed 42 >/dev/null
expect_eq "the same seed draws the same people" "$(sqlite3 s2.db "SELECT group_concat(staff_id) FROM rekey")" "$first"
run "$J" --db s.db --user root rekey start --school $S1 --sample 10 --seed 43
expect_has "marked before count towards the share" "$out" "本次标记 0 人"

# --- a keyer whose error rate is over the threshold gets a larger share
for k in $(seq 1 40); do
	sqlite3 s.db "INSERT INTO rekey_field(staff_id, set_name, row_id, field, keyer, verifier, first, second, final, decision)
		VALUES (13, 'jbxx', 13, 'F$k', 'wang', 'chen', 'a', $( [ $k -le 2 ] && echo "'b', 'b', 'second'" || echo "'a', 'a', 'same'" ))"
done
run "$J" --db s.db --user root rekey start --school $S1 --sample 10 --seed 1
expect_has "wang raised to 50 % (2 errors in 40 fields = 50 ‰ > 10 ‰)" "$out" $'wang\t8\t1\t3\t40\t50.0\t50%（差错率超过阈值，提高比例）'
expect_has "lu stays at 10 %" "$out" $'lu\t12\t2\t0\t0\t—\t10%'

# --- by 身份证件号
id5=$(cat "$T/id_5")
run "$J" --db s.db --user root rekey start --school $S1 --staff "$id5"
expect_eq "--staff: exit 0" "$rc" 0
expect_has "--staff: marked or marked before" "$out" "核对"
expect_eq "person 5 marked" "$(sqlite3 s.db "SELECT count(*) FROM rekey WHERE staff_id = 5")" 1
run "$J" --db s.db --user root rekey start --school $S1 --staff 110101199001011234
expect_eq "--staff unknown: exit 2" "$rc" 2

# --- rekey report on a constructed case: person 1 (lu's) keyed twice by
# chen in 100 fields: 97 the same, 姓名 judged for the second keying (lu
# wrong), 籍贯 for the first (chen wrong), 出生地 keyed a third time as
# neither (both wrong); with wang's 40 fields above (2 wrong)
sqlite3 s.db "INSERT INTO rekey(staff_id, keyer, verifier, verified) VALUES (1, 'lu', 'chen', datetime('now'))
	ON CONFLICT(staff_id) DO UPDATE SET verifier = 'chen', verified = datetime('now')"
{
	echo "BEGIN;"
	for k in $(seq 1 97); do
		echo "INSERT INTO rekey_field(staff_id, set_name, row_id, field, keyer, verifier, first, second, final, decision)
			VALUES (1, 'jbxx', 1, 'S$k', 'lu', 'chen', 'a', 'a', 'a', 'same');"
	done
	echo "INSERT INTO rekey_field(staff_id, set_name, row_id, field, keyer, verifier, first, second, final, decision) VALUES
		(1, 'jbxx', 1, 'XM', 'lu', 'chen', 'a', 'b', 'b', 'second'),
		(1, 'jbxx', 1, 'JG', 'lu', 'chen', 'a', 'b', 'a', 'first'),
		(1, 'jbxx', 1, 'CSD', 'lu', 'chen', 'a', 'b', 'c', 'rekey');"
	echo "COMMIT;"
} | sqlite3 s.db
run "$J" --db s.db --user chen rekey report --format tsv
expect_eq "report: exit 0" "$rc" 0
expect_has "lu: 100 fields, 3 different, 2 wrong, 20.0 per 1,000" "$out" $'lu\t100\t3\t2\t20.0'
expect_has "wang: 40 fields, 2 wrong, 50.0 per 1,000" "$out" $'wang\t40\t2\t2\t50.0'
expect_has "chen: 140 fields, 5 different, 2 wrong, 14.3 per 1,000" "$out" $'chen\t140\t5\t2\t14.3'
expect_has "where errors concentrate: 姓名" "$out" $'基本信息 姓名\t1\t1\t1\t1000.0'
expect_has "where errors concentrate: 出生地" "$out" $'基本信息 出生地\t1\t1\t1\t1000.0'
if grep -q $'^基本信息 籍贯\t' <<<"$out"; then bad "籍贯 (the keyer was right) is no keyer error"; else ok "籍贯 is no keyer error"; fi
expect_has "the set: 140 fields, 4 keyer errors" "$out" $'基本信息\t140\t5\t4\t28.6'
expect_has "the school: 1 of 20 verified" "$out" $'2143012345\t测试县第一小学\t20\t1\t5.0%\t140\t5\t4\t28.6'
run "$J" --db s.db --user chen rekey report
expect_has "text report: sections" "$out" "三、差错集中的指标"
run "$J" --db s.db --user chen rekey report --school 2143099999
expect_eq "report of an unknown school: exit 2" "$rc" 2
run "$J" --db s.db --user chen rekey report --format xlsx --out "$T/r.xlsx"
expect_eq "xlsx: exit 0" "$rc" 0
expect_eq "xlsx: read back" "$(/usr/bin/python3 -c '
import openpyxl, sys
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb["录入员"]
rows = {r[0]: r[1:] for r in ws.iter_rows(min_row=2, values_only=True)}
print(wb.sheetnames, rows["lu"][0], rows["lu"][2], float(rows["lu"][3]))' "$T/r.xlsx")" "['录入员', '核对人', '指标', '信息集', '学校'] 100 2 20.0"
# the board: verified % and error rate per school
run "$J" --db s.db --user root stats --format tsv
expect_eq "stats: verified, verified %, error rate" "$(grep "^$S1" <<<"$out" | cut -f15-17)" $'1\t5.0%\t28.6'

# --- rekey compare: a pack of the same school keyed again, with planted
# differences, lists exactly those
"$J" --db s.db --user root pack --school $S1 --out p.db >/dev/null
q() { sqlite3 s.db "$1"; }
id3=$(q "SELECT SFZJH FROM s_jbxx WHERE staff_id = 3"); n3=$(q "SELECT XM FROM s_jbxx WHERE staff_id = 3")
id6=$(q "SELECT SFZJH FROM s_jbxx WHERE staff_id = 6"); n6=$(q "SELECT XM FROM s_jbxx WHERE staff_id = 6")
id9=$(q "SELECT SFZJH FROM s_jbxx WHERE staff_id = 9"); n9=$(q "SELECT XM FROM s_jbxx WHERE staff_id = 9")
jg3=$(q "SELECT JG FROM s_jbxx WHERE staff_id = 3")
x6=$(q "SELECT id FROM s_xxjl WHERE staff_id = 6 ORDER BY seq, id LIMIT 1")
yx6=$(q "SELECT HDXLYX FROM s_xxjl WHERE id = $x6")
k6=$(q "SELECT RXNY || '／' || HDXLM FROM s_xxjl WHERE id = $x6")
g9=$(q "SELECT id FROM s_gzjl WHERE staff_id = 9 ORDER BY seq, id LIMIT 1")
k9=$(q "SELECT RZKSNY FROM s_gzjl WHERE id = $g9")
# the pack's ids are its own: find the same records there by person and key
sqlite3 p.db "UPDATE s_jbxx SET JG = '云南省大理市' WHERE SFZJH = '$id3';
	UPDATE s_xxjl SET HDXLYX = '某某大学' WHERE staff_id = (SELECT staff_id FROM s_jbxx WHERE SFZJH = '$id6')
		AND RXNY || '／' || HDXLM = '$k6';
	DELETE FROM s_gzjl WHERE staff_id = (SELECT staff_id FROM s_jbxx WHERE SFZJH = '$id9') AND RZKSNY = '$k9';"
run "$J" --db s.db --user chen rekey compare p.db --school $S1 --format tsv
expect_eq "compare: differences found, exit 1" "$rc" 1
expect_eq "compare lists exactly the planted differences" "$(grep -v '^身份证件号' <<<"$out" | grep -v '^共' | sort)" "$(printf '%s\n' \
	"$id3	$n3	基本信息		籍贯	$jg3	云南省大理市	" \
	"$id6	$n6	学习经历	$k6	获得学历的院校或机构	$yx6	某某大学	" \
	"$id9	$n9	工作经历	$k9	这条记录只在本文件			" | sort)"
out=$("$J" --db s.db --user chen rekey compare p.db --format json 2>/dev/null)
expect_eq "json: three objects" "$(python3 -c 'import json, sys; print(len(json.load(sys.stdin)))' <<<"$out")" 3
run "$J" --db s.db --user chen rekey compare s.db
expect_eq "a file compared with itself: nothing, exit 0" "$rc" 0
printf 'not a database' > bad.db
run "$J" --db s.db --user chen rekey compare bad.db
expect_eq "a foreign file: exit 2" "$rc" 2
expect_has "a foreign file: why" "$out" "未做比对"
# resolved one each way, audited like merge conflicts
run "$J" --db s.db --user chen rekey compare p.db --take theirs --field 籍贯
expect_eq "take theirs: exit 0" "$rc" 0
expect_eq "take theirs: the other file's value" "$(q "SELECT JG FROM s_jbxx WHERE staff_id = 3")" 云南省大理市
expect_eq "take theirs: through the write path, audited" \
	"$(q "SELECT count(*) FROM audit WHERE staff_id = 3 AND path = 'rekey' AND op = 'update' AND field = 'JG' AND actor = 'chen'")" 1
run "$J" --db s.db --user chen rekey compare p.db --take mine --staff "$id6" --field xxjl.HDXLYX
expect_eq "take mine: exit 0" "$rc" 0
expect_eq "take mine: this file's value stays" "$(q "SELECT HDXLYX FROM s_xxjl WHERE id = $x6")" "$yx6"
expect_eq "both decisions in the trail" "$(q "SELECT count(*) FROM audit WHERE op = 'rekey' AND new LIKE '%（比对 p.db）'")" 2
run "$J" --db s.db --user chen rekey compare p.db
expect_has "the one kept is said so" "$out" "（已判定保留本文件的值）"
expect_has "the record only here remains" "$out" "这条记录只在本文件"
if grep -q 籍贯 <<<"$out"; then bad "the one taken is gone"; else ok "the one taken is gone"; fi
expect_eq "a record only here stays open: exit 1" "$rc" 1

finish
