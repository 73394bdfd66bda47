#!/usr/bin/env bash
# photo.sh — 照片 (issue 16) through the real binary: import from a folder
# and a ZIP (matched by 身份证件号, 教职工号 or 姓名), each bad file refused
# with its Chinese reason and nothing stored, --keep-good, --fix, the
# audit trail (hash and size, never the bytes), export and the round trip
# into another file byte for byte, pack and merge carrying photos (an
# identical photo skipped, a different one a conflict).  Picture files are
# made by tests/e2e/photo_make.py (python3-pil).
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
MK="$PY $(dirname "$0")/photo_make.py"
DB=$T/a.db
"$J" --db "$DB" school add --code 2143010001 --name 测试县第一小学 --type zxx >/dev/null
"$J" --db "$DB" demo --staff 6 --school 2143010001 >/dev/null
q() { sqlite3 "$1" "$2"; }
id() { q "$DB" "SELECT SFZJH FROM s_jbxx WHERE staff_id = $1"; }
photos() { q "$1" "SELECT count(*) FROM photo"; }

# --- each bad file refused with its reason; nothing stored
mkdir "$T/in"
$MK good "$T/in/$(id 1).jpg"
$MK png "$T/in/$(id 2).jpg"
$MK truncated "$T/in/$(id 3).jpg"
$MK huge "$T/in/$(id 4).jpg"
$MK small "$T/in/$(id 5).jpg"
$MK wide "$T/in/$(id 6).jpg"
$MK good "$T/in/无此人.jpg"
out=$("$J" --db "$DB" photo import "$T/in") && rc=0 || rc=$?
expect_eq "bad files: exit 1" "$rc" 1
expect_has "PNG renamed .jpg" "$out" "$(id 2).jpg	$(q "$DB" "SELECT XM FROM s_jbxx WHERE staff_id=2") $(id 2)	不是 JPEG 文件（是 PNG 图片）"
expect_has "truncated JPEG" "$out" "JPEG 文件已损坏或不完整"
expect_has "20,000 × 20,000 refused from its header" "$out" "图像过大（20000×20000 像素"
expect_has "too small" "$out" "照片太小（100×123 像素，至少 154×189 像素）"
expect_has "wrong proportions" "$out" "照片比例不对（400×300 像素"
expect_has "unmatched" "$out" "未匹配	无此人.jpg"
expect_has "the good one matched" "$out" "导入	$(id 1).jpg"
expect_has "all or nothing" "$out" "本次未保存任何照片"
expect_eq "nothing stored" "$(photos "$DB")" 0
expect_eq "no trail row" "$(q "$DB" "SELECT count(*) FROM audit WHERE set_name = 'photo'")" 0

# --- libjpeg's fatal errors come back as reasons, not crashes (with --fix too)
mkdir "$T/fatal"
$MK badheader "$T/fatal/$(id 1).jpg"
$MK progressive "$T/fatal/$(id 2).jpg"
for fix in "" --fix; do
	out=$("$J" --db "$DB" photo import $fix "$T/fatal" 2>&1) && rc=0 || rc=$?
	expect_eq "fatal decoder errors $fix: exit 1" "$rc" 1
	expect_has "damaged header $fix" "$out" "$(id 1).jpg	$(q "$DB" "SELECT XM FROM s_jbxx WHERE staff_id=1") $(id 1)	JPEG 文件已损坏或不完整"
done
expect_has "8000×6000 progressive: memory bound" "$out" "图像过大：处理它需要的内存超过 96 MB"
expect_eq "fatal errors: nothing stored" "$(photos "$DB")" 0

# --- a huge file is refused before it is read (memory bounded)
mkdir "$T/hugefile"
truncate -s 41M "$T/hugefile/$(id 1).jpg"
out=$(/usr/bin/time -f 'rss %M' "$J" --db "$DB" photo import "$T/hugefile" 2>&1) || true
expect_has "41 MB file refused" "$out" "文件过大（41.0 MB，最多 40 MB）"
rss=$(sed -n 's/^rss //p' <<<"$out")
# beside the same binary doing next to nothing (a sanitizer build has a
# large base): the 41 MB were never read into memory
base=$( { /usr/bin/time -f 'rss %M' "$J" --db "$DB" school list >/dev/null; } 2>&1 | sed -n 's/^rss //p')
expect_eq "41 MB file: RSS within 20 MB of a bare start (${rss} vs ${base} KB)" "$((rss < base + 20000))" 1

