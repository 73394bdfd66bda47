#!/usr/bin/env bash
# Confirmation sheets, check codes, blank forms and printing (issue 6), read
# back with poppler's pdftotext/pdfinfo, which know nothing of our code.
. "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
DB=$T/school.db
q() { sqlite3 "$DB" "$1"; }
# page N of a PDF as text, whitespace removed (wrapped cells join up again)
page() { pdftotext -raw -f "$2" -l "$2" "$1" - | tr -d ' \n\t\f'; }
pages() { pdfinfo "$1" | awk '/^Pages:/ {print $2}'; }

"$J" --db "$DB" school add --code 2143012345 --name 测试县第一小学 --type zxx >/dev/null
"$J" --db "$DB" demo --staff 6 --school 2143012345 >/dev/null
ID1=$(q "SELECT SFZJH FROM s_jbxx WHERE staff_id = 1")
ID2=$(q "SELECT SFZJH FROM s_jbxx WHERE staff_id = 2")

# --- every label and value of a demo person, computed independently
out=$("$J" --db "$DB" print sheet --staff "$ID1" --out "$T/one.pdf" 2>&1) && rc=0 || rc=$?
expect_eq "print sheet exits 0" "$rc" 0
expect_has "print sheet says where" "$out" "保存在 $T/one.pdf"
text=$(pdftotext -raw "$T/one.pdf" - | tr -d ' \n\t\f')
n=0 missing=0
while IFS= read -r want; do
	n=$((n + 1))
	w=$(tr -d ' \t' <<<"$want")
	grep -qF -- "$w" <<<"$text" || { missing=$((missing + 1)); echo "  missing on the sheet: «$want»"; }
done < <(python3 "$HERE/sheet_expect.py" "$JZG_FORMS" "$JZG_DATA" "$DB" 1)
[ "$n" -gt 300 ] && ok "expected list is substantial ($n strings)" || bad "expected list has only $n strings"
expect_eq "every label and value on the sheet" "$missing" 0
for s in 学校名称 测试县第一小学 学校标识码 2143012345 模板 中小学 打印日期 2026-11-22 \
	教师本人 学校信息管理员 学校负责人 单位（公章） 校验码 日期; do
	grep -qF -- "$s" <<<"$text" || bad "sheet lacks «$s»"
done
ok "header and signature block present"
pdffonts "$T/one.pdf" | grep -q 'NotoSerifCJKsc-Regular.*yes *yes *yes' && ok "CJK font embedded" || bad "font not embedded"
expect_eq "A4" "$(pdfinfo "$T/one.pdf" | awk '/^Page size/ {print $3 "x" $5}')" "595.276x841.89"
cp "$T/one.pdf" "$T/one_a.pdf"
"$J" --db "$DB" print sheet --staff "$ID1" --out "$T/one.pdf" >/dev/null
expect_eq "same data and day give the same bytes" "$(md5sum < "$T/one.pdf")" "$(md5sum < "$T/one_a.pdf")"

# --- a typical teacher: the demo person without the sets a school teacher
# seldom has (research, talent programmes, overseas study, …) fits on two
# pages; each set without records is one line, its title and 无, no table
ID5=$(q "SELECT SFZJH FROM s_jbxx WHERE staff_id = 5")
"$J" --db "$DB" print sheet --staff "$ID5" --out "$T/full.pdf" >/dev/null
full=$(pages "$T/full.pdf")
[ "$full" -le 3 ] && ok "demo person with every set filled: $full pages" || bad "demo person with every set: $full pages"
for t in jbdy ndkh sdxx cg_xm cg_zz cg_lw cg_jl cg_wy cg_zl cg_bg cg_yy cg_bz cg_zd rcxm hwyx jnzs jllg; do
	q "DELETE FROM s_$t WHERE staff_id = 5"
done
"$J" --db "$DB" print sheet --staff "$ID5" --out "$T/typical.pdf" >/dev/null
expect_eq "a typical teacher fits on two pages" "$(pages "$T/typical.pdf")" 2
text=$(pdftotext -raw "$T/typical.pdf" - | tr -d ' \n\t\f')
missing=0
while IFS= read -r want; do
	w=$(tr -d ' \t' <<<"$want")
	grep -qF -- "$w" <<<"$text" || { missing=$((missing + 1)); echo "  missing on the typical sheet: «$want»"; }
