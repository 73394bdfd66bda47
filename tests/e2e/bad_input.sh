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

echo "bad_input: $PASSES passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
