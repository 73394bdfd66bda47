#!/usr/bin/env bash
# workflow.sh — issue 7 on the command line, as a county uses it: operators
# and log-in, every review transition and its refusals, the lock, the
# audit log through the client-less paths (cli, import, merge), the
# progress board as text/TSV/xlsx (read back by openpyxl), pack → merge
# round trip, conflicts, and refused files leaving the county file as it
# was.  JZG_PWHASH_FAST=1 (set by ctest) keeps password hashing quick.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
set +e
cd "$T"
J() { "$J" "$@"; }
run() { out=$("$@" 2>&1); rc=$?; }
S1=2143012345 S2=2143012346

J --db s.db school add --code $S1 --name 测试县第一小学 --type zxx >/dev/null
J --db s.db demo --staff 6 --school $S1 --seed 5 >/dev/null
ID1=$(sqlite3 s.db "SELECT SFZJH FROM s_jbxx WHERE staff_id = 1")
ID2=$(sqlite3 s.db "SELECT SFZJH FROM s_jbxx WHERE staff_id = 2")

# --- a file without operators
run J --db s.db approve --staff "$ID1"
expect_eq "approve without operators: refused" "$rc" 1
expect_has "approve needs operators" "$out" "user add"
run J --db s.db --user root school list
expect_eq "--user in a file without operators exits 2" "$rc" 2
run env JZG_NEW_PASSWORD=secret0 "$J" --db s.db user add --name lu --role 录入员
expect_eq "first operator must be admin" "$rc" 2
expect_has "first operator message" "$out" "第一个操作员必须是管理员"
run env JZG_NEW_PASSWORD=secret0 "$J" --db s.db user add --name root --role 管理员
expect_eq "first admin created" "$rc" 0
expect_has "first admin message" "$out" "已添加管理员：root"

# --- once operators exist, everybody logs in
run J --db s.db school list
expect_eq "no --user: exits 2" "$rc" 2
expect_has "no --user: says how" "$out" "--user"
run env JZG_PASSWORD=wrong00 "$J" --db s.db --user root school list
expect_eq "wrong password exits 2" "$rc" 2
expect_has "wrong password message" "$out" "用户名或密码不正确"
export JZG_PASSWORD=secret0
run env JZG_NEW_PASSWORD=secret1 "$J" --db s.db --user root user add --name lu --role 录入员 --school $S1
expect_eq "keyer added" "$rc" 0
run env JZG_NEW_PASSWORD=secret2 "$J" --db s.db --user root user add --name shen --role 审核员
expect_eq "reviewer added" "$rc" 0
run env JZG_PASSWORD=secret1 JZG_NEW_PASSWORD=secret9 "$J" --db s.db --user lu user add --name x --role 管理员
expect_eq "keyer cannot add operators" "$rc" 2
run J --db s.db --user root user list
expect_has "user list" "$out" $'lu\t录入员\t'"$S1"$'\t正常'
expect_eq "hash stored, not the password" "$(sqlite3 s.db "SELECT count(*) FROM operator WHERE pwhash LIKE '\$argon2id\$%' AND pwhash NOT LIKE '%secret%'")" 3
KEY="env JZG_PASSWORD=secret1 $J --db s.db --user lu"
REV="env JZG_PASSWORD=secret2 $J --db s.db --user shen"
ADM="env JZG_PASSWORD=secret0 $J --db s.db --user root"