done < <(python3 "$HERE/sheet_expect.py" "$JZG_FORMS" "$JZG_DATA" "$DB" 5)
expect_eq "typical sheet: every value, and 无 after each empty set" "$missing" 0
for s in 基本待遇无 年度考核无 师德信息无 国家/行业标准无 交流轮岗无; do
	grep -qF -- "$s" <<<"$text" || bad "typical sheet lacks «$s»"
done
for s in 年工资收入 考核结果 师德考核结论 标准号 交流轮岗类型 （无）; do
	grep -qF -- "$s" <<<"$text" && bad "typical sheet prints «$s» (an empty set's table)"
done
ok "empty sets are one line each, without their tables"
expect_has "continuation page names the person" "$(page "$T/typical.pdf" 2)" "教师信息确认表（续）姓名："
expect_has "signature block after the last set" "$(page "$T/typical.pdf" 2)" "联系方式"
# grow the typical teacher 3 学习经历 rows at a time past a page break: the
# signature block always shares its page with 联系方式, the page count grows
sep=0 grew=0
for ((k = 1; k <= 12; k++)); do
	q "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 3)
	   INSERT INTO s_xxjl(staff_id, seq, HDXLM, HDXLYX, SXZY, SFSFLZY, RXNY, BYNY, XWCCM, XXFSM)
	   SELECT 5, 100 + $k * 3 + i, '21', '第' || i || '所大学', '专业', '1', '1990-09', '1993-07', '0', '1' FROM k"
	"$J" --db "$DB" print sheet --staff "$ID5" --out "$T/grow.pdf" >/dev/null
	np=$(pages "$T/grow.pdf")
	[ "$np" -gt 2 ] && grew=1
	last=$(page "$T/grow.pdf" "$np")
	grep -qF 联系方式 <<<"$last" && grep -qF 教师本人签字 <<<"$last" || { sep=$((sep + 1)); echo "  $k×3 rows: signature apart from 联系方式"; }
done
expect_eq "signature block never apart from the last set" "$sep" 0
expect_eq "the rows pushed the sheet past two pages" "$grew" 1
q "DELETE FROM s_xxjl WHERE staff_id = 5 AND seq > 100"

# --- page rules for a person with 60 more 学习经历 rows
q "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 60)
   INSERT INTO s_xxjl(staff_id, seq, HDXLM, HDXLYX, SXZY, SFSFLZY, RXNY, BYNY, XWCCM, XXFSM)
   SELECT 3, 100 + i, '21', '第' || i || '所大学', '专业' || i, '1', printf('19%02d-09', i), printf('19%02d-07', i + 1), '0', '1' FROM k"
"$J" --db "$DB" print sheet --staff "$(q "SELECT SFZJH FROM s_jbxx WHERE staff_id = 3")" --out "$T/big.pdf" >/dev/null
np=$(pages "$T/big.pdf")
[ "$np" -ge 4 ] && ok "large person takes $np pages" || bad "large person only $np pages"
cont=0 headok=0
for ((i = 1; i <= np; i++)); do
	p=$(page "$T/big.pdf" "$i")
	grep -qF "第${i}页共${np}页" <<<"$p" || bad "page $i lacks 第 $i 页 共 $np 页"
	if grep -qF "学习经历（续）" <<<"$p"; then
		cont=$((cont + 1))
		grep -qF "获得学历的院校或机构" <<<"$p" && headok=$((headok + 1))
	fi
done
[ "$cont" -ge 1 ] && ok "学习经历 continues on $cont page(s)" || bad "学习经历 never continued"
expect_eq "header repeated on every continuation page" "$headok" "$cont"
last=$(page "$T/big.pdf" "$np")
expect_has "signature block on the last page" "$last" "教师本人签字"
expect_has "last set shares the signature page" "$last" "联系方式"
for i in 1 59 60; do grep -qF "第${i}所大学" <<<"$(pdftotext -raw "$T/big.pdf" - | tr -d ' \n')" || bad "row $i missing"; done
ok "added rows printed"

