#!/usr/bin/env bash
# `jzg forms check` passes on the shipped definitions and names file and
# line of every planted error, all in one run.
. "$(dirname "$0")/lib.sh"

out=$("$J" forms check "$JZG_FORMS" 2>&1) && rc=0 || rc=$?
expect_eq "shipped forms: exit 0" "$rc" 0
expect_has "shipped forms: summary" "$out" "指标定义检查通过：5 个模板"

cp -r "$JZG_FORMS" "$T/forms"
cp -r "$JZG_DATA" "$T/data"
F=$T/forms

# add_row FILE key=value…: append a row laid out by FILE's own header and
# print its line number.  Every key must be a column of that header.
add_row() {
	local file=$1; shift
	awk -v kv="$*" 'BEGIN { n = split(kv, a, "\034"); for (i = 1; i <= n; i++) { k = substr(a[i], 1, index(a[i], "=") - 1); v[k] = substr(a[i], index(a[i], "=") + 1) } }
		/^#/ || NF == 0 { next }
		{ for (i = 1; i <= NF; i++) printf "%s%s", (i > 1 ? "\t" : ""), ((($i) in v) ? v[$i] : ""); printf "\n"; exit }' FS='\t' "$file" >> "$file"
	wc -l < "$file"
}
SEP=$'\034'
first_field=$(awk -F'\t' '/^#/ || NF == 0 { next } !h { for (i = 1; i <= NF; i++) if ($i == "name") c = i; h = 1; next } { print $c; exit }' "$F/sets/jbxx.tsv")

l1=$(add_row "$F/sets/jbxx.tsv" "name=AAA${SEP}label=甲${SEP}type=select_one NOSUCH")
l2=$(add_row "$F/sets/jbxx.tsv" "name=BBB${SEP}label=乙${SEP}type=text${SEP}relevant=1 +* 2")
l3=$(add_row "$F/sets/jbxx.tsv" "name=${first_field}${SEP}label=丙${SEP}type=text")
l4=$(add_row "$F/sets/jbxx.tsv" "name=DDD${SEP}label=丁${SEP}type=select_one XB${SEP}default=7")
l5=$(add_row "$F/sets/jbxx.tsv" "name=EEE${SEP}label=戊${SEP}type=text${SEP}relevant=\${NOSUCHFIELD} = '1'")
l6=$(add_row "$F/sets/jbxx.tsv" "name=FFF${SEP}label=己${SEP}type=number")
l7=$(add_row "$F/templates/zxx.tsv" "op=modify${SEP}set=nosuchset${SEP}name=XM${SEP}label=姓名")
l8=$(add_row "$F/checks.tsv" "name=bad_rule${SEP}set=jbxx${SEP}field=NOSUCH${SEP}severity=error${SEP}constraint=1${SEP}message=无")
printf '1\t重复的代码\n' >> "$T/data/codes/XB.tsv"
l9=$(wc -l < "$T/data/codes/XB.tsv")
sed -i '0,/^name\t.*/s//&\tbogus_column/' "$F/sets/gzjl.tsv"
l10=$(grep -n -m1 $'^name\t' "$F/sets/gzjl.tsv" | cut -d: -f1)

# issue 19: a natural key naming a field its set lacks
sed -i 's/^\(xxjl\t.*\)\tRXNY HDXLM\t/\1\tRXNY NOSUCHKEY\t/' "$F/sets.tsv"
l11=$(grep -n -m1 $'^xxjl\t' "$F/sets.tsv" | cut -d: -f1)

out=$("$J" forms check "$F" 2>&1) && rc=0 || rc=$?
expect_eq "planted errors: exit 1" "$rc" 1
expect_has "key names unknown field" "$out" "$F/sets.tsv:$l11: 信息集 xxjl 的 key 中的指标 “NOSUCHKEY” 不在该信息集中"
expect_has "unknown code table" "$out" "$F/sets/jbxx.tsv:$l1: 未知的代码表 “NOSUCH”"
expect_has "bad expression" "$out" "$F/sets/jbxx.tsv:$l2: relevant 表达式有错"
expect_has "duplicate name" "$out" "$F/sets/jbxx.tsv:$l3: 指标名 $first_field 在本信息集中重复"
expect_has "default outside table" "$out" "$F/sets/jbxx.tsv:$l4: 默认值 “7” 不在代码表 XB 中"
expect_has "relevant names unknown field" "$out" "$F/sets/jbxx.tsv:$l5: relevant：引用了信息集 jbxx 中不存在的指标 “NOSUCHFIELD”"
expect_has "unknown type" "$out" "$F/sets/jbxx.tsv:$l6: 未知的类型 “number”"
expect_has "template overrides missing set" "$out" "$F/templates/zxx.tsv:$l7: 模板修改了不存在的信息集 “nosuchset”"
expect_has "check names unknown field" "$out" "$F/checks.tsv:$l8: 规则 bad_rule 指向的指标 “NOSUCH” 不在信息集 jbxx 中"
expect_has "duplicate code" "$out" "$T/data/codes/XB.tsv:$l9: 代码 “1” 重复"
expect_has "unknown column" "$out" "$F/sets/gzjl.tsv:$l10: 未知的列 “bogus_column”"
expect_has "summary on stderr" "$out" "处问题"