# --- transitions
run $REV approve --staff "$ID1"
expect_eq "approve a draft: refused" "$rc" 1
expect_has "approve a draft: says submit first" "$out" "须先提交审核"
run $KEY submit --school $S1
expect_eq "submit the school" "$rc" 0
expect_has "submit count" "$out" "共 6 人提交审核，0 人未能提交审核"
expect_eq "all submitted" "$(sqlite3 s.db "SELECT count(*) FROM staff WHERE state = 'submitted'")" 6
run $KEY approve --staff "$ID1"
expect_eq "keyer cannot approve" "$rc" 2
expect_has "keyer refusal" "$out" "无权操作：只有审核员或管理员可以执行 approve"
run $REV reject --staff "$ID2"
expect_eq "reject without reason refused" "$rc" 1
expect_has "reject needs reason" "$out" "必须写明理由"
run $REV reject --staff "$ID2" --reason "学历信息与证书不符"
expect_eq "reject with reason" "$rc" 0
run $REV approve --school $S1
expect_eq "approve the rest" "$rc" 0
expect_has "approve count" "$out" "共 5 人审核通过"
run $REV confirm --staff "$ID1"
expect_eq "confirm without signed sheet refused" "$rc" 1
run J --db s.db --user lu sign --staff "$ID1" --date 2026-11-20
JZG_PASSWORD=secret1 "$J" --db s.db --user lu sign --staff "$ID1" --date 2026-11-20 >/dev/null 2>&1
run $KEY confirm --staff "$ID1"
expect_eq "confirm after sign" "$rc" 0
expect_eq "state signed" "$(sqlite3 s.db "SELECT state FROM staff WHERE id = 1")" signed
run $REV unlock --staff "$ID1" --reason 改错
expect_eq "reviewer cannot unlock" "$rc" 2
expect_has "unlock is admin only" "$out" "无权操作：只有管理员可以执行 unlock"
run $ADM unlock --staff "$ID1" --reason "身份证件号录错"
expect_eq "admin unlocks" "$rc" 0
expect_eq "state draft after unlock" "$(sqlite3 s.db "SELECT state FROM staff WHERE id = 1")" draft
run $REV reject --staff 110101190001010000 --reason x
expect_eq "unknown person exits 2" "$rc" 2

# --- the log
run J --db s.db --user root log --staff "$ID2"
expect_has "log: reject with reason shown as states" "$out" "状态：待审核 → 录入中"
expect_eq "log: reason kept" "$(sqlite3 s.db "SELECT reason FROM review WHERE staff_id = 2 AND reason IS NOT NULL")" "学历信息与证书不符"
run J --db s.db --user root log --staff "$ID1"
expect_has "log: unlock by root" "$out" $'root\t命令行'
expect_has "log: signature recorded with its check code" "$out" $'签字登记\t新增（校验码 '
run J --db s.db --user root log --since 2999-01-01
expect_has "log --since future" "$out" "没有符合条件的修改记录"
run J --db s.db --user root log --since 2026-13-01
expect_eq "log bad date exits 2" "$rc" 2
# Day 31 of a 30-day month, 29 February of a common year: no such day.
run J --db s.db --user root log --since 2026-04-31
expect_eq "log --since 2026-04-31 exits 2" "$rc" 2
run J --db s.db --user root log --since 2026-02-29
expect_eq "log --since 2026-02-29 exits 2" "$rc" 2
run J --db s.db --user root log --since 2024-02-29
expect_eq "log --since 2024-02-29 (leap day) is accepted" "$rc" 0

# --- import through the real verb is audited with path import
J --db s.db --user root export --school $S1 --out . >/dev/null 2>&1
XL=$(ls ./${S1}_*.xlsx 2>/dev/null | head -1)
J --db imp.db school add --code $S1 --name 测试县第一小学 --type zxx >/dev/null
run J --db imp.db import --school $S1 "$XL"
expect_eq "import into a file without operators" "$rc" 0
expect_eq "import rows audited with path import" "$(sqlite3 imp.db "SELECT count(DISTINCT staff_id) FROM audit WHERE path = 'import'")" 6