# --- a school batch: each person starts on a new page, numbered per person
out=$("$J" --db "$DB" print sheet --school 2143012345 --out "$T/school.pdf" 2>&1)
expect_has "batch message" "$out" "6 人"
np=$(pages "$T/school.pdf")
firsts=0 sum=0 prev_total=0
for ((i = 1; i <= np; i++)); do
	p=$(page "$T/school.pdf" "$i")
	if [[ $p =~ 第([0-9]+)页共([0-9]+)页 ]]; then
		x=${BASH_REMATCH[1]} y=${BASH_REMATCH[2]}
		if [ "$x" = 1 ]; then
			firsts=$((firsts + 1)); sum=$((sum + y))
			grep -qF "基本信息姓名" <<<"$p" || bad "page $i (a person's first) does not start with 基本信息"
		fi
	else
		bad "page $i has no page number"
	fi
done
expect_eq "six people start on their own first page" "$firsts" 6
expect_eq "per-person page counts add up to the document" "$sum" "$np"
for ((k = 1; k <= 6; k++)); do
	nm=$(q "SELECT XM FROM s_jbxx WHERE staff_id = $k")
	grep -qF "姓名：$nm" <<<"$(pdftotext -raw "$T/school.pdf" - | tr -d ' \n')" || bad "$nm not in the batch"
done
ok "every person of the school in the batch"
# two threads each draw half of the people into a PDF of their own, joined
# (sheet.c, pdfjoin.c): the file is the same as with one thread, byte for
# byte, two-sided too (a blank back page where the first half ends odd)
for dx in "" --duplex; do
	JZG_SHEET_THREADS=1 "$J" --db "$DB" print sheet --school 2143012345 --out "$T/t1.pdf" $dx >/dev/null
	JZG_SHEET_THREADS=2 "$J" --db "$DB" print sheet --school 2143012345 --out "$T/t2.pdf" $dx >/dev/null
	[ "$(pages "$T/t2.pdf")" -ge 12 ] || bad "two threads${dx:+ $dx}: only $(pages "$T/t2.pdf") pages"
	expect_eq "two threads${dx:+ $dx}: same text as one" "$(pdftotext -layout "$T/t2.pdf" - | md5sum)" \
		"$(pdftotext -layout "$T/t1.pdf" - | md5sum)"
	expect_eq "two threads${dx:+ $dx}: same bytes as one" "$(md5sum < "$T/t2.pdf")" "$(md5sum < "$T/t1.pdf")"
	err=$(pdfinfo "$T/t2.pdf" 2>&1 >/dev/null; pdftotext "$T/t2.pdf" /dev/null 2>&1; pdffonts "$T/t2.pdf" 2>&1 >/dev/null)
	expect_eq "two threads${dx:+ $dx}: poppler reads the joined file without complaint" "$err" ""
done
# a batch is written in two parts joined into one file (pdfjoin.c): its
# text is each person's sheet printed alone (one part, cairo's own file),
# one after the other, page by page
: > "$T/alone.txt"
for ((k = 1; k <= 6; k++)); do
	"$J" --db "$DB" print sheet --staff "$(q "SELECT SFZJH FROM s_jbxx WHERE staff_id = $k")" --out "$T/p$k.pdf" >/dev/null
	pdftotext -layout "$T/p$k.pdf" - >> "$T/alone.txt"
done
"$J" --db "$DB" print sheet --school 2143012345 --out "$T/batch.pdf" >/dev/null
expect_eq "joined batch: the text of the six sheets printed alone" "$(pdftotext -layout "$T/batch.pdf" - | md5sum)" \
	"$(md5sum < "$T/alone.txt")"
expect_eq "joined batch: the fonts of both parts embedded" "$(pdffonts "$T/batch.pdf" | grep -c 'CID Type 0C.*yes yes yes')" 4
# ASCII strings (dates, numbers, codes) are set from a table that pdf.c
# makes from pango, not laid out by pango one by one: the same bytes
JZG_PDF_PANGO_ONLY=1 "$J" --db "$DB" print sheet --school 2143012345 --out "$T/pango.pdf" >/dev/null
expect_eq "ASCII set from the table: the same file as through pango" "$(md5sum < "$T/pango.pdf")" \
	"$(md5sum < "$T/batch.pdf")"

