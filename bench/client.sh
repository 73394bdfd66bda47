#!/usr/bin/env bash
# Benchmark of the client (issue 4): replay a scripted session of keys in
# tmux against a 100,000-staff demo file; report start-up time to the first
# screen, per-key handling time (read → redrawn; p50, p99, max) and peak
# memory.  Not a test: prints figures for docs/benchmarks.md.
#   bench/client.sh [path/to/jzg] [db]
set -euo pipefail
J=${1:-build/jzg}
DB=${2:-/tmp/jzg_bench_100k.db}
here=$(cd "$(dirname "$0")/.." && pwd)
export JZG_FORMS=$here/forms JZG_DATA=$here/data
if [ ! -s "$DB" ]; then
	echo "building $DB (5 schools × 20,000 staff; about 3 minutes)…"
	tmp=$DB.tmp.$$
	for k in 1 2 3 4 5; do
		"$J" --db "$tmp" school add --code "214301000$k" --name "基准学校$k" --type zxx >/dev/null
		"$J" --db "$tmp" demo --staff 20000 --school "214301000$k" --seed "$k" >/dev/null
	done
	mv "$tmp" "$DB"
fi
W=$(mktemp -d)
cp "$DB" "$W/b.db"          # the session edits: work on a copy
# bring the copy up to this build's schema (a one-time step on the first
# start after an upgrade, e.g. the staff list's index: ~0.5 s here), then
# sync it: a working file is on disk, and the first commit would otherwise
# flush the whole fresh copy
"$J" --db "$W/b.db" school list >/dev/null
sync "$W/b.db"
TM="tmux -L jzgbench$$ -f /dev/null"
# || true: under set -e a failing command in the trap ended it there, and the
# 350 MB copy in $W was left behind after every run
trap '$TM kill-server 2>/dev/null || true; cp "$W/keys.log" /tmp/jzg_keys.log 2>/dev/null || true; rm -rf "$W"' EXIT
# t0: wall clock just before exec, so that the start-up figure includes the
# exec and the dynamic loader (48 shared libraries), not only main onwards
$TM new-session -d -s b -x 80 -y 24 "env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=tmux-256color JZG_KEYLOG=$W/keys.log \
	sh -c 'date +%s.%N > $W/t0; exec $J --db $W/b.db'"
wait_screen() { local end=$((SECONDS + 60)); while ((SECONDS < end)); do $TM capture-pane -p -t b | grep -q -- "$1" && return 0; sleep 0.02; done; echo "timeout: $1"; exit 1; }
k() { $TM send-keys -t b "$@"; sleep 0.03; }
# Esc until the staff list shows, each Esc only once the screen has had
# time to answer the one before (under load a fixed pause let an extra Esc
# reach the school list, where F3 adds a school)
back_to_list() {
	local i end
	for i in 1 2 3 4; do
		end=$((SECONDS + 3))
		while ((SECONDS < end)); do
			$TM capture-pane -p -t b | grep -q "教职工 200[0-9]* 人" && return 0
			sleep 0.05
		done
		k Escape
	done
}
wait_screen "创建第一个管理员"; k Escape          # single-user file: no log-in
wait_screen "学校 5 所"
k Enter; wait_screen "教职工 20000 人"
for i in $(seq 30); do k Down; done
for i in $(seq 10); do k NPage; done
for i in $(seq 5); do k PPage; done
k F7; k F7; k F7                                 # sort by name, ID, entry
k F5; $TM send-keys -t b -l '王'; k Enter
for i in $(seq 5); do k Down; done
k F5; k C-u; k Enter                             # search cleared
k Enter; wait_screen "基本信息"
for i in $(seq 25); do k Enter; done             # through the form
for i in $(seq 25); do k Up; done
k C-u; $TM send-keys -t b -l '张三丰'; k Enter   # a committed change
k Down; k Down; $TM send-keys -t b -l '1'; k Enter   # a code via the picker
k Escape; k Down; k Enter; k Enter; for i in $(seq 10); do k Enter; done
back_to_list
# key in three new people the way a clerk does: character by character
ids=(11010519491231002X 440524188001010014 110101199003070011)
for n in 0 1 2; do
	k F3; wait_screen "★姓名"
	t() { local s=$1; for ((c = 0; c < ${#s}; c++)); do $TM send-keys -t b -l "${s:c:1}"; sleep 0.02; done; }
	t "欧阳建国"; k Enter; k Enter; k Enter
	k C-u; t "T00$n"; k Enter; k Enter; k Enter
	t "${ids[$n]}"; k Enter; k Enter
	t "湖南省长沙市"; k Enter; t "湖南省长沙县"; k Enter
	t hz; k Enter; t qz; k Enter; t 20; k Enter; k Enter
	t 198009; k Enter; t 200109; k Enter
	back_to_list
done
k F10
end=$((SECONDS + 20)); while ((SECONDS < end)) && ! grep -q '^peak' "$W/keys.log"; do sleep 0.1; done
cp "$W/keys.log" /tmp/jzg_keys.log
python3 - "$W/keys.log" "$W/t0" <<'PY'
import sys
startup = None; keys = []; quiet = []; writes = []; commits = []; cpu = []
for line in open(sys.argv[1]):
    kind, *rest = line.split()
    if kind == 'startup':
        startup = int(rest[0]); drawn = float(rest[1]); startup_cpu = int(rest[2]); continue
    if kind == 'commit': commits.append(int(rest[0])); continue
    if kind == 'peak': mem = int(rest[0]); continue
    us, wrote = int(rest[1]), rest[2] == '1'
    keys.append(us); (writes if wrote else quiet).append(us); cpu.append(int(rest[3]))
t0 = float(open(sys.argv[2]).read())
def pct(a, p):
    a = sorted(a); return a[min(len(a) - 1, int(round(p / 100 * (len(a) - 1))))] / 1000
print(f"start-up to first screen: {(drawn - t0)*1000:.1f} ms from exec ({startup/1000:.1f} ms from main); CPU {startup_cpu/1000:.1f} ms")
print(f"all keys: {len(keys)}  p50 {pct(keys,50):.2f} ms  p99 {pct(keys,99):.2f} ms  max {max(keys)/1000:.2f} ms")
print(f"CPU time per key (independent of machine load): p50 {pct(cpu,50):.2f} ms  p99 {pct(cpu,99):.2f} ms  max {max(cpu)/1000:.2f} ms")
print(f"keys that only read/draw: {len(quiet)}  p50 {pct(quiet,50):.2f} ms  p99 {pct(quiet,99):.2f} ms")
print(f"keys that change data: {len(writes)}  p50 {pct(writes,50):.2f} ms  p99 {pct(writes,99):.2f} ms")
if commits:
    print(f"commits after the redraw (fsync, not in the key times unless a key waited): {len(commits)}  p50 {pct(commits,50):.2f} ms  max {max(commits)/1000:.2f} ms")
print(f"peak RSS: {mem/1024:.1f} MB")
PY
