#!/usr/bin/env bash
# kill.sh — the long run of tests/e2e/kill.sh (issue 18 item 6; figures in
# docs/reliability.md): kill -9 at a random moment of export, zip export,
# import, merge and pack, N times each (default 25), then the next run;
# prints the counts of partial results, leftovers and integrity failures.
# usage: bench/kill.sh [build dir [N]]
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-build}
cmake --build "$B" --target jzg >/dev/null
export JZG_FORMS=$PWD/forms JZG_DATA=$PWD/data JZG_TODAY=2026-11-22 LANG=C.UTF-8 LC_ALL=C.UTF-8
KILL_STAFF=${KILL_STAFF:-150} KILLS=${2:-25} bash tests/e2e/kill.sh "$PWD/$B/jzg"