# --- check code and the stale-signature rule
out=$("$J" --db "$DB" sign --staff "$ID2" --date 2026-11-20 2>&1) && rc=0 || rc=$?
expect_eq "sign exits 0" "$rc" 0
code=$(sed -n 's/.*校验码 \([0-9A-Z]\{8\}\)$/\1/p' <<<"$out")
expect_eq "sign reports an 8-character code" "${#code}" 8
"$J" --db "$DB" print sheet --staff "$ID2" --out "$T/s.pdf" >/dev/null
t=$(pdftotext -raw "$T/s.pdf" - | tr -d ' \n')
expect_has "sheet carries the signed code" "$t" "校验码：$code"
expect_has "sheet says it matches the signed one" "$t" "本表内容与2026-11-20签字确认的确认表相同"
old=$(q "SELECT CYM FROM s_jbxx WHERE staff_id = 2")
q "UPDATE s_jbxx SET CYM = '改过的名字' WHERE staff_id = 2"
out=$("$J" --db "$DB" print sheet --staff "$ID2" --out "$T/s.pdf" 2>&1)
expect_has "batch message counts stale" "$out" "1 人已签字后修改"
t=$(pdftotext -raw "$T/s.pdf" - | tr -d ' \n')
expect_has "changed after signing: stale on the sheet" "$t" "已签字后修改，需重新打印签字（上次签字2026-11-20，当时的校验码$code）"
grep -qF "校验码：$code" <<<"$t" && bad "code did not change with the data" || ok "code changes with the data"
out=$("$J" --db "$DB" sign --staff "$ID2" --code "$code" 2>&1) && rc=0 || rc=$?
expect_eq "old paper code refused" "$rc" 2
expect_has "old paper code message" "$out" "打印后数据已修改"
q "UPDATE s_jbxx SET CYM = '$old' WHERE staff_id = 2"
"$J" --db "$DB" print sheet --staff "$ID2" --out "$T/s.pdf" >/dev/null
t=$(pdftotext -raw "$T/s.pdf" - | tr -d ' \n')
expect_has "change undone: signed again" "$t" "本表内容与2026-11-20签字确认"
out=$("$J" --db "$DB" sign --staff "$ID2" --code "$(tr 'A-Z' 'a-z' <<<"${code:0:4}-${code:4}")" 2>&1) && rc=0 || rc=$?
expect_eq "paper code typed in lower case with a dash accepted" "$rc" 0
out=$("$J" --db "$DB" sign --staff "$ID2" --date 2026-11-23 2>&1) && rc=0 || rc=$?
expect_eq "future date refused" "$rc" 2
out=$("$J" --db "$DB" sign --staff "$ID2" --date 2026-02-30 2>&1) && rc=0 || rc=$?
expect_has "impossible date refused" "$out" "不是有效日期"
out=$("$J" --db "$DB" sign --staff 110101190001010000 2>&1) && rc=0 || rc=$?
expect_eq "unknown person exits 2" "$rc" 2
expect_eq "history kept: two signings" "$(q "SELECT count(*) FROM signature WHERE staff_id = 2")" 2

# --- a file of schema version 2 gets the signature table on open
cp "$DB" "$T/v2.db"
sqlite3 "$T/v2.db" "DROP TABLE signature; PRAGMA user_version = 2"
out=$("$J" --db "$T/v2.db" sign --staff "$ID1" 2>&1) && rc=0 || rc=$?
expect_eq "version-2 file migrated and signed" "$rc" 0
expect_eq "version-2 file now version 3 or later" "$(( $(sqlite3 "$T/v2.db" 'PRAGMA user_version') >= 3 ))" 1