# --- the board
run J --db s.db --user root expect --school $S1 --staff 12
expect_eq "expected headcount set" "$rc" 0
J --db s.db --user root school add --code $S2 --name 测试县第二小学 --type zxx >/dev/null
run J --db s.db --user root stats --format tsv
expect_eq "stats tsv" "$rc" 0
expect_eq "stats: school without staff first" "$(sed -n 2p <<<"$out" | cut -f1)" $S2
expect_eq "stats: row of school 1" "$(grep "^$S1" <<<"$out" | cut -f4-12)" $'12\t6\t50.0%\t6\t100.0%\t0\t4\t0\t0'
run J --db s.db --user root stats
expect_has "stats text: bar" "$out" "██████████··········"
expect_has "stats text: empty school marked" "$out" "未录入"
run J --db s.db --user root weekly --out "$T/周报.xlsx"
expect_eq "weekly exit" "$rc" 0
got=$($PY - "$T/周报.xlsx" <<'PY'
import sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1]).active
print(ws.title, ws["A1"].value, ws["A4"].value, ws["A5"].value, ws["A6"].value, ws["D6"].value, ws["E6"].value, round(ws["F6"].value, 3), ws["A7"].value)
PY
)
expect_eq "weekly read by openpyxl" "$got" "周报表 教职工基础信息采集进度周报表 学校标识码 $S2 $S1 12 6 0.5 合计"
# printed as a report (issue 17): landscape A4, one page wide, the header row
# repeated, page numbers, every cell of the table ruled, and a bar chart of
# 录入率 by school (names as categories, the rate column as values)
got=$($PY - "$T/周报.xlsx" <<'PY'
import sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1]).active
ps = ws.page_setup
print(ps.orientation, ps.paperSize, ps.fitToWidth in (None, 1), ps.fitToHeight, ws.sheet_properties.pageSetUpPr.fitToPage)
print(ws.print_title_rows, ws.oddFooter.center.text)
ruled = all(ws.cell(r, c).border.left.style == "thin" and ws.cell(r, c).border.bottom.style == "thin"
            for r in range(4, 8) for c in range(1, 14))
print("ruled" if ruled else "not ruled")
for ch in ws._charts:
    s = ch.series[0]
    print(type(ch).__name__, ch.barDir, ch.title.tx.rich.p[0].r[0].t, s.cat.strRef.f, s.val.numRef.f,
          ch.x_axis.scaling.orientation, ch.y_axis.scaling.min, ch.y_axis.numFmt.formatCode)
PY
)
expect_eq "weekly: page setup, print titles, borders, chart" "$got" "landscape 9 True 0 True
\$4:\$4 第 &P 页，共 &N 页
ruled
BarChart bar 各校录入率 '周报表'!\$B\$5:\$B\$6 '周报表'!\$F\$5:\$F\$6 maxMin 0.0 0%"
run J --db s.db --user root stats --format xlsx
expect_eq "xlsx without --out exits 2" "$rc" 2
run J --db s.db --user root weekly --out /nonexistent/dir/w.xlsx
expect_eq "weekly into a missing dir exits 2" "$rc" 2
expect_has "weekly missing dir message" "$out" "无法"

# --- pack → merge
run J --db s.db --user root pack --school $S1 --out "$T/usb.db"
expect_eq "pack exit" "$rc" 0
expect_has "pack says safe to unplug" "$out" "可以安全拔出 U 盘"
expect_eq "pack: quick_check" "$(sqlite3 usb.db 'PRAGMA quick_check')" ok
expect_eq "pack: only that school" "$(sqlite3 usb.db 'SELECT count(*) FROM school; SELECT count(*) FROM staff')" $'1\n6'
expect_eq "pack: no county password hashes" "$(sqlite3 usb.db "SELECT group_concat(name) FROM operator")" lu
ls "$T"/.usb.db.* >/dev/null 2>&1 && bad "pack left a temp file" || ok "pack left no temp file"
run J --db s.db --user root pack --school $S1 --out /nonexistent/x.db
expect_eq "pack into a missing dir exits 2" "$rc" 2
# A stick or disk that fills up: a file size limit makes every write past
# it fail (EFBIG, as ENOSPC would), here for the pack and for the journal
# of a merge.  Nothing half-written, a message saying what to do.
limited() { local kb=$1; shift; bash -c 'trap "" XFSZ; ulimit -f "$0"; exec "$@"' "$kb" "$@"; }
run limited 100 "$J" --db s.db --user root pack --school $S1 --out "$T/full.db"
expect_eq "pack onto a full stick exits 2" "$rc" 2
expect_has "pack onto a full stick says so" "$out" "磁盘"
[ -e "$T/full.db" ] || ls "$T"/.full.db.* >/dev/null 2>&1 && bad "pack left a file on the full stick" || ok "pack left nothing on the full stick"

