#!/usr/bin/env bash
# Progress on long command-line jobs (issue 17, item 7): demo, print sheet,
# pack and merge draw a bar on a terminal's stderr, as export does, and
# nothing in a pipe; merge's per-file lines start on a clean line; merge
# into a county file that does not exist yet creates it and says so.  The
# terminal is a real pty from script(1) (util-linux).
. "$(dirname "$0")/lib.sh"
cd "$T"
# tty CMD…: run on a pty, the bytes it wrote (stdout and stderr together)
tty() { script -qec "$(printf '%q ' "$@")" /dev/null; }
# has_bar OUT LABEL: a bar redrawn in place up to 100 %, then the line cleared
has_bar() {
	python3 - "$1" "$2" <<'PY'
import re, sys
out, label = sys.argv[1], sys.argv[2]
bars = re.findall("\r" + re.escape(label) + r" \[(#*) *\] +(\d+)%", out)
assert len(bars) >= 2, "fewer than two bars: %r" % out[:300]
pcts = [int(p) for _, p in bars]
assert pcts == sorted(pcts) and pcts[-1] == 100, pcts
assert all(len(f) == int(p) * 30 // 100 for f, p in bars), bars
assert "\r\033[K" in out[out.rindex("100%"):], "bar not cleared at the end"
PY
}

"$J" --db s.db school add --code 2143012345 --name 测试县第一小学 --type zxx >/dev/null
out=$(tty "$J" --db s.db demo --staff 120 --seed 5)
has_bar "$out" 生成演示数据 && ok "demo: a bar on a terminal" || bad "demo: no bar"
expect_has "demo: the result line after the bar" "$out" $'\r\e[K已生成 120 名演示教职工'
out=$("$J" --db s.db demo --staff 5 --seed 6 2>&1 | cat)
expect_eq "demo in a pipe: the result line only" "$out" "已生成 5 名演示教职工"

out=$(tty "$J" --db s.db print sheet --school 2143012345 --out "$T/all.pdf")
has_bar "$out" 生成确认表 && ok "print sheet: a bar on a terminal" || bad "print sheet: no bar"
expect_has "print sheet: the result after the bar" "$out" $'\r\e[K已生成教师信息确认表：125 人'
out=$("$J" --db s.db print sheet --school 2143012345 --out "$T/all.pdf" 2>&1 | cat)
grep -q '\[#' <<<"$out" && bad "print sheet in a pipe drew a bar" || ok "print sheet in a pipe: no bar"

out=$(tty "$J" --db s.db pack --school 2143012345 --out "$T/p1.db")
has_bar "$out" 写出 && ok "pack: a bar on a terminal" || bad "pack: no bar"
expect_has "pack: the result after the bar" "$out" $'\r\e[K已写出'
"$J" --db s.db school add --code 2143012346 --name 测试县第二小学 --type zxx >/dev/null
"$J" --db s.db demo --staff 30 --school 2143012346 >/dev/null
"$J" --db s.db pack --school 2143012346 --out "$T/p2.db" >/dev/null

# merge into a county file that is not there yet: made, and said
[ -e county.db ] && bad "county.db exists before the test"
out=$(tty "$J" --db county.db merge p1.db p2.db) && rc=0 || rc=$?
expect_eq "merge into a new county file exits 0" "$rc" 0
expect_has "merge says it made the file" "$out" "数据文件 county.db 还不存在，已新建（县级汇总文件）"
has_bar "$out" 合并 && ok "merge: a bar on a terminal" || bad "merge: no bar"
python3 - "$out" <<'PY' && ok "merge: each file's line starts on a cleared line" || bad "merge: a file's line glued to the bar"
import sys
out = sys.argv[1]
for name in ("p1.db：新增 125 人", "p2.db：新增 30 人"):
    i = out.index(name)
    assert out[:i].endswith("\r\033[K") or out[:i].endswith("\n"), repr(out[max(0, i - 40):i + 10])
PY
expect_eq "the new county file has both schools' people" "$(sqlite3 county.db 'SELECT count(*) FROM staff')" 155
out=$("$J" --db county.db merge p1.db 2>&1) && rc=0 || rc=$?
grep -qF "已新建" <<<"$out" && bad "an existing file said to be new" || ok "an existing county file is not new"
expect_has "merge again: same people skipped" "$out" "相同跳过 125 人"
out=$("$J" --db "$T/no/such/dir/county.db" merge p1.db 2>&1) && rc=0 || rc=$?
expect_eq "county file in a missing folder: exit 2" "$rc" 2
[ -e "$T/no" ] && bad "a folder was made for the county file" || ok "nothing made in a missing folder"
finish
