#!/usr/bin/env bash
# bad_input.sh — input that once crashed or stalled jzg (issue 18 item 2)
# and text that must be refused at every entry (item 5): each case gives a
# Chinese message and a non-crash exit, the database unchanged when refused.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
set +e
cd "$T"
J() { "$J" "$@"; }

J --db a.db school add --code 2143012345 --name 测试县第一小学 --type zxx >/dev/null
J --db a.db demo --staff 4 --school 2143012345 >/dev/null
J --db a.db export --out out >/dev/null
F=$(ls out/*.xlsx)

# edit F's parts with python: $1 = out file, $2 = python on `parts` (name → str)
edit_xlsx() {
	$PY - "$F" "$1" "$2" <<'PYEOF'
import sys, zipfile
src, dst, code = sys.argv[1:4]
zin = zipfile.ZipFile(src)
parts = {n: zin.read(n).decode() for n in zin.namelist()}
exec(code)
with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
    for n in zin.namelist():
        z.writestr(n, parts[n])
PYEOF
}

# 1. A code cell with a leading space (as Excel leaves it): imported, not
#    an abort in layout_parse_cell's free().
mkdir -p sp
edit_xlsx "sp/$(basename "$F")" 'parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace("<t>1-男</t>", "<t xml:space=\"preserve\"> 1-男 </t>")'
grep -q ' 1-男 ' <(unzip -p "sp/$(basename "$F")" xl/worksheets/sheet1.xml) && ok "leading-space code cell planted" || bad "plant failed"
out=$(J --db sp.db import "sp/$(basename "$F")" 2>&1); rc=$?
expect_eq "leading space in a code cell: import exit status" "$rc" 0
expect_eq "leading space: the code is stored trimmed" \
	"$(sqlite3 sp.db "SELECT count(*) FROM s_jbxx WHERE XBM = '1'")" \
	"$(sqlite3 a.db "SELECT count(*) FROM s_jbxx WHERE XBM = '1'")"

# 2. A definedName opened inside another (malformed workbook.xml): refused
#    in Chinese, no leak (the ASan build's LeakSanitizer would exit 23).
mkdir -p dn
edit_xlsx "dn/$(basename "$F")" 'parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace("<definedName name=", "<definedName name=\"A\"><definedName name=", 1)'
out=$(J --db dn.db import "dn/$(basename "$F")" 2>&1); rc=$?
expect_eq "nested definedName: refused with status 2" "$rc" 2
expect_has "nested definedName: Chinese message" "$out" "不是合规的 XML"
if grep -q "LeakSanitizer\|ERROR: AddressSanitizer" <<<"$out"; then bad "sanitizer report: $out"; else ok "no sanitizer report"; fi

# 3. A 16,000-column line above a definitions table's header: refused as a
#    whole with a clear message (it once made each start-up take 27 s).
cp -r "$JZG_FORMS" forms; cp -r "$JZG_DATA" data
$PY -c "
import sys
p = 'forms/sets/cg_bg.tsv'; s = open(p).read()
open(p, 'w').write('\t'.join(['A'] * 16000) + '\n' + s)"
out=$(J --forms forms --data data forms check forms 2>&1); rc=$?
expect_eq "wide header: forms check fails" "$rc" 1
expect_has "wide header: named with the limit" "$out" "cg_bg.tsv:1: 表头超过 256 列"
expect_eq "wide header: one line about it, not one per column" "$(grep -c '未知的列\|重复' <<<"$out")" 0

# 4. Text is clean at every entry path (item 5): refused in Chinese, the
#    file unchanged; the argument is not echoed (an Esc would reach the
#    terminal raw).
schools() { sqlite3 a.db "SELECT count(*), group_concat(name, '/') FROM school"; }
before=$(schools)
n=0
for name in $'a\tb' $'a\nb' $'a\e[31mb' $'a\xffb' $'a\x7fb' $'a\xc2\x85b'; do
	n=$((n + 1))
	out=$(J --db a.db school add --code 21430123$((60 + n)) --name "$name" --type zxx 2>&1); rc=$?
	expect_eq "school name $n with a control character or bad UTF-8: refused" "$rc" 2
	expect_has "school name $n: Chinese reason" "$out" "命令行第 8 项含有"
	if grep -q $'\e' <<<"$out"; then bad "school name $n: Esc echoed"; else ok "school name $n: not echoed"; fi
done
for name in ' ' '　 '; do
	out=$(J --db a.db school add --code 2143012370 --name "$name" --type zxx 2>&1); rc=$?
	expect_eq "school name of only spaces «$name»: refused" "$rc" 2
	expect_has "only spaces: reason" "$out" "学校名称不能为空，也不能只有空格"
done
out=$(J --db a.db explain --staff x --rule y --reason $'原因\e]0;x\a' 2>&1); rc=$?
expect_eq "a reason with Esc: refused" "$rc" 2
expect_eq "no school added by any refused name" "$(schools)" "$before"

# import: a 姓名 cell holding a line feed (Alt+Enter in Excel), a TAB or a
# C1 control (an Esc cannot be written in XML: such a file is refused as
# damaged)
for bad in '\n' '\t' '\u0085'; do
	d=$(mktemp -d imp.XXXX)
	edit_xlsx "$d/$(basename "$F")" "import re; parts['xl/worksheets/sheet1.xml'] = re.sub(r'(<c r=\"B3\"[^>]*><is><t>)', lambda m: m.group(1) + '张$bad', parts['xl/worksheets/sheet1.xml'])"
	out=$(J --db imp.db import "$d/$(basename "$F")" 2>&1); rc=$?
	expect_eq "import of a 姓名 with ${bad}: refused" "$rc" 1
	# a TAB is rewritten to a space, as the client's text normalisation
	# always did, and said; every other control character is refused
	case $bad in '\n') want=含有换行符;; '\t') want='“张	韩磊”已写成“张 韩磊”';; *) want=含有控制字符;; esac
	expect_has "import of a 姓名 with ${bad}: the cell and reason" "$out" "第 3 行 第 2 列 〈姓名〉：$(printf "$want")"
	expect_eq "import of a cell with ${bad}: nothing imported" "$(sqlite3 imp.db 'SELECT count(*) FROM staff' 2>/dev/null || echo 0)" 0
done

# merge: a school file changed with sqlite3 (a name holding Esc)
J --db s1.db school add --code 2143012380 --name 测试县第三小学 --type zxx >/dev/null
J --db s1.db demo --staff 3 --school 2143012380 >/dev/null
J --db s1.db pack --school 2143012380 --out pack1.db >/dev/null
sqlite3 pack1.db "UPDATE s_jbxx SET XM = XM || char(27) || '[2J' WHERE staff_id = (SELECT min(staff_id) FROM s_jbxx)"
cp a.db county.db; sum=$(sqlite3 county.db 'SELECT count(*) FROM staff; SELECT count(*) FROM school')
out=$(J --db county.db merge pack1.db 2>&1); rc=$?
expect_eq "merge of a file with Esc in 姓名: refused" "$rc" 2
expect_has "merge: the set, field and reason" "$out" "基本信息的“姓名”含有 Esc 控制字符"
expect_eq "merge: the county file unchanged" "$(sqlite3 county.db 'SELECT count(*) FROM staff; SELECT count(*) FROM school')" "$sum"
sqlite3 pack1.db "UPDATE s_jbxx SET XM = replace(XM, char(27) || '[2J', ''); UPDATE school SET name = 'x' || char(255) || 'y'" 2>/dev/null
sqlite3 pack1.db "UPDATE school SET name = CAST(X'78FF79' AS TEXT)"
out=$(J --db county.db merge pack1.db 2>&1); rc=$?
expect_eq "merge of a file with a school name in bad UTF-8: refused" "$rc" 2
expect_has "merge: school name reason" "$out" "pack1.db 中学校的“名称”含有无效的字符编码"
# the reason of an explanation, judged as it is copied
sqlite3 pack1.db "UPDATE school SET name = '测试县第三小学'; INSERT INTO explanation(staff_id, rule, set_name, row_key,
  reason) SELECT min(id), 'W-X', 'jbxx', min(id), '已核' || char(27) || '[2J' FROM staff"
out=$(J --db county.db merge pack1.db 2>&1); rc=$?
expect_eq "merge of a file with Esc in an explanation's reason: refused" "$rc" 2
expect_has "merge: explanation reason" "$out" "pack1.db 中警告说明的“理由”含有 Esc 控制字符"
expect_eq "merge: the county file still unchanged" "$(sqlite3 county.db 'SELECT count(*) FROM staff; SELECT count(*) FROM school')" "$sum"
# and once the reason is clean, the file merges
sqlite3 pack1.db "UPDATE explanation SET reason = '已核' WHERE rule = 'W-X'"
out=$(J --db county.db merge pack1.db 2>&1); rc=$?
expect_eq "merge of the file made clean: merged" "$rc" 0

# export: what a file changed with sqlite3 holds is checked before it is
# written; never an xlsx Excel cannot open with status 0
cp a.db x.db
sqlite3 x.db "UPDATE school SET name = '测试' || char(27) || '[31m小学'"
rm -rf xo; mkdir xo
out=$(J --db x.db export --out xo 2>&1); rc=$?
expect_eq "export of a school name with Esc: fails" "$rc" 2
expect_has "export: reason" "$out" "学校标识码或名称含有 Esc 控制字符"
expect_eq "export: nothing written" "$(ls -A xo | wc -l)" 0
for v in stats weekly; do
	out=$(J --db x.db $v --format xlsx --out xo/$v.xlsx 2>&1 || true)
	[ $v = weekly ] && out=$(J --db x.db weekly --out xo/$v.xlsx 2>&1)
	rc=$?
	[ "$rc" -ne 0 ] && ok "$v xlsx of a name with Esc: fails ($rc)" || bad "$v: status 0"
	expect_has "$v: reason" "$out" "含有 Esc 控制字符"
done
expect_eq "stats/weekly: nothing written" "$(ls -A xo | wc -l)" 0
cp a.db y.db
sqlite3 y.db "UPDATE s_jbxx SET XM = XM || CAST(X'FF' AS TEXT) WHERE staff_id = (SELECT max(staff_id) FROM s_jbxx)"
out=$(J --db y.db export --out xo 2>&1); rc=$?
expect_eq "export of a value in bad UTF-8: fails" "$rc" 2
expect_has "export: the sheet, row and field" "$out" "基本信息 第 "
expect_has "export: the field" "$out" "“姓名”含有无效的字符编码"
expect_eq "export: nothing written" "$(ls -A xo | wc -l)" 0
# and what is legal but unusual opens in Excel's reader
cp a.db z.db
sqlite3 z.db "UPDATE s_jbxx SET XM = '张&<>\"''三 😀' || char(160) WHERE staff_id = (SELECT min(staff_id) FROM s_jbxx);
  UPDATE school SET name = '测试&<县> \"第一\" 小学'"
rm -rf zo; mkdir zo
J --db z.db export --out zo >/dev/null 2>&1; rc=$?
expect_eq "export of unusual legal text: status 0" "$rc" 0
$PY -c "
import sys, glob, openpyxl
wb = openpyxl.load_workbook(glob.glob('zo/*.xlsx')[0])
print('opened', wb['基本信息']['B3'].value)" > py.txt 2>&1
expect_has "unusual legal text: openpyxl opens it" "$(cat py.txt)" "opened"

echo "bad_input: $PASSES passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