J --db c.db school add --code 2143012399 --name 测试县第九小学 --type zxx >/dev/null
env JZG_NEW_PASSWORD=secret5 "$J" --db c.db user add --name xian --role 管理员 >/dev/null
CTY="env JZG_PASSWORD=secret5 $J --db c.db --user xian"
run limited 1 $CTY merge usb.db
expect_eq "merge on a full disk exits 2" "$rc" 2
expect_has "merge on a full disk says so" "$out" "磁盘"
expect_eq "merge on a full disk: integrity_check" "$(sqlite3 c.db 'PRAGMA integrity_check')" ok
expect_eq "merge on a full disk: nothing merged" "$(sqlite3 c.db 'SELECT count(*) FROM staff')" 0
run $CTY merge usb.db
expect_eq "merge exit" "$rc" 0
expect_has "merge: 6 new" "$out" "新增 6 人，相同跳过 0 人，冲突 0 人"
expect_eq "merged states" "$(sqlite3 c.db "SELECT group_concat(state) FROM (SELECT state FROM staff ORDER BY id)")" "draft,draft,approved,approved,approved,approved"
expect_eq "merge audited for county staff" "$(sqlite3 c.db "SELECT count(*) FROM audit WHERE path = 'merge' AND actor = 'xian' AND behalf = '$S1'")" 6
expect_eq "history travelled" "$(sqlite3 c.db "SELECT count(*) FROM review WHERE reason = '学历信息与证书不符'")" 1
# the county's trail says where the person came from; the school's keying
# trail stays in the school's file and the pack (docs/workflow.md)
run $CTY log --staff "$ID1"
expect_has "county log: merged from the pack" "$out" $'xian\t合并'
expect_has "county log: names the file" "$out" "新增（合并自 usb.db）"
if grep -qF $'root\t命令行' <<<"$out"; then bad "county log holds the school's trail"; else ok "county log: no school trail"; fi
run env JZG_PASSWORD=secret1 "$J" --db usb.db --user lu log --staff "$ID1"
expect_has "pack log: the school's trail" "$out" $'root\t命令行'
dumpc() { sqlite3 c.db "SELECT s.code, p.SFZJH, p.XM, p.CYM, t.state FROM staff t JOIN school s ON s.id = t.school_id JOIN s_jbxx p ON p.staff_id = t.id ORDER BY 1, 2; SELECT count(*) FROM s_xxjl; SELECT count(*) FROM audit" | md5sum; }
run $CTY merge usb.db
expect_has "merge again: all skipped" "$out" "新增 0 人，相同跳过 6 人，冲突 0 人"
before=$(dumpc)
sqlite3 usb.db "UPDATE s_jbxx SET XM = '学校改名' WHERE staff_id = 1"
run $CTY merge usb.db
expect_eq "conflict exits 1" "$rc" 1
expect_has "conflict field by field" "$out" $'姓名\t本文件'
expect_has "conflict shows the school's value" "$out" "来源文件 «学校改名»"
expect_eq "conflict changed nothing" "$(dumpc)" "$before"
run $CTY merge --take mine usb.db
expect_eq "take mine exits 0" "$rc" 0
expect_eq "take mine changed nothing" "$(dumpc)" "$before"
run $CTY merge --take theirs usb.db
expect_eq "take theirs exits 0" "$rc" 0
expect_eq "take theirs applied" "$(sqlite3 c.db "SELECT count(*) FROM s_jbxx WHERE XM = '学校改名'")" 1
run $CTY log --since 2026-01-01
expect_has "take theirs in the log as merge" "$out" "→ 学校改名"
sqlite3 usb.db "UPDATE s_jbxx SET XM = '又改' WHERE staff_id = 3"
run $CTY merge --take theirs usb.db
expect_has "approved person stays locked" "$out" "已审核锁定"
expect_eq "locked person unchanged" "$(sqlite3 c.db "SELECT count(*) FROM s_jbxx WHERE XM = '又改'")" 0