# --- missing font: clear message, exit 2, nothing left behind
mkdir -p "$T/nocjk" "$T/outdir"
cat > "$T/nocjk/fonts.conf" <<CONF
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>/usr/share/fonts/truetype/dejavu</dir><cachedir>$T/nocjk/cache</cachedir></fontconfig>
CONF
out=$(FONTCONFIG_FILE="$T/nocjk/fonts.conf" "$J" --db "$DB" print sheet --staff "$ID1" --out "$T/outdir/x.pdf" 2>&1) && rc=0 || rc=$?
expect_eq "no CJK font exits 2" "$rc" 2
expect_has "no CJK font names the package" "$out" "fonts-noto-cjk"
expect_has "no CJK font message is Chinese" "$out" "中文字体"
expect_eq "no PDF (or temp file) left" "$(ls -A "$T/outdir")" ""
out=$(FONTCONFIG_FILE="$T/nocjk/fonts.conf" "$J" print form --type zxx --out "$T/outdir/f.pdf" 2>&1) && rc=0 || rc=$?
expect_eq "blank form without font exits 2" "$rc" 2
expect_eq "no blank form left" "$(ls -A "$T/outdir")" ""
# pango/cairo are loaded on the first document (pdf.c): a broken or missing
# library is a clear message, exit 2, nothing left behind
mkdir -p "$T/badlib"
echo "not a library" > "$T/badlib/libpangocairo-1.0.so.0"
out=$(LD_LIBRARY_PATH="$T/badlib" "$J" --db "$DB" print sheet --staff "$ID1" --out "$T/outdir/x.pdf" 2>&1) && rc=0 || rc=$?
expect_eq "unloadable pango library exits 2" "$rc" 2
expect_has "unloadable pango library names the package" "$out" "libpangocairo-1.0-0"
expect_has "unloadable pango library message is Chinese" "$out" "无法加载排版库"
expect_eq "no PDF left without the library" "$(ls -A "$T/outdir")" ""
# a character the font lacks (a private-use code point) stops the batch
q "UPDATE s_jbxx SET CYM = '张' || char(57344) WHERE staff_id = 4"
out=$("$J" --db "$DB" print sheet --school 2143012345 --out "$T/outdir/b.pdf" 2>&1) && rc=0 || rc=$?
expect_eq "missing glyph exits 2" "$rc" 2
expect_has "missing glyph message" "$out" "字体中没有"
expect_eq "no PDF left after a missing glyph" "$(ls -A "$T/outdir")" ""
q "UPDATE s_jbxx SET CYM = NULL WHERE staff_id = 4"
out=$("$J" --db "$DB" print sheet --staff "$ID1" --out "$T/no/such/dir/x.pdf" 2>&1) && rc=0 || rc=$?
expect_eq "missing directory exits 2" "$rc" 2
expect_has "missing directory message" "$out" "无法在"

# --- printing, through a stand-in for CUPS that answers with CUPS's own
# messages (tests/e2e/fake_cups.sh): options, the printer list, every
# failure in Chinese with what to do, and where the PDF is
export FAKE_CUPS=$T/cups
mkdir -p "$T/bin" "$T/empty" "$FAKE_CUPS"
ln -sf "$HERE/fake_cups.sh" "$T/bin/lp"
ln -sf "$HERE/fake_cups.sh" "$T/bin/lpstat"
FP="$T/bin:$PATH"
args() { tr '\n' ' ' < "$FAKE_CUPS/lp.args"; rm -f "$FAKE_CUPS/lp.args"; }
printf 'HP_LaserJet idle\nCanon_iR paused Paper jam\nOld_Epson rejecting\n' > "$FAKE_CUPS/printers"
echo HP_LaserJet > "$FAKE_CUPS/default"
out=$(PATH=$FP LANG=zh_CN.UTF-8 "$J" --db "$DB" print sheet --staff "$ID1" --out "$T/p.pdf" --print 2>&1) && rc=0 || rc=$?
expect_eq "print via lp exits 0" "$rc" 0
expect_has "lp's request id shown" "$out" "已送往打印机“HP_LaserJet”（任务 HP_LaserJet-1）"
expect_eq "lp got A4 and the absolute path" "$(args)" "-o media=A4 $T/p.pdf -- "
out=$(PATH=$FP "$J" --db "$DB" print sheet --staff "$ID1" --out "$T/p.pdf" --printer HP_LaserJet --copies 3 --duplex 2>&1) && rc=0 || rc=$?
expect_eq "--printer --copies --duplex exit 0 (and print without --print)" "$rc" 0
expect_eq "lp got printer, copies collated, two-sided" "$(args)" \
	"-d HP_LaserJet -n 3 -o collate=true -o media=A4 -o sides=two-sided-long-edge $T/p.pdf -- "
