#!/usr/bin/env bash
# saved_kill.sh — the long run of tests/e2e/saved_kill.sh (issue 18 item 1;
# figures in docs/reliability.md): N times (default 200) start the client,
# key 教职工号, kill -9 it the moment 已保存 reaches the terminal, and look
# in the file.  Prints rounds, values shown as saved and lost, integrity
# failures.  usage: bench/saved_kill.sh [build dir [N]]
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-build}
cmake --build "$B" --target jzg >/dev/null
export JZG_FORMS=$PWD/forms JZG_DATA=$PWD/data JZG_TODAY=2026-11-22 LANG=C.UTF-8 LC_ALL=C.UTF-8
ROUNDS=${2:-200} bash tests/e2e/saved_kill.sh "$PWD/$B/jzg" | grep -E '^#|passed|FAIL|round'