# --- refused files change nothing
before=$(dumpc)
printf '姓名,身份证件号\n' > bad.db
sqlite3 other.db "CREATE TABLE t(x)"
cp usb.db newer.db; sqlite3 newer.db "PRAGMA user_version = 99"
cp usb.db damaged.db; dd if=/dev/urandom of=damaged.db bs=$(sqlite3 usb.db "PRAGMA page_size") seek=2 count=8 conv=notrunc 2>/dev/null
for f in bad other newer damaged; do
	sum=$(md5sum < $f.db)
	run $CTY merge $f.db
	expect_eq "$f file exits 2" "$rc" 2
	expect_eq "$f file left as it was" "$(md5sum < $f.db)" "$sum"
done
run $CTY merge bad.db; expect_has "foreign message" "$out" "不是 jzg 数据文件"
run $CTY merge other.db; expect_has "other program message" "$out" "其他程序"
run $CTY merge newer.db; expect_has "newer message" "$out" "更新版本"
run $CTY merge damaged.db; expect_has "damaged message" "$out" "损坏"
run $CTY merge usb.db damaged.db bad.db usb.db
expect_eq "a run with damaged files exits 2" "$rc" 2
expect_eq "good files of the run still merged" "$(grep -c '^usb.db：新增 0 人，相同跳过 5 人，冲突 1 人' <<<"$out")" 2
expect_has "damaged file of the run named" "$out" "damaged.db 已损坏"
expect_eq "county file unchanged by refused files" "$(dumpc)" "$before"

# --- more files than SQLite attaches at once (10 per transaction), the
# third damaged: the other eleven merge, in order, the third changes nothing
for i in $(seq 1 12); do
	cp usb.db b$i.db
	sqlite3 b$i.db "UPDATE school SET code = '21430188$(printf %02d $i)', name = '批量学校$i'"
done
cp damaged.db b3.db
run $CTY merge b{1..12}.db
expect_eq "batch with a damaged file exits 2" "$rc" 2
expect_eq "batch: files told in order" "$(grep -o '^b[0-9]*\.db：新增 6 人' <<<"$out" | cut -d. -f1 | tr '\n' ' ')" "b1 b2 b4 b5 b6 b7 b8 b9 b10 b11 b12 "
expect_has "batch: damaged file named" "$out" "b3.db 已损坏"
expect_has "batch: total" "$out" "合计：新增 66 人，相同跳过 0 人，冲突 0 人，出错文件 1 个"
expect_eq "batch: damaged file's school absent" "$(sqlite3 c.db "SELECT count(*) FROM school WHERE code LIKE '21430188%'")" 11
expect_eq "batch: one merge row per person added" "$(sqlite3 c.db "SELECT count(*) FROM audit WHERE path = 'merge' AND field = 'file' AND new LIKE 'b%.db'")" 66
run $CTY merge b{1..12}.db
expect_has "batch again: all skipped" "$out" "合计：新增 0 人，相同跳过 66 人，冲突 0 人，出错文件 1 个"