# The client refuses to start on broken definitions, pointing at the check.
out=$("$J" --forms "$F" --data "$T/data" --db "$T/x.db" school list 2>&1) && rc=0 || rc=$?
expect_eq "broken defs: exit 2" "$rc" 2
expect_has "broken defs: says what to run" "$out" "jzg forms check"

# export.tsv is the workbook's layout, not a definition: forms check names
# its problems; only export and import, which read it, refuse over them.
cp -r "$JZG_FORMS" "$T/forms2"
F2=$T/forms2
sed -i 's/^zxx\tcode-name\t/zxx\tcodes\t/' "$F2/export.tsv"
l11=$(grep -n -m1 $'^zxx\t' "$F2/export.tsv" | cut -d: -f1)
out=$("$J" forms check "$F2" 2>&1) && rc=0 || rc=$?
expect_eq "bad export.tsv: exit 1" "$rc" 1
expect_has "bad export.tsv: file and line" "$out" "$F2/export.tsv:$l11: code_style 应为 code、code-name 或 name"
out=$("$J" --forms "$F2" --db "$T/y.db" school add --code 2143012345 --name 甲校 --type zxx 2>&1)
expect_has "bad export.tsv: other verbs work" "$out" "已添加学校"
out=$("$J" --forms "$F2" --db "$T/y.db" export --out "$T" 2>&1) && rc=0 || rc=$?
expect_eq "bad export.tsv: export exits 2" "$rc" 2
expect_has "bad export.tsv: export says what to run" "$out" "jzg forms check"

# obsolete (data/codes/<table>.tsv): only 0 or 1
cp -r "$JZG_DATA" "$T/data3"
sed -i 's/^\(891\t[^\t]*\t[^\t]*\t\)1\t/\1x\t/' "$T/data3/codes/GJDQ.tsv"
l12=$(grep -n -m1 $'^891\t' "$T/data3/codes/GJDQ.tsv" | cut -d: -f1)
out=$("$J" --data "$T/data3" forms check 2>&1) && rc=0 || rc=$?
expect_eq "bad obsolete: exit 1" "$rc" 1
expect_has "bad obsolete: file and line" "$out" "$T/data3/codes/GJDQ.tsv:$l12: obsolete 列只能是 0 或 1"

# forms report: every set, field and code table with its tag, and the counts
out=$("$J" forms report) && rc=0 || rc=$?
expect_eq "forms report exits 0" "$rc" 0
expect_has "report: counts of code tables" "$out" "代码表 $(grep -vc -e '^#' -e '^id' "$JZG_DATA/codes.tsv") 张：确认"
expect_has "report: a set with its tag" "$out" "[推定] ndkh 年度考核  UNCERTAIN"
expect_has "report: a required set" "$out" "[推定] zxx.jszg 教师资格  \${JZGLBM} = '11'  UNCERTAIN"
expect_has "report: a table with obsolete rows" "$out" "[确认] GJDQ 国籍/地区"
expect_has "report: obsolete counted" "$out" "已停用 3）"
out=$("$J" forms report --format tsv)
expect_eq "tsv header" "$(head -1 <<<"$out")" $'类别\t编号\t名称\t可靠性\t标签\t来源\t说明'
ntab=$(awk -F'\t' '$1 == "代码表" && NF == 7' <<<"$out" | wc -l)
expect_eq "tsv: every code table listed" "$ntab" "$(grep -vc -e '^#' -e '^id' "$JZG_DATA/codes.tsv")"
nfield=$(awk -F'\t' '$1 == "指标" && NF == 7' <<<"$out" | wc -l)
expect_has "tsv: fields counted as listed" "$out" $'指标\t'"$nfield"$'\t'
expect_has "tsv: MISSING tables counted" "$out" $'代码表\t'
out=$("$J" forms report --format json 2>&1) && rc=0 || rc=$?
expect_eq "bad format: exit 2" "$rc" 2
finish