# --- --keep-good stores the good one; --fix repairs size and proportions
out=$("$J" --db "$DB" photo import --keep-good "$T/in") || true
expect_eq "keep-good: one photo" "$(photos "$DB")" 1
expect_eq "stored bytes are the file's" "$(q "$DB" "SELECT hex(data) FROM photo")" "$(od -An -tx1 -v "$T/in/$(id 1).jpg" | tr -d ' \n' | tr a-f A-F)"
rm "$T/in/$(id 2).jpg" "$T/in/$(id 3).jpg" "$T/in/$(id 4).jpg" "$T/in/$(id 5).jpg" "$T/in/无此人.jpg"
$MK big "$T/in/$(id 2).jpg"
out=$("$J" --db "$DB" photo import "$T/in") && rc=0 || rc=$?
expect_has "over 60 KB refused without --fix" "$out" "照片太大（"
out=$("$J" --db "$DB" photo import --fix "$T/in") && rc=0 || rc=$?
expect_eq "--fix: exit 0" "$rc" 0
expect_has "--fix: wide one cropped" "$out" "修正后导入	$(id 6).jpg"
expect_has "--fix: identical photo left" "$out" "与已有照片相同"
expect_eq "--fix: three photos" "$(photos "$DB")" 3
expect_eq "--fix: under 60 KB, 307×378" "$(q "$DB" "SELECT count(*) FROM photo WHERE bytes < 61440 AND width = 307 AND height = 378")" 2
expect_eq "--fix: a JPEG at 300 dpi" "$(q "$DB" "SELECT hex(substr(data, 1, 2)) || ' ' || hex(substr(data, 15, 4)) FROM photo WHERE staff_id = 6")" "FFD8 012C012C"

# --- the trail: hash and size, never the bytes
expect_eq "trail: one insert per photo" "$(q "$DB" "SELECT count(*) FROM audit WHERE set_name = 'photo' AND op = 'insert' AND path = 'import'")" 3
expect_eq "trail: hash, bytes and pixels" "$(q "$DB" "SELECT new FROM audit WHERE set_name = 'photo' AND staff_id = 1")" \
	"$(q "$DB" "SELECT hash || ' ' || bytes || ' 字节 307×378' FROM photo WHERE staff_id = 1")"
expect_eq "trail: no blob" "$(q "$DB" "SELECT count(*) FROM audit WHERE typeof(new) = 'blob' OR length(new) > 200")" 0
out=$("$J" --db "$DB" log --staff "$(id 1)")
expect_has "log shows 照片" "$out" "照片	新增 照片："

# --- matched by 教职工号 and by 姓名; from a ZIP
mkdir "$T/z"
$MK good "$T/z/$(q "$DB" "SELECT JZGH FROM s_jbxx WHERE staff_id = 4").jpg" 200 246
$MK good "$T/z/$(q "$DB" "SELECT XM FROM s_jbxx WHERE staff_id = 5").JPG" 200 246
(cd "$T/z" && $PY -c 'import zipfile,os,sys; z=zipfile.ZipFile("../p.zip","w"); [z.write(f) for f in sorted(os.listdir("."))]; z.writestr("__MACOSX/._x.jpg", "x")')
out=$("$J" --db "$DB" photo import --school 2143010001 "$T/p.zip") && rc=0 || rc=$?
expect_eq "ZIP by 教职工号 and 姓名: exit 0" "$rc" 0
expect_eq "ZIP: five photos" "$(photos "$DB")" 5
expect_eq "ZIP: 200×246 kept as it is" "$(q "$DB" "SELECT width || 'x' || height FROM photo WHERE staff_id = 5")" "200x246"

# --- a locked person's photo is refused like any value
q "$DB" "UPDATE staff SET state = 'approved' WHERE id = 3"
mkdir "$T/lock"; $MK good "$T/lock/$(id 3).jpg"
out=$("$J" --db "$DB" photo import "$T/lock") || true
expect_has "locked person refused" "$out" "已审核，数据已锁定"
expect_eq "locked person: no photo" "$(q "$DB" "SELECT count(*) FROM photo WHERE staff_id = 3")" 0
q "$DB" "UPDATE staff SET state = 'draft' WHERE id = 3"

# --- export, and the round trip into another file keeps the bytes
mkdir "$T/out"
out=$("$J" --db "$DB" photo export --school 2143010001 --out "$T/out")
expect_has "export told" "$out" "导出照片 5 张"
expect_eq "export: named by 身份证件号" "$(ls "$T/out" | grep -c '^[0-9X]\{18\}\.jpg$')" 5
expect_eq "export: a ZIP per school" "$($PY -c "import zipfile; print(len(zipfile.ZipFile('$T/out/2143010001_照片.zip').namelist()))")" 5
for i in 1 4 6; do
	expect_eq "export keeps bytes ($i)" "$(sha256sum < "$T/out/$(id $i).jpg" | cut -c1-64)" "$(q "$DB" "SELECT hash FROM photo WHERE staff_id = $i")"
