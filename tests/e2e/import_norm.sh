#!/usr/bin/env bash
# import_norm.sh — a cell holding what a clerk would type (１９８０年9月,
# 19800905, full-width digits, an ID number with a lower-case x, 1,234.50)
# imports as the value the client stores for the same typing, and import
# says what it rewrote in the client's words; the workbook exported again
# is the original, cell for cell.  A cell that is no date even after
# normalising is still refused, quoting the cell as written.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
E=$(cd "$(dirname "$0")" && pwd)
set +e
cd "$T"
J() { "$J" "$@"; }

J --db a.db school add --code 2143012345 --name 测试县第一小学 --type zxx >/dev/null
J --db a.db demo --staff 12 --school 2143012345 >/dev/null
# one person whose ID number ends in X: born 1985-03-07, the first sequence
# number whose GB 11643 check character is X
read -r XID SEX < <($PY -c '
w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
for q in range(1000):
    b = "11010119850307%03d" % q
    if "10X98765432"[sum(int(c) * k for c, k in zip(b, w)) % 11] == "X":
        print(b + "X", 1 if q % 2 else 2); break')
xid=${XID,,}
sqlite3 a.db "UPDATE s_jbxx SET SFZJH = '$XID', CSRQ = '1985-03-07', XBM = '$SEX'
	WHERE staff_id = (SELECT min(staff_id) FROM s_jbxx)"
mkdir out back typed bad
J --db a.db export --out out >/dev/null
F="out/2143012345_测试县第一小学_中小学教职工基础信息采集模板.xlsx"
[ -f "$F" ] && ok "exported" || bad "no export: $(ls out)"

# Rewrite cells of the exported file as a clerk might type them: inline
# strings replaced in the sheet XML, everything else left as exported.
# Prints one line per change: sheet, label, row, cell as exported, as typed.
$PY - "$F" "typed/$(basename "$F")" "$XID" > edits.txt <<'PYEOF'
import sys, re, zipfile, openpyxl
from openpyxl.utils import get_column_letter
src, dst, xid = sys.argv[1:4]
wb = openpyxl.load_workbook(src)
FW = {ord(c): ord(c) + 0xFEE0 for c in "0123456789"}
def fullwidth(s): return s.translate(FW)
def compact(s): return s.replace("-", "")                                       # 1980-09-05 → 19800905
def hanzi(s): y, m = s.split("-")[:2]; return fullwidth(y) + "年" + str(int(m)) + "月"  # 1980-09 → １９８０年9月
def dotted(s): y, m, d = s.split("-"); return "%s.%d.%d" % (y, int(m), int(d))
edits = {}   # sheet → {ref: text}
def edit(sheet, label, row, how):
    ws = wb[sheet]
    hdr = {str(c.value).lstrip("*"): c.column for c in ws[2] if c.value}
    col = hdr[label]
    if row is None:       # first data row with the cell filled
        row = next(r for r in range(3, ws.max_row + 1) if ws.cell(r, col).value)
    old = str(ws.cell(row, col).value)
    new = how(old)
    assert new != old, (sheet, label, old)
    edits.setdefault(sheet, {})["%s%d" % (get_column_letter(col), row)] = new
    print(sheet, label, row, old, new, sep="\t")
edit("基本信息", "出生日期", 4, compact)
edit("基本信息", "出生日期", 5, dotted)
edit("基本信息", "参加工作年月", 3, hanzi)
edit("基本信息", "教职工号", None, fullwidth)
for s in wb.sheetnames[:-2]:          # the ID with a lower-case x on every sheet of that person
    ws = wb[s]
    for r in range(3, ws.max_row + 1):
        if ws.cell(r, 1).value == xid:
            edits.setdefault(s, {})["A%d" % r] = xid.lower()
            print(s, "身份证件号", r, xid, xid.lower(), sep="\t")
edit("学习经历", "入学年月", None, hanzi)
zin = zipfile.ZipFile(src)
zout = zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED)
for i in zin.infolist():
    data = zin.read(i.filename)
    m = re.match(r"xl/worksheets/sheet(\d+)\.xml$", i.filename)
    if m and wb.sheetnames[int(m.group(1)) - 1] in edits:
        for ref, new in edits[wb.sheetnames[int(m.group(1)) - 1]].items():
            data, n = re.subn(rb'(<c r="' + ref.encode() + rb'" s="\d+" t="inlineStr"><is><t>)[^<]*',
                              lambda mm: mm.group(1) + new.encode(), data, count=1)
            assert n == 1, ref
    zout.writestr(i, data)
zout.close()
PYEOF
n=$(grep -c "$xid" edits.txt)
[ "$n" -ge 2 ] && ok "the X person's ID typed with x on $n sheets" || bad "X person on $n sheets"

out=$(J --db b.db import "typed/$(basename "$F")" 2>&1); rc=$?
expect_eq "typed file imports" "$rc" 0
expect_has "all people in" "$out" "人员 12 人"
# each rewrite reported, in the words of the client's notes
while IFS=$'\t' read -r sheet label row old new; do
	expect_has "note: $sheet $label row $row" "$out" "（已改写）工作表 〈$sheet〉 第 $row 行 第"
	expect_has "note says “$new”→“$old”" "$out" "〈$label〉：“$new”已写成“$old”"
done < edits.txt
expect_has "summary counts the rewrites" "$out" "按录入规则改写 $(wc -l < edits.txt) 处"

# stored exactly as the original: the export of b is the export of a, cell for cell
J --db b.db export --out back >/dev/null
$PY "$E/xlsx_same.py" "$F" "back/$(basename "$F")" > cmp.txt 2>&1
expect_has "typed cells stored as the original values" "$(cat cmp.txt)" "same "
expect_eq "the X person is one person, upper-case X" "$(sqlite3 b.db "SELECT count(*) FROM s_jbxx WHERE SFZJH = '$XID'")" 1

# the same typing through the client's normaliser gives the same stored text
# (unit: test_fieldtype normalising); a cell that is no day stays refused
$PY - "typed/$(basename "$F")" "bad/$(basename "$F")" <<'PYEOF'
import sys, re, zipfile
src, dst = sys.argv[1:3]
zin = zipfile.ZipFile(src); zout = zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED)
for i in zin.infolist():
    data = zin.read(i.filename)
    if i.filename == "xl/worksheets/sheet1.xml":
        data, n = re.subn(rb'(<c r="H3" s="\d+" t="inlineStr"><is><t>)[^<]*', lambda m: m.group(1) + "１９４９年2月30日".encode(), data, count=1)
        assert n == 1
    zout.writestr(i, data)
zout.close()
PYEOF
out=$(J --db c.db import "bad/$(basename "$F")" 2>&1); rc=$?
expect_eq "no such day: refused" "$rc" 1
expect_has "refusal quotes the cell as written" "$out" "〈出生日期〉：“１９４９年2月30日”不是日期，应写成 YYYY-MM-DD"
finish