expect_has "copies and duplex said" "$out" "，3 份，双面）"
for bad in 0 100 二 -1; do
	out=$(PATH=$FP "$J" --db "$DB" print sheet --staff "$ID1" --out "$T/p.pdf" --copies "$bad" 2>&1) && rc=0 || rc=$?
	[ "$rc" = 2 ] && grep -qF "1 到 99" <<<"$out" || bad "--copies $bad: rc $rc, $out"
done
ok "impossible copies refused"
out=$(PATH=$FP "$J" print form --type zxx --out "$T/f.pdf" --printer HP_LaserJet --duplex 2>&1) && rc=0 || rc=$?
expect_eq "blank form printed two-sided" "$(args)" "-d HP_LaserJet -o media=A4 -o sides=two-sided-long-edge $T/f.pdf -- "
# the printer list
out=$(PATH=$FP "$J" printers 2>&1) && rc=0 || rc=$?
expect_eq "printers exits 0" "$rc" 0
expect_has "default printer marked" "$out" "* HP_LaserJet　空闲"
expect_has "paused printer and why" "$out" "  Canon_iR　已暂停（Paper jam）"
expect_has "printer not accepting jobs" "$out" "  Old_Epson　不接受任务"
# a paused printer takes the job, which then waits: a warning, exit 1
out=$(PATH=$FP "$J" --db "$DB" print sheet --staff "$ID1" --out "$T/p.pdf" --printer Canon_iR 2>&1) && rc=0 || rc=$?
expect_eq "paused printer: warning exit 1" "$rc" 1
expect_has "paused printer: said, with what to do" "$out" "这台打印机已暂停（Paper jam）：任务在排队，恢复前不会打印"
expect_has "paused printer: how to resume" "$out" "cupsenable Canon_iR"
args >/dev/null
# each failure: exit 2, Chinese, what to do, where the PDF is, no English
lpfail() {   # name, expected Chinese, lp options…
	local what=$1 want=$2; shift 2
	out=$(PATH=$FP "$J" --db "$DB" print sheet --staff "$ID1" --out "$T/p.pdf" "$@" 2>&1) && rc=0 || rc=$?
	expect_eq "$what: exit 2" "$rc" 2
	expect_has "$what: says what to do" "$out" "$want"
	expect_has "$what: says where the PDF is" "$out" "PDF 已保存在 $T/p.pdf"
	grep -q "Error\|Destination\|scheduler" <<<"$out" && bad "$what: CUPS's English shown: $out"
	[ -s "$T/p.pdf" ] || bad "$what: PDF missing"
}
lpfail "unknown printer" "没有名为“HP2”的打印机（名字要与系统里的一字不差）。本机的打印机：HP_LaserJet（默认）、Canon_iR、Old_Epson" --printer HP2
lpfail "printer not accepting jobs" "打印机“Old_Epson”设为不接受打印任务：请在系统的“打印机”设置里让它接受任务（或 sudo cupsaccept Old_Epson）" --printer Old_Epson
rm "$FAKE_CUPS/default"
lpfail "no default printer" "没有设置默认打印机：请指定打印机（命令行加 --printer 打印机名，jzg printers 列出打印机）" --print
touch "$FAKE_CUPS/down"
lpfail "CUPS not running" "打印服务 CUPS 没有运行：请启动它（sudo systemctl start cups）" --print
out=$(PATH=$FP "$J" printers 2>&1) && rc=0 || rc=$?
expect_eq "printers without the scheduler exits 2" "$rc" 2
expect_has "printers without the scheduler" "$out" "打印服务 CUPS 没有运行"
rm "$FAKE_CUPS/down"
# a stuck scheduler: lpstat and lp are killed after JZG_LP_TIMEOUT seconds
touch "$FAKE_CUPS/hang"
export JZG_LP_TIMEOUT=2
out=$(PATH=$FP "$J" printers 2>&1) && rc=0 || rc=$?
expect_eq "printers with a stuck scheduler exits 2" "$rc" 2
expect_has "printers with a stuck scheduler: what to do" "$out" "打印服务 CUPS 在 2 秒内没有回应（lpstat）：请重新启动打印服务"
lpfail "stuck scheduler" "打印服务 CUPS 在 2 秒内没有回应" --printer HP_LaserJet
# jzg kills and reaps it before it reports, so nothing is left to wait for
if pgrep -f jzg-fake-cups-stuck >/dev/null; then
	bad "the stuck lp/lpstat was left running"
	pkill -f jzg-fake-cups-stuck || true