done
DB2=$T/b.db
"$J" --db "$DB2" school add --code 2143010001 --name 测试县第一小学 --type zxx >/dev/null
"$J" --db "$DB2" demo --staff 6 --school 2143010001 >/dev/null
"$J" --db "$DB2" photo import "$T/out/2143010001_照片.zip" >/dev/null
expect_eq "round trip: same hashes" "$(q "$DB2" "SELECT group_concat(hash) FROM (SELECT hash FROM photo ORDER BY hash)")" \
	"$(q "$DB" "SELECT group_concat(hash) FROM (SELECT hash FROM photo ORDER BY hash)")"
expect_eq "round trip: same bytes" "$(q "$DB2" "SELECT hex(data) FROM photo p JOIN s_jbxx j USING (staff_id) WHERE j.SFZJH = '$(id 6)'")" \
	"$(q "$DB" "SELECT hex(data) FROM photo WHERE staff_id = 6")"

# --- the confirmation sheet: the JPEG embedded as it is (DCT), 照片 where none
code_before=$("$J" --db "$DB" print sheet --staff "$(id 1)" --out "$T/one.pdf" >/dev/null && pdftotext "$T/one.pdf" - | grep -o '校验码：[0-9A-Z]\{8\}' | head -1)
"$J" --db "$DB" print sheet --school 2143010001 --out "$T/sheet.pdf" >/dev/null
expect_eq "sheet: five images, all DCT (jpeg)" "$(pdfimages -list "$T/sheet.pdf" | awk 'NR > 2 && $9 == "jpeg"' | wc -l)" 5
expect_eq "sheet: no image re-encoded" "$(pdfimages -list "$T/sheet.pdf" | awk 'NR > 2 && $9 != "jpeg"' | wc -l)" 0
mkdir "$T/img"; pdfimages -j "$T/sheet.pdf" "$T/img/i"
expect_eq "sheet: the embedded bytes are the stored photo's" "$(sha256sum "$T"/img/*.jpg | cut -c1-64 | sort | tr '\n' ' ')" \
	"$(q "$DB" "SELECT hash FROM photo ORDER BY hash" | tr '\n' ' ')"
"$J" --db "$DB" print sheet --staff "$(id 3)" --out "$T/none.pdf" >/dev/null
expect_eq "sheet without a photo: no image" "$(pdfimages -list "$T/none.pdf" | awk 'NR > 2' | wc -l)" 0
expect_has "sheet without a photo: the box says 照片" "$(pdftotext -layout "$T/none.pdf" - | head -12)" "照片"
mkdir "$T/other"; $MK good "$T/other/$(id 1).jpg" 240 295
"$J" --db "$DB" photo import "$T/other" >/dev/null
code_after=$("$J" --db "$DB" print sheet --staff "$(id 1)" --out "$T/one.pdf" >/dev/null && pdftotext "$T/one.pdf" - | grep -o '校验码：[0-9A-Z]\{8\}' | head -1)
[ -n "$code_before" ] && [ "$code_before" != "$code_after" ] && ok "check code follows the photo" || bad "check code follows the photo: $code_before → $code_after"

# --- pack and merge carry photos; identical skipped, different a conflict
"$J" --db "$DB" pack --school 2143010001 --out "$T/pack.db" >/dev/null
expect_eq "pack carries photos" "$(photos "$T/pack.db")" 5
"$J" --db "$T/county.db" school add --code 2143010002 --name 另一学校 --type zxx >/dev/null
out=$("$J" --db "$T/county.db" merge "$T/pack.db")
expect_eq "merge: photos of new people" "$(photos "$T/county.db")" 5
out=$("$J" --db "$T/county.db" merge "$T/pack.db")
expect_has "merge again: identical photos skipped" "$out" "相同跳过 6 人，冲突 0 人"
mkdir "$T/new"; $MK good "$T/new/$(id 1).jpg" 220 271
"$J" --db "$DB" photo import "$T/new" >/dev/null
"$J" --db "$DB" pack --school 2143010001 --out "$T/pack.db" >/dev/null
out=$("$J" --db "$T/county.db" merge "$T/pack.db") || true
expect_has "merge: a different photo is a conflict" "$out" "照片	照片	本文件 «"
out=$("$J" --db "$T/county.db" merge --take theirs "$T/pack.db") || true
expect_eq "merge --take theirs: their photo" "$(q "$T/county.db" "SELECT p.hash FROM photo p JOIN s_jbxx j USING (staff_id) WHERE j.SFZJH = '$(id 1)'")" \
	"$(q "$DB" "SELECT hash FROM photo WHERE staff_id = 1")"
expect_eq "merge --take theirs: audited as merge" "$(q "$T/county.db" "SELECT count(*) FROM audit WHERE set_name = 'photo' AND op = 'update' AND path = 'merge'")" 1

echo "# photo: $PASSES passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
