# lib.sh — helpers for the end-to-end tests (sourced).  Each test gets a
# private temp dir and, for screens, a private tmux server.
set -euo pipefail
J=${1:?usage: $0 path/to/jzg}
T=$(mktemp -d /tmp/jzg_e2e.XXXXXX)
TMUX_SOCK="jzg_e2e_$$"
TM="tmux -L $TMUX_SOCK -f /dev/null"
cleanup() { $TM kill-server 2>/dev/null || true; rm -rf "$T"; }
trap cleanup EXIT
FAILS=0
PASSES=0

ok()   { PASSES=$((PASSES + 1)); echo "ok   - $*"; }
bad()  { FAILS=$((FAILS + 1)); echo "FAIL - $*"; }
# expect_eq WHAT GOT WANT
expect_eq() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: got «$2», want «$3»"; fi; }
# expect_has WHAT TEXT NEEDLE
expect_has() { if grep -qF -- "$3" <<<"$2"; then ok "$1"; else bad "$1: «$3» not in:"; echo "$2" | head -20; fi; }

# Start the real binary in a tmux pane of W×H running "$@" (one shell
# command line); its exit status is written to $T/status when it ends.
screen_start() {
	local w=$1 h=$2; shift 2
	rm -f "$T/status"
	printf '#!/bin/sh\nexport LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=${SCREEN_TERM:-tmux-256color}\n%s\necho $? > %s/status\n' "$*" "$T" > "$T/run.sh"
	$TM new-session -d -s app -x "$w" -y "$h" "sh $T/run.sh"
}
screen() { $TM capture-pane -p -t app; }
# wait_for REGEX [SECONDS]: poll the screen, no fixed sleeps.  A timeout is
# a failure by itself: "wait_for X && ok" would otherwise pass silently
# (under set -e a failing command before && does not stop the script).
wait_for() {
	local end=$((SECONDS + ${2:-10}))
	while ((SECONDS < end)); do
		screen | grep -qE -- "$1" && return 0
		sleep 0.05
	done
	bad "timeout waiting for /$1/; screen was:"; screen
	return 1
}
# wait_line N REGEX [SECONDS]: poll until line N of the screen matches
wait_line() {
	local end=$((SECONDS + ${3:-10}))
	while ((SECONDS < end)); do
		screen | sed -n "$1p" | grep -qE -- "$2" && return 0
		sleep 0.05
	done
	bad "timeout waiting for /$2/ on line $1; screen was:"; screen
	return 1
}
# wait_gone REGEX [SECONDS]: poll until the screen no longer shows REGEX
# (a screen left, e.g. after Esc); a timeout is a failure.
wait_gone() {
	local end=$((SECONDS + ${2:-10}))
	while ((SECONDS < end)); do
		screen | grep -qE -- "$1" || return 0
		sleep 0.05
	done
	bad "timeout waiting for /$1/ to go; screen was:"; screen
	return 1
}
# wait_change BEFORE [SECONDS]: poll until the screen differs from BEFORE
# (a capture taken before the key); 1 on timeout, not a failure by itself
# (paging past the last page changes nothing).
wait_change() {
	local end=$((SECONDS + ${2:-5}))
	while ((SECONDS < end)); do
		[ "$(screen)" != "$1" ] && return 0
		sleep 0.05
	done
	return 1
}
keys() { $TM send-keys -t app "$@"; }
text() { $TM send-keys -t app -l "$1"; }
pane_dead_status() {
	local end=$((SECONDS + 10))
	while ((SECONDS < end)); do
		[ -s "$T/status" ] && { cat "$T/status"; return 0; }
		sleep 0.05
	done
	echo timeout
}
# screen_stop: end the private tmux server and wait until its process is
# gone — a new session started on a server still shutting down fails with
# "server exited unexpectedly" (seen under load in saved_kill's rounds).
screen_stop() {
	$TM kill-server 2>/dev/null || true
	local end=$((SECONDS + 10))
	while ((SECONDS < end)) && pgrep -f -- "-L $TMUX_SOCK " >/dev/null; do sleep 0.02; done
}

# expect_db WHAT DB SQL WANT: poll (a commit may still be on its way), then compare
expect_db() {
	local end=$((SECONDS + 5)) got
	while :; do
		got=$(sqlite3 "$2" "$3" 2>/dev/null || true)
		[ "$got" = "$4" ] && break
		((SECONDS < end)) || break
		sleep 0.05
	done
	expect_eq "$1" "$got" "$4"
}

# skip_admin: a file without operators first offers to create the first
# 管理员; Esc goes on as a single-user file (and is not asked again: a
# restart goes straight to the first screen).
skip_admin() {
	wait_for "创建第一个管理员|学校 [0-9]+ 所|教职工 [0-9]+ 人|添加学校" || return 1
	if screen | grep -q "创建第一个管理员"; then keys Escape; wait_gone "创建第一个管理员"; fi
}

finish() {
	echo "$PASSES passed, $FAILS failed"
	[ "$FAILS" -eq 0 ]
}

# kill9_client: a power cut — SIGKILL to the jzg the tmux pane runs (not a
# hang-up the client could answer), then wait until it is gone.
kill9_client() {
	local shpid pid end=$((SECONDS + 10))
	shpid=$($TM display -p -t app '#{pane_pid}')
	pid=$(pgrep -P "$shpid" | head -1)
	[ -n "$pid" ] || { bad "kill9_client: no client running"; return 1; }
	kill -9 "$pid"
	while ((SECONDS < end)) && kill -0 "$pid" 2>/dev/null; do sleep 0.01; done
}
