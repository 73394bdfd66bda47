#!/usr/bin/env bash
# A whole-file check on two threads (second read-only connection) finds
# exactly what one thread finds, in every format, on a file with many
# planted faults of every kind across all five templates; the faults are
# really found (counts per rule kind), explanations are shown by both, and
# a check inside an open transaction of another connection still sees the
# committed file.
. "$(dirname "$0")/lib.sh"

DB=$T/par.db
seed=1
for s in zxx:2143010001 zz:3643010002 tj:5143010003 yey:1143010004 gx:4143010005; do
	"$J" --db "$DB" school add --code "${s#*:}" --name "学校${seed}" --type "${s%%:*}" >/dev/null
	"$J" --db "$DB" demo --staff 40 --school "${s#*:}" --seed "$seed" >/dev/null
	seed=$((seed + 1))
done

# Faults: every 7th row of every set gets junk in one column chosen by row
# id, every 11th row of a many-record set is deleted, duplicate years,
# copied ID numbers, stale derived values; explanations for some warnings.
sql=""
for t in $(sqlite3 "$DB" "SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB 's_*'"); do
	cols=$(sqlite3 "$DB" "SELECT group_concat(quote(name), ',') FROM pragma_table_info('$t') WHERE name NOT IN ('id', 'staff_id', 'seq')")
	n=$(sqlite3 "$DB" "SELECT count(*) FROM pragma_table_info('$t') WHERE name NOT IN ('id', 'staff_id', 'seq')")
	i=0
	for c in $(sqlite3 "$DB" "SELECT name FROM pragma_table_info('$t') WHERE name NOT IN ('id', 'staff_id', 'seq')"); do
		sql="$sql UPDATE \"$t\" SET \"$c\" = CASE (rowid / 7) % 8 WHEN 0 THEN NULL WHEN 1 THEN '' WHEN 2 THEN '2020-13'
			WHEN 3 THEN '99' WHEN 4 THEN '1900-01-01' WHEN 5 THEN '１' WHEN 6 THEN ' x' ELSE '01 99' END
			WHERE rowid % 7 = 0 AND (rowid / 7) % $n = $i;"
		i=$((i + 1))
	done
	: "$cols"
done
sql="$sql DELETE FROM s_ndkh WHERE id % 11 = 0; DELETE FROM s_xxjl WHERE id % 11 = 0;
	INSERT INTO s_jbdy(staff_id, seq, ND, JBGZ) SELECT staff_id, seq + 100, ND, JBGZ FROM s_jbdy WHERE id % 13 = 0;
	UPDATE s_jbxx SET SFZJH = (SELECT o.SFZJH FROM s_jbxx o WHERE o.staff_id = s_jbxx.staff_id + 1) WHERE staff_id % 17 = 0;
	UPDATE s_jbxx SET CSRQ = date(CSRQ, '+1 day') WHERE staff_id % 19 = 0 AND CSRQ GLOB '[0-9]*';
	INSERT OR REPLACE INTO explanation(staff_id, rule, set_name, row_key, reason)
	  SELECT staff_id, 'jbxx_csrq_idcard', 'jbxx', staff_id, '以档案为准' FROM s_jbxx WHERE staff_id % 38 = 0;"
sqlite3 "$DB" "$sql"

for f in text tsv json; do
	JZG_CHECK_THREADS=1 "$J" --db "$DB" check --format $f >"$T/one.$f" && rc1=0 || rc1=$?
	JZG_CHECK_THREADS=2 "$J" --db "$DB" check --format $f >"$T/two.$f" && rc2=0 || rc2=$?
	expect_eq "$f: one thread exits 1" "$rc1" 1
	expect_eq "$f: two threads exit as one" "$rc2" "$rc1"
	if cmp -s "$T/one.$f" "$T/two.$f"; then ok "$f: two threads give the same report"; else
		bad "$f: reports differ"; diff "$T/one.$f" "$T/two.$f" | head -10; fi
done

# the report is not empty: each kind of rule fires
tsv=$(cat "$T/two.tsv")
findings=$(awk 'NR > 1 && NF == 0 { exit } NR > 1' <<<"$tsv" | wc -l)
[ "$findings" -gt 300 ] && ok "many findings ($findings)" || bad "only $findings findings"
for k in required: relevant: format: code: constraint: derived: multi_code: jbxx_sfzjh_dup_school jbdy_nd_dup jbxx_csrq_idcard; do
	expect_has "rule $k found" "$tsv" $'\t'"$k"
done
expect_has "explained warning shown" "$tsv" $'\t以档案为准'
python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert len(d["findings"]) == int(sys.argv[2])' \
	"$T/two.json" "$findings" && ok "json: as many findings as tsv" || bad "json findings count"

# per school: the same as the school's part of the whole-file report
out1=$(JZG_CHECK_THREADS=1 "$J" --db "$DB" check --school 5143010003 --format tsv || true)
out2=$(JZG_CHECK_THREADS=2 "$J" --db "$DB" check --school 5143010003 --format tsv || true)
expect_eq "--school: two threads as one" "$out2" "$out1"
expect_eq "--school: its findings as in the whole file" "$(grep -c '^5143010003' <<<"$out2")" \
	"$(grep -c '^5143010003' "$T/two.tsv")"
finish
