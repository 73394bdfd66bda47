#!/usr/bin/env bash
# tamper.sh — issue 18 item 4: each forgery of the reliability findings,
# made with the sqlite3 shell on a real file, is reported in Chinese with
# what was changed (on opening, by `jzg verify`, at `merge`); the guards
# dropped outside jzg come back; a file of schema 6 gets its chain once.
. "$(dirname "$0")/lib.sh"
set +e
cd "$T"
S1=2143012345
export JZG_PASSWORD=secret0
run() { out=$("$@" 2>&1); rc=$?; }

# --- a school file keyed through jzg: imported by a 录入员, approved by a 审核员
"$J" --db d.db school add --code $S1 --name 测试县第一小学 --type zxx >/dev/null
"$J" --db d.db demo --staff 4 --school $S1 --seed 7 >/dev/null
mkdir x && "$J" --db d.db export --school $S1 --out x >/dev/null
"$J" --db s.db school add --code $S1 --name 测试县第一小学 --type zxx >/dev/null
JZG_NEW_PASSWORD=secret0 "$J" --db s.db user add --name root --role 管理员 >/dev/null
JZG_NEW_PASSWORD=secret1 "$J" --db s.db --user root user add --name key --role 录入员 --school $S1 >/dev/null
JZG_NEW_PASSWORD=secret2 "$J" --db s.db --user root user add --name rev --role 审核员 --school $S1 >/dev/null
KEY="env JZG_PASSWORD=secret1 $J --db s.db --user key"
REV="env JZG_PASSWORD=secret2 $J --db s.db --user rev"
$KEY import x/*.xlsx >/dev/null
ID1=$(sqlite3 s.db "SELECT SFZJH FROM s_jbxx WHERE staff_id = 1")
NAME1=$(sqlite3 s.db "SELECT XM FROM s_jbxx WHERE staff_id = 1")
$KEY submit --school $S1 >/dev/null
$REV approve --staff "$ID1" >/dev/null
expect_eq "one approved" "$(sqlite3 s.db "SELECT count(*) FROM staff WHERE state = 'approved'")" 1
run "$J" --db s.db --user root verify
expect_eq "a file kept by jzg: verify exits 0" "$rc" 0
expect_has "a file kept by jzg: nothing found" "$out" "未发现"
expect_eq "approval signed by rev's key" "$(sqlite3 s.db "SELECT count(*) FROM chain c JOIN review r ON r.id = c.row_id \
    WHERE c.tbl = 2 AND r.to_state = 'approved' AND length(c.sig) = 64 AND c.signer = (SELECT id FROM operator WHERE name = 'rev')")" 1
cp s.db clean.db

# --- 1. guards dropped, the trail rewritten (findings §6, defect 3)
cp clean.db f1.db
sqlite3 f1.db "DROP TRIGGER audit_no_delete; DROP TRIGGER audit_no_update; UPDATE audit SET actor = 'rev' WHERE actor = 'key'"
run "$J" --db f1.db --user root log --staff "$ID1"
expect_has "1: opening says the guards were dropped" "$out" "保护触发器有 2 个被删除"
expect_eq "1: the guards are back" "$(sqlite3 f1.db "SELECT count(*) FROM sqlite_schema WHERE name IN ('audit_no_update','audit_no_delete')")" 2
run sqlite3 f1.db "UPDATE audit SET actor = 'x'"
expect_has "1: the trail is append-only again" "$out" "审计记录只能追加"
run "$J" --db f1.db --user root verify
expect_eq "1: verify exits 1" "$rc" 1
expect_has "1: verify names the rewritten operator" "$out" "操作员原为 key，现为 rev"

# --- 2. staff.state set to approved without a review row
cp clean.db f2.db
sqlite3 f2.db "UPDATE staff SET state = 'approved' WHERE id = 2"
run "$J" --db f2.db --user root verify
expect_eq "2: verify exits 1" "$rc" 1
NAME2=$(sqlite3 f2.db "SELECT XM FROM s_jbxx WHERE staff_id = 2")
expect_has "2: verify names the person and the state" "$out" "人员 $NAME2"
expect_has "2: verify says no review backs it" "$out" "状态为“已审核”，但审核记录中没有这一步"

# --- 3. a 录入员 made 管理员
cp clean.db f3.db
sqlite3 f3.db "UPDATE operator SET role = 'admin' WHERE name = 'key'"
run env JZG_PASSWORD=secret1 "$J" --db f3.db --user key user add --name x --role 管理员
expect_eq "3: the forged 管理员 cannot log in" "$rc" 2
expect_has "3: opening says what was changed" "$out" "操作员 key 的角色在 jzg 之外被改动：录入员 → 管理员"
expect_has "3: log-in refused" "$out" "已拒绝登录"
expect_eq "3: nobody added" "$(sqlite3 f3.db "SELECT count(*) FROM operator WHERE name = 'x'")" 0
run "$J" --db f3.db --user root verify
expect_eq "3: verify exits 1" "$rc" 1
expect_has "3: verify names the role change" "$out" "操作员 key 的角色在 jzg 之外被改动：录入员 → 管理员"

# --- 4. a person's value changed with UPDATE
cp clean.db f4.db
sqlite3 f4.db "UPDATE s_jbxx SET XM = '李四' WHERE staff_id = 3"
NAME3=$(sqlite3 clean.db "SELECT XM FROM s_jbxx WHERE staff_id = 3")
run "$J" --db f4.db --user root verify
expect_eq "4: verify exits 1" "$rc" 1
expect_has "4: verify names the field and both values" "$out" "基本信息 姓名：修改记录为 «$NAME3»，文件中为 «李四»"

# an approved person's value too, and a forged approval row without a key
cp clean.db f5.db
sqlite3 f5.db "UPDATE s_jbxx SET XM = '王五' WHERE staff_id = 1; INSERT INTO review(staff_id, actor, from_state, to_state) VALUES(4, 'rev', 'submitted', 'approved'); UPDATE staff SET state = 'approved' WHERE id = 4"
run "$J" --db f5.db --user root verify
expect_has "5: the approved person's change named" "$out" "文件中为 «王五»"
expect_has "5: a review row not written by jzg" "$out" "审核记录有 1 条不是 jzg 写入的"
expect_has "5: its approval has no signature" "$out" "但审核通过没有审核员或管理员的有效签名"

# --- merge: the county refuses a changed school file and a rewritten history
"$J" --db c.db school add --code 2143012399 --name 测试县第九小学 --type zxx >/dev/null
JZG_NEW_PASSWORD=secret0 "$J" --db c.db user add --name xian --role 管理员 >/dev/null
CTY="$J --db c.db --user xian"
cp f1.db bad.db
run $CTY merge bad.db
expect_eq "merge of a rewritten trail exits 2" "$rc" 2
expect_has "merge says what was found in the school file" "$out" "在 jzg 之外被改动，未合并：20"
expect_has "merge names the dropped guards" "$out" "保护触发器有 2 个被删除"
expect_eq "merge: nothing of it merged" "$(sqlite3 c.db 'SELECT count(*) FROM staff')" 0
cp clean.db a.db && cp clean.db b.db
# two copies of the school's file, each changed by jzg after they parted:
# one merged, the other is a history the county has not seen
JZG_NEW_PASSWORD=secret8 env JZG_PASSWORD=secret1 "$J" --db a.db --user key user passwd key >/dev/null
JZG_NEW_PASSWORD=secret7 env JZG_PASSWORD=secret1 "$J" --db b.db --user key user passwd key >/dev/null
run $CTY merge a.db
expect_eq "merge of the school's file exits 0" "$rc" 0
expect_eq "the county keeps the school's chain head" "$(sqlite3 c.db "SELECT count(*) FROM trust_anchor WHERE school = '$S1'")" 1
# the merged trail, reviews and signatures are linked after the copy
# (trust_bulk), one link each, in the county's one chain
expect_eq "every merged review has its one link" "$(sqlite3 c.db "SELECT count(*) FROM review r WHERE (SELECT count(*)
    FROM chain c WHERE c.tbl = 2 AND c.row_id = r.id) <> 1")" 0
expect_eq "every trail row has its one link" "$(sqlite3 c.db "SELECT count(*) FROM audit a WHERE (SELECT count(*)
    FROM chain c WHERE c.tbl = 1 AND c.row_id = a.id) <> 1")" 0
[ "$(sqlite3 c.db 'SELECT count(*) FROM review')" -gt 0 ] && ok "the merge brought reviews" || bad "no review merged"
run $CTY verify
expect_eq "the county file after the merge: verify exits 0" "$rc" 0
run $CTY merge b.db
expect_eq "merge of another history exits 2" "$rc" 2
expect_has "merge reports the rewritten history" "$out" "的修改记录与上次合并"

# --- a file of schema 6 (before the chain): the chain is built once, and said once
cp clean.db old.db
sqlite3 old.db "DROP TRIGGER chain_no_update; DROP TRIGGER chain_no_delete; DROP TABLE chain; DROP TABLE trust_anchor;
    ALTER TABLE operator DROP COLUMN salt; ALTER TABLE operator DROP COLUMN pubkey; DELETE FROM meta WHERE key = 'trust_head';
    PRAGMA user_version = 6"
run "$J" --db old.db --user root school list
expect_has "migration: said once" "$out" "建立防篡改散列链（只此一次）"
run "$J" --db old.db --user root school list
grep -q "防篡改" <<<"$out" && bad "migration said twice: $out" || ok "migration not said again"
run "$J" --db old.db --user root verify
expect_eq "migrated file verifies" "$rc" 0
expect_has "migrated file: unsigned approvals noted" "$out" "启用防篡改之前写入"
finish
