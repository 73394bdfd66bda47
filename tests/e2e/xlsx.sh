#!/usr/bin/env bash
# xlsx.sh — export of the official Excel template and import back (issue 5):
# round trip into an empty file, determinism, the structure read by an
# independent reader (python3-openpyxl), LibreOffice headless when
# installed, ZIP per template, and every import refusal with the database
# unchanged.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3          # Debian's python, where python3-openpyxl lives
E=$(cd "$(dirname "$0")" && pwd)
set +e                       # exit statuses are asserted one by one
cd "$T"
J() { "$J" "$@"; }
dump() {   # content of the store without row ids, for "unchanged" checks
	sqlite3 "$1" "SELECT s.code, p.SFZJH, p.XM, p.XBM, p.CSRQ, p.MZM, p.ZZMMM FROM staff t JOIN school s ON s.id = t.school_id JOIN s_jbxx p ON p.staff_id = t.id ORDER BY 1, 2;
	  SELECT count(*) FROM staff; SELECT count(*) FROM s_xxjl; SELECT count(*) FROM s_gzjl; SELECT group_concat(RXNY || HDXLM, ',') FROM s_xxjl;" | md5sum
}

J --db a.db school add --code 2143012345 --name 测试县第一小学 --type zxx >/dev/null
J --db a.db school add --code 2143012346 --name 测试县第二小学 --type zxx >/dev/null
J --db a.db school add --code 1143012347 --name 测试县幼儿园 --type yey >/dev/null
J --db a.db demo --staff 25 --school 2143012345 >/dev/null
J --db a.db demo --staff 10 --school 2143012346 --seed 2 >/dev/null
J --db a.db demo --staff 8 --school 1143012347 --seed 3 >/dev/null

mkdir out out2 out3 zip
out=$(J --db a.db export --out out 2>&1); rc=$?
expect_eq "export exit status" "$rc" 0
F1="out/2143012345_测试县第一小学_中小学教职工基础信息采集模板.xlsx"
F3="out/1143012347_测试县幼儿园_幼儿园教职工基础信息采集模板.xlsx"
expect_has "file named code_name_title" "$out" "$F1"
[ -f "$F1" ] && [ -f "$F3" ] && ok "one file per school" || bad "files missing: $(ls out)"
expect_eq "no temp files left" "$(ls -A out | grep -c '^\.')" 0