# --- a merge killed (kill -9) in the middle of a batch: the rollback
# journal undoes the batch, the file opens, passes integrity_check, holds
# whole batches only, and has every index a new file has
J --db k.db school add --code 2143019900 --name 中断学校 --type zxx >/dev/null
J --db k.db demo --staff 150 --school 2143019900 --seed 3 >/dev/null
for i in $(seq 1 40); do
	cp k.db k$i.db
	sqlite3 k$i.db "UPDATE school SET code = '21430199$(printf %02d $i)'"
done
J --db kc.db school add --code 2143019999 --name 中断县 --type zxx >/dev/null
J --db fresh.db school add --code 2143019998 --name 新文件 --type zxx >/dev/null
"$J" --db kc.db merge k{1..40}.db >/dev/null 2>&1 &
kpid=$!
# Deterministic, however fast the machine: once the first batch is
# committed, another reader holds the file, so the next batch's commit waits
# (busy timeout) with its journal written; the merge is killed there.
end=$((SECONDS + 30))
while ((SECONDS < end)) && kill -0 $kpid 2>/dev/null &&
	[ "$(sqlite3 -cmd '.timeout 5000' kc.db 'SELECT count(*) >= 1500 FROM staff' 2>/dev/null)" != 1 ]; do
	sleep 0.005
done
( echo "BEGIN; SELECT count(*) FROM staff;"; sleep 15; echo "COMMIT;" ) | sqlite3 -cmd '.timeout 5000' kc.db >reader.out 2>&1 &
rpid=$!
# The reader holds the file once it has printed its count (inside its
# transaction); then the merge's next journal means a commit that waits.
end=$((SECONDS + 10))
while ((SECONDS < end)) && [ ! -s reader.out ]; do
	sleep 0.005
done
end=$((SECONDS + 10))
while ((SECONDS < end)) && kill -0 $kpid 2>/dev/null && [ ! -e kc.db-journal ]; do
	sleep 0.005
done
sleep 0.2   # the journal written and synced, the commit waiting for the reader
if kill -9 $kpid 2>/dev/null; then ok "merge killed mid-run"; else bad "merge ended before it could be killed"; fi
kill $rpid 2>/dev/null; pkill -P $rpid 2>/dev/null; wait $rpid 2>/dev/null
wait $kpid 2>/dev/null
expect_eq "killed merge: integrity_check" "$(sqlite3 kc.db 'PRAGMA integrity_check')" ok
run J --db kc.db school list
expect_eq "killed merge: file opens" "$rc" 0
expect_eq "killed merge: whole batches only" "$(sqlite3 kc.db "SELECT count(*) % 1500 FROM staff")" 0
expect_eq "killed merge: committed batches kept, the killed one undone" "$(sqlite3 kc.db "SELECT count(*) >= 1500 AND count(*) < 6000 FROM staff")" 1
expect_eq "killed merge: every index" "$(sqlite3 kc.db "SELECT group_concat(name) FROM (SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name)")" \
	"$(sqlite3 fresh.db "SELECT group_concat(name) FROM (SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name)")"
run J --db kc.db merge k{1..40}.db
expect_has "killed merge: merged again in full" "$out" "出错文件 0 个"
expect_eq "killed merge: everybody once" "$(sqlite3 kc.db "SELECT count(*) FROM staff")" 6000
expect_eq "killed merge then merged: integrity_check" "$(sqlite3 kc.db 'PRAGMA integrity_check')" ok

# --- accounts
run env JZG_NEW_PASSWORD=secret7 $KEY user passwd lu
expect_eq "keyer changes own password" "$rc" 0
run env JZG_PASSWORD=secret7 "$J" --db s.db --user lu user passwd shen
expect_eq "keyer cannot change others' passwords" "$rc" 2
run $ADM user disable root
expect_eq "last admin cannot be disabled" "$rc" 2
run $ADM user disable shen
expect_eq "disable reviewer" "$rc" 0
run $REV school list
expect_has "disabled account refused" "$out" "已停用"
finish