else
	ok "the stuck lp/lpstat was killed"
fi
unset JZG_LP_TIMEOUT
rm "$FAKE_CUPS/hang"
: > "$FAKE_CUPS/printers"
out=$(PATH=$FP "$J" printers 2>&1) && rc=0 || rc=$?
expect_eq "no printer set up: exit 1" "$rc" 1
expect_has "no printer set up: what to do" "$out" "本机还没有设置打印机：请在系统的“打印机”设置里添加"
lpfail "no printer at all" "本机还没有设置任何打印机" --print
out=$(PATH="$T/empty" "$J" --db "$DB" print sheet --staff "$ID1" --out "$T/p2.pdf" --print 2>&1) && rc=0 || rc=$?
expect_eq "no CUPS exits 2" "$rc" 2
expect_has "no CUPS: what to do" "$out" "本机没有安装打印服务 CUPS（找不到 lp 命令）：请在接打印机的电脑上安装（sudo apt-get install cups）"
expect_has "no CUPS says where the PDF is" "$out" "PDF 已保存在 $T/p2.pdf"
[ -s "$T/p2.pdf" ] && ok "PDF kept without lp" || bad "PDF missing without lp"
out=$(PATH="$T/empty" "$J" printers 2>&1) && rc=0 || rc=$?
expect_has "printers without CUPS" "$out" "找不到 lpstat 命令"

# --- two-sided batches: a person with an odd page count gets a blank back
# page, so every person starts on a new sheet of paper
"$J" --db "$DB" print sheet --school 2143012345 --out "$T/simplex.pdf" >/dev/null
out=$("$J" --db "$DB" print sheet --school 2143012345 --out "$T/duplex.pdf" --duplex 2>&1)
np=$(pages "$T/duplex.pdf") firsts=0 blanks=0 odd=0
for ((i = 1; i <= np; i++)); do
	p=$(page "$T/duplex.pdf" "$i")
	if [[ $p =~ 第1页共([0-9]+)页 ]]; then
		firsts=$((firsts + 1))
		[ $((i % 2)) = 1 ] || bad "page $i starts a person on the back of a sheet"
		[ $((BASH_REMATCH[1] % 2)) = 1 ] && odd=$((odd + 1))
	elif [ "$p" = "（此页空白）" ]; then
		blanks=$((blanks + 1))
	fi
done
expect_eq "duplex: six people, each starting on a front page" "$firsts" 6
[ "$odd" -ge 1 ] && ok "duplex: $odd people with an odd page count" || bad "duplex test has no odd person"
expect_eq "duplex: a blank back page after each odd person but the last" "$blanks" "$(( $(pages "$T/duplex.pdf") - $(pages "$T/simplex.pdf") ))"
expect_has "duplex: the message says why the pages differ" "$out" "共 $np 页（双面："

# --- blank forms of every template
for tp in zxx zz tj yey gx; do
	out=$("$J" print form --type "$tp" --out "$T/form_$tp.pdf" 2>&1) && rc=0 || rc=$?
	[ "$rc" = 0 ] || bad "form $tp: $out"
	t=$(pdftotext -raw "$T/form_$tp.pdf" - | tr -d ' \n\t\f')
	np=$(pages "$T/form_$tp.pdf")
	grep -qF "第${np}页共${np}页" <<<"$t" || bad "form $tp: no 第 $np 页 共 $np 页"
	for s in "★姓名" "□1男" "□2女" "年月日" "（可多选）" "填写名称" "学习经历" "本人签字"; do
		grep -qF -- "$s" <<<"$t" || bad "form $tp lacks «$s»"
	done
done
ok "blank forms of all five templates"
out=$("$J" print form --type xyz --out "$T/x.pdf" 2>&1) && rc=0 || rc=$?
expect_has "unknown template lists the templates" "$out" "zxx（中小学）"
finish