# Determinism: same data, same bytes.
J --db a.db export --school 2143012345 --out out3 >/dev/null
cmp -s "$F1" "out3/$(basename "$F1")" && ok "export is deterministic" || bad "two exports differ"
# Three schools are written on two threads (xlsx_export_schools): the same
# bytes, the same lines in the same order, as one thread writes them.
mkdir out1t
out1t=$(JZG_EXPORT_THREADS=1 J --db a.db export --out out1t 2>&1)
expect_eq "one thread prints the same paths" "$(echo "$out1t" | sed 's|^out1t/|out/|')" "$out"
same=0
for f in out/*.xlsx; do cmp -s "$f" "out1t/$(basename "$f")" && same=$((same + 1)); done
expect_eq "two threads write each school's bytes as one thread" "$same" 3

# Independent reader: structure.
$PY - "$F1" > py.txt 2>&1 <<'PYEOF'
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
print("sheets", wb.sheetnames[:3], wb.sheetnames[-2:], len(wb.sheetnames))
ws = wb["基本信息"]
print("header", [c.value for c in ws[2]][:3])
print("id", repr(ws["A3"].value), ws["A3"].data_type, ws["A3"].number_format)
# The input rows below the data hold no cells: their text format is the
# column's (<col style>), which Excel and LibreOffice give a new cell.
cd = ws.column_dimensions
print("input", ws.max_row, cd["A"].number_format, cd["A"].protection.locked, cd["D"].number_format)
print("numcol", wb["基本待遇"].column_dimensions["D"].number_format, wb["基本待遇"].column_dimensions["A"].number_format)
# every data sheet: each column's format is the one its data cells carry
bad = []
for name in wb.sheetnames[:-2]:
    s = wb[name]
    for col in s.iter_cols(min_row=3, max_row=s.max_row):
        letter = col[0].column_letter
        for c in col:
            if c.value is not None and c.number_format != s.column_dimensions[letter].number_format:
                bad.append((name, c.coordinate, c.number_format, s.column_dimensions[letter].number_format))
print("colfmt", len(bad), bad[:3])
print("freeze", ws.freeze_panes)
dv = ws.data_validations.dataValidation
print("dv", len(dv), sorted({d.type for d in dv}), all(d.formula1.startswith("L_") for d in dv))
print("dvxb", [str(d.sqref) for d in dv if d.formula1 == "L_XB"])
print("hidden", wb["代码表"].sheet_state, wb["基本信息"].sheet_state)
names = {d.name: d.attr_text for d in wb.defined_names.definedName}
print("names", names.get("L_MZ"), names.get("JZG_SCHOOL"), names.get("JZG_TEMPLATE"))
print("guide", wb["填表说明"]["B2"].value)
print("width", ws.column_dimensions["A"].width >= 20)
print("sub", "论文" in wb.sheetnames, "国家／行业标准" in wb.sheetnames)
PYEOF
py=$(cat py.txt)
expect_has "sheets in official order, guide and code sheet last" "$py" "sheets ['基本信息', '学习经历', '工作经历'] ['填表说明', '代码表']"
expect_has "header with required mark" "$py" "header ['*身份证件号', '*姓名', '曾用名']"
expect_has "ID number is a text cell" "$py" "s @"
expect_has "empty input rows: none written, the column is text and unlocked" "$py" "input 27 @ False @"
expect_has "number columns keep their number format" "$py" "numcol 0.00 @"
expect_has "every column's format is its data cells'" "$py" "colfmt 0 []"
expect_has "frozen header and keys" "$py" "freeze C3"
expect_has "validations are list formulas" "$py" "['list'] True"
expect_has "gender drop-down covers data and input rows" "$py" "dvxb ['D3:D527']"
expect_has "code sheet hidden" "$py" "hidden hidden visible"
expect_has "defined names" "$py" "names '代码表'!\$D\$2:\$D\$59 \"2143012345\" \"zxx\""
expect_has "guide names the school" "$py" "guide 2143012345"
expect_has "ID column wide enough" "$py" "width True"
expect_has "sub-tables get their own sheet" "$py" "sub True True"

# A person's records are written in their set's order_by (forms/sets.tsv:
# 学习经历 by 入学年月), whatever order they are stored in: export keeps
# them in the index's order and sorts each person's itself.  The person
# with the most records gets them stored latest first (seq).
cp a.db ord.db
who=$(sqlite3 ord.db "SELECT x.staff_id FROM s_xxjl x JOIN staff t ON t.id = x.staff_id JOIN school s ON s.id = t.school_id WHERE s.code = '2143012345' GROUP BY x.staff_id ORDER BY count(*) DESC, x.staff_id LIMIT 1")
sqlite3 ord.db "UPDATE s_xxjl SET seq = 300000 - CAST(replace(RXNY, '-', '') AS INTEGER) WHERE staff_id = $who"
want=$(sqlite3 ord.db "SELECT group_concat(RXNY, ' ') FROM (SELECT RXNY FROM s_xxjl WHERE staff_id = $who ORDER BY RXNY, seq)")
idw=$(sqlite3 ord.db "SELECT SFZJH FROM s_jbxx WHERE staff_id = $who")
mkdir ordout
J --db ord.db export --school 2143012345 --out ordout >/dev/null
got=$($PY - "ordout/$(basename "$F1")" "$idw" <<'PYEOF'
import sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1])["学习经历"]
hdr = {str(c.value).lstrip("*"): c.column for c in ws[2] if c.value}
print(" ".join(str(ws.cell(r, hdr["入学年月"]).value) for r in range(3, ws.max_row + 1) if ws.cell(r, 1).value == sys.argv[2]))
PYEOF
)
expect_eq "records stored in reverse come out in order_by order" "$got" "$want"
[ "$(echo "$want" | wc -w)" -ge 2 ] && ok "the reordered person has 2+ records" || bad "only «$want»"

# Round trip: import into an empty file, export again, same cell values.
out=$(J --db b.db import "$F1" 2>&1); rc=$?
expect_eq "import exit status" "$rc" 0
expect_has "import summary" "$out" "人员 25 人"
J --db b.db export --out out2 >/dev/null
$PY "$E/xlsx_same.py" "$F1" "out2/$(basename "$F1")" > cmp.txt 2>&1
expect_has "round trip gives identical cell values" "$(cat cmp.txt)" "same "
cmp -s "$F1" "out2/$(basename "$F1")" && ok "round trip gives identical bytes" || bad "round trip bytes differ"

# Idempotent: importing the same file again changes nothing.
before=$(dump b.db)
J --db b.db import "$F1" >/dev/null
expect_eq "importing twice changes nothing" "$(dump b.db)" "$before"

# ZIP per template.
out=$(J --db a.db export --zip --out zip 2>&1)
expect_has "zip per template" "$out" "zip/中小学教职工基础信息采集模板_20261122.zip"
expect_has "zip of the other template" "$out" "zip/幼儿园教职工基础信息采集模板_20261122.zip"
expect_eq "zip holds the two schools of the template" "$($PY -c 'import zipfile,sys; print(len(zipfile.ZipFile(sys.argv[1]).namelist()))' zip/中小学教职工基础信息采集模板_20261122.zip)" 2
expect_eq "no temp dirs left" "$(ls -A zip | grep -c '^\.')" 0
out=$(J --db c.db import zip/中小学教职工基础信息采集模板_20261122.zip 2>&1); rc=$?
expect_eq "zip import exit status" "$rc" 0
expect_has "zip import" "$out" "导入 2 个文件（人员 35 人"

# Refusals: each with its message and the database unchanged.
before=$(dump b.db)
refused() {   # WHAT FILE NEEDLE
	local out rc
	out=$(J --db b.db import ${4:-} "$2" 2>&1); rc=$?
	[ "$rc" != 0 ] && ok "$1: refused (exit $rc)" || bad "$1: exit 0"
	expect_has "$1: message" "$out" "$3"
	expect_eq "$1: database unchanged" "$(dump b.db)" "$before"
}
mkdir bad
cp "$F1" "bad/2143012346_测试县第二小学_中小学教职工基础信息采集模板.xlsx"
refused "file of another school" "bad/2143012346_测试县第二小学_中小学教职工基础信息采集模板.xlsx" "文件名中的学校标识码 2143012346 与文件内记录的学校 2143012345 不一致"
cp "$F1" "bad/2143012345_测试县第一小学_幼儿园教职工基础信息采集模板.xlsx"
refused "file of another template" "bad/2143012345_测试县第一小学_幼儿园教职工基础信息采集模板.xlsx" "文件名中的模板〈幼儿园教职工基础信息采集模板〉与文件内记录的模板〈中小学教职工基础信息采集模板〉不一致"
out=$(J --db b.db import --school 2143012346 "$F1" 2>&1)
expect_has "--school of another school names both" "$out" "文件属于学校 2143012345（测试县第一小学），不是指定的学校 2143012346"
# A school that is 中小学 in the store but whose file says 幼儿园.
J --db d.db school add --code 1143012347 --name 测试县幼儿园 --type yey >/dev/null
sqlite3 d.db "UPDATE school SET template = 'zxx'"
out=$(J --db d.db import "$F3" 2>&1)
expect_has "school of another template in the store" "$out" "文件是〈幼儿园教职工基础信息采集模板〉，而学校 1143012347 在本数据文件中用的是〈中小学教职工基础信息采集模板〉"

# Tampered copies made with Python's zipfile: DTD, zip bomb, numeric ID, bad cell.
$PY - "$F1" bad <<'PYEOF'
import sys, zipfile, re
src, d = sys.argv[1], sys.argv[2]
name = src.split("/")[-1]
zin = zipfile.ZipFile(src)
def rewrite(sub, fn, extra=None):
    zout = zipfile.ZipFile(f"{d}/{sub}/{name}", "w", zipfile.ZIP_DEFLATED)
    for i in zin.infolist():
        data = zin.read(i.filename)
        zout.writestr(i.filename, fn(i.filename, data))
    if extra: extra(zout)
    zout.close()
import os
for s in ("dtd", "bomb", "num", "cell", "keep"): os.makedirs(f"{d}/{s}", exist_ok=True)
def dtd(n, b):
    if n == "xl/worksheets/sheet1.xml":
        return b.replace(b"?>", b'?><!DOCTYPE x [<!ENTITY a "aaaa">]>', 1)
    return b
rewrite("dtd", dtd)
def bomb(n, b):
    if n == "xl/worksheets/sheet2.xml":
        return b.replace(b"</worksheet>", b"<!--" + b" " * (20 << 20) + b"--></worksheet>")
    return b
rewrite("bomb", bomb)
def num(n, b):   # the ID of the first person as a number cell
    if n == "xl/worksheets/sheet1.xml":
        return re.sub(rb'<c r="A3" s="(\d+)" t="inlineStr"><is><t>(\d{15,17})\w?</t></is></c>', rb'<c r="A3" s="\1"><v>\2</v></c>', b, count=1)
    return b
rewrite("num", num)
def cell(n, b):  # an unknown gender code on row 4
    if n == "xl/worksheets/sheet1.xml":
        return re.sub(rb'(<c r="D4" s="\d+" t="inlineStr"><is><t>)[^<]*', rb'\g<1>' + "X-未知".encode(), b, count=1)
    return b
rewrite("cell", cell)
rewrite("keep", cell)
PYEOF
refused "DTD" "bad/dtd/$(basename "$F1")" "含有 DTD"
refused "zip bomb part over the cap" "bad/bomb/$(basename "$F1")" "超过上限 16 MB" --max-part=16
refused "numeric ID cell" "bad/num/$(basename "$F1")" "工作表 〈基本信息〉 第 3 行 第 1 列 〈身份证件号〉：身份证件号是数值格式"
refused "bad code" "bad/cell/$(basename "$F1")" "工作表 〈基本信息〉 第 4 行 第 4 列 〈性别〉：“X-未知”不是代码表〈性别〉中的代码或名称"
mkdir -p bad/corrupt
head -c 3000 "$F1" > "bad/corrupt/$(basename "$F1")"
refused "corrupt zip" "bad/corrupt/$(basename "$F1")" "不是 Excel 文件（.xlsx），或文件已损坏"
printf 'x' > "bad/2143012345_测试县第一小学_中小学教职工基础信息采集模板.txt"
out=$(J --db b.db import "bad/2143012345_测试县第一小学_中小学教职工基础信息采集模板.txt" 2>&1)
expect_has "not an xlsx" "$out" "不是 .xlsx 或 .zip 文件"

# --keep-good: everyone but the person with the bad row is imported.
out=$(J --db e.db import --keep-good "bad/keep/$(basename "$F1")" 2>&1); rc=$?
expect_eq "keep-good exit status (findings)" "$rc" 1
expect_has "keep-good reports the finding" "$out" "第 4 行 第 4 列 〈性别〉"
expect_has "keep-good imports the others" "$out" "人员 24 人"
expect_has "keep-good names the skipped" "$out" "跳过 1 名"
expect_eq "keep-good: 24 people in the store" "$(sqlite3 e.db 'SELECT count(*) FROM staff')" 24
out=$(J --db f.db import "bad/keep/$(basename "$F1")" 2>&1)
expect_eq "without keep-good nothing is imported" "$(sqlite3 f.db 'SELECT count(*) FROM staff' 2>/dev/null || echo 0)" 0

# The rules engine: every imported row is checked after it is written, and a
# finding is mapped back to its sheet, row and column.  Copies of F1 with
# one cell changed (inline strings rewritten in the sheet XML); set_cell
# prints "column row old" of the changed cell.
mkdir -p bad/rule bad/check bad/warn
set_cell() {   # DIR SHEET ROW|first-with:LABEL LABEL NEW-TEXT|=LABEL
	$PY - "$F1" "bad/$1/$(basename "$F1")" "$2" "$3" "$4" "$5" <<'PYEOF'
import sys, re, zipfile, openpyxl
from openpyxl.utils import get_column_letter
src, dst, sheet, row, label, new = sys.argv[1:7]
wb = openpyxl.load_workbook(src)
ws = wb[sheet]
hdr = {str(c.value).lstrip("*"): c.column for c in ws[2] if c.value}
col = hdr[label]
if row.startswith("first-with:"):      # first data row with both cells filled
    other = hdr[row.split(":", 1)[1]]
    row = next(r for r in range(3, ws.max_row + 1) if ws.cell(r, col).value and ws.cell(r, other).value)
row = int(row)
old = ws.cell(row, col).value
if new.startswith("="):
    new = ws.cell(row, hdr[new[1:]]).value
part = "xl/worksheets/sheet%d.xml" % (wb.sheetnames.index(sheet) + 1)
ref = "%s%d" % (get_column_letter(col), row)
zin = zipfile.ZipFile(src)
zout = zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED)
for i in zin.infolist():
    data = zin.read(i.filename)
    if i.filename == part:
        data, n = re.subn(rb'(<c r="' + ref.encode() + rb'" s="\d+" t="inlineStr"><is><t>)[^<]*', lambda m: m.group(1) + new.encode(), data, count=1)
        assert n == 1, ref
    zout.writestr(i, data)
zout.close()
print(col, row, old)
PYEOF
}
# 参加工作年月 before 出生日期: a constraint of forms/sets/jbxx.tsv that only the rules engine checks.
read -r cjcol row _ < <(set_cell rule 基本信息 3 参加工作年月 1950-01)
refused "rule violation (CJGNY before CSRQ)" "bad/rule/$(basename "$F1")" "工作表 〈基本信息〉 第 3 行 第 $cjcol 列 〈参加工作年月〉：参加工作年月应晚于出生日期"
# A forms/checks.tsv cross-field rule on a many-record sheet (交流轮岗单位 = 原单位).
read -r col row _ < <(set_cell check 交流轮岗 first-with:原单位名称 交流轮岗单位名称 =原单位名称)
refused "checks.tsv rule on a many-record sheet" "bad/check/$(basename "$F1")" "工作表 〈交流轮岗〉 第 $row 行 第 $col 列 〈交流轮岗单位名称〉：交流轮岗单位名称不能与原单位名称相同"
# --keep-good drops only the person with the rule violation.
id3=$($PY -c 'import sys,openpyxl; print(openpyxl.load_workbook(sys.argv[1])["基本信息"]["A3"].value)' "$F1")
out=$(J --db g.db import --keep-good "bad/rule/$(basename "$F1")" 2>&1); rc=$?
expect_eq "rules + keep-good: exit status (findings)" "$rc" 1
expect_has "rules + keep-good: finding reported" "$out" "第 3 行 第 $cjcol 列 〈参加工作年月〉"
expect_has "rules + keep-good: the others imported" "$out" "人员 24 人"
expect_eq "rules + keep-good: 24 people stored" "$(sqlite3 g.db 'SELECT count(*) FROM staff')" 24
expect_eq "rules + keep-good: the violating person is not stored" "$(sqlite3 g.db "SELECT count(*) FROM s_jbxx WHERE SFZJH = '$id3'")" 0
# A warning (性别 against the 17th digit of the ID number) is reported but does not block.
read -r col row old < <(set_cell warn 基本信息 5 性别 X)
case "$old" in 1-*) new=2-女 ;; *) new=1-男 ;; esac
set_cell warn 基本信息 5 性别 "$new" >/dev/null
out=$(J --db h.db import "bad/warn/$(basename "$F1")" 2>&1); rc=$?
expect_eq "warning does not block: exit status" "$rc" 0
expect_has "warning reported with its cell" "$out" "（警告）工作表 〈基本信息〉 第 5 行 第 $col 列 〈性别〉：性别与身份证件号第17位不一致"
expect_has "warning: file imported" "$out" "人员 25 人"

# A real spreadsheet program reads the export (LibreOffice headless).
if command -v soffice >/dev/null 2>&1; then
	mkdir lo
	HOME="$T" timeout 120 soffice --headless --convert-to fods --outdir lo "$F1" >/dev/null 2>&1
	# 25 staff: data rows 3–27, input rows 28–527 (forms/export.tsv input_rows)
	lo=$($PY "$E/xlsx_lo.py" lo/*.fods 基本信息 2 1 2 2 3 1 28 1 527 1 527 4 528 4 2>&1)
	expect_has "LibreOffice reads the first sheet" "$lo" "2 1 text=*身份证件号 type=string"
	expect_has "LibreOffice reads the second header" "$lo" "2 2 text=*姓名 type=string"
	id=$(sqlite3 a.db "SELECT p.SFZJH FROM staff t JOIN s_jbxx p ON p.staff_id = t.id JOIN school s ON s.id = t.school_id WHERE s.code = '2143012345' ORDER BY t.id LIMIT 1")
	expect_has "LibreOffice keeps the 18-digit ID as text" "$lo" "3 1 text=$id type=string format=text"
	expect_has "LibreOffice: first input row is text" "$lo" "28 1 text= type= format=text list="
	expect_has "LibreOffice: last input row is text" "$lo" "527 1 text= type= format=text list="
	expect_has "LibreOffice: last input row has the drop-down" "$lo" "527 4 text= type= format=text list=L_XB"
	expect_has "LibreOffice: no drop-down below the input rows" "$lo" "528 4 text= type= format=text list="
	lo=$($PY "$E/xlsx_lo.py" lo/*.fods 基本待遇 300 4 2>&1)
	expect_has "LibreOffice: an input row of a number column has its number format" "$lo" "300 4 text= type= format=number:2"
else
	echo "skip - LibreOffice (libreoffice-calc-nogui) not installed"
fi
finish
