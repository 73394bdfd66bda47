#!/usr/bin/env bash
# tests/fuzz/run.sh [BUILD_DIR [SECONDS]] — build the libFuzzer targets with
# clang under ASan+UBSan (BUILD_DIR, default build-fuzz) and run each for
# SECONDS (default 10) from seeds made now from the project's own
# definitions and exports (tools/test does this; docs/reliability.md has
# the long run).  Fails on any crash, leak, sanitizer report or timeout;
# the input that caused it is kept in BUILD_DIR/fuzz-crash/.
#   FUZZ_ONLY=xlsx  runs one target; FUZZ_JOBS=N runs N processes each;
#   FUZZ_CORPUS=DIR keeps the corpus between runs (the long run's pieces).
set -euo pipefail
cd "$(dirname "$0")/../.."
B=${1:-build-fuzz}
S=${2:-10}
CC=clang cmake -S . -B "$B" -DJZG_FUZZ=ON -DSANITIZE=ON -DBUILD_TESTING=OFF >/dev/null
cmake --build "$B" -j"$(nproc)" --target jzg fuzz_value fuzz_defs fuzz_xlsx >/dev/null
root=$PWD
W=$(mktemp -d "${TMPDIR:-/tmp}/jzg_fuzzrun.XXXXXX")
trap 'rm -rf "$W"' EXIT
export JZG_FORMS=$root/forms JZG_DATA=$root/data JZG_TODAY=2026-11-22 LANG=C.UTF-8 LC_ALL=C.UTF-8
export TMPDIR=$W
export LSAN_OPTIONS=suppressions=$root/tests/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
mkdir -p "$W/seed/value" "$W/seed/defs" "$W/seed/xlsx" "$W/tree" "$B/fuzz-crash"

# value: one per field type and form a clerk or Excel gives
i=0
for v in '１１０１０５19491231002x' '110105194912310021' '1980年9月5日' '19800905' '2001.9' '199709' \
	' 1-男' '1-男' '01-中共党员;05-民盟盟员' '12.50' '-3' '2024' '张三' 'O'"'"'Brien' '　' $'a\tb'; do
	printf "\\x$(printf %02x $((i * 37 % 256)))%s" "$v" > "$W/seed/value/$i"; i=$((i + 1))
done
# defs: every file of forms/ and data/, as "PATH\nCONTENT"
cp -r forms data "$W/tree/"
(cd "$W/tree" && find forms data -type f -name '*.tsv' -size -200k) | while read -r f; do
	{ printf '%s\n' "$f"; cat "forms/../$f"; } > "$W/seed/defs/$(echo "$f" | tr / _)"
done
# xlsx: a demo school of each kind exported by this build, cut to size
J=$root/$B/jzg
"$J" --db "$W/x.db" school add --code 2143012345 --name 测试学校 --type zxx >/dev/null
"$J" --db "$W/x.db" demo --staff 3 --school 2143012345 >/dev/null
"$J" --db "$W/x.db" export --out "$W/ex" >/dev/null
for f in "$W"/ex/*.xlsx; do /usr/bin/python3 tests/fuzz/seed_xlsx.py "$f" "$W/seed/xlsx/$(basename "$f").seed"; done
rm -f "$W/x.db"

fails=0
for t in ${FUZZ_ONLY:-value defs xlsx}; do
	case $t in
		value) max=4096;; defs) max=262144;; xlsx) max=1048576;;
	esac
	corpus=${FUZZ_CORPUS:-$W/corpus}/$t
	mkdir -p "$corpus"
	set +e
	jobs=()
	[ "${FUZZ_JOBS:-1}" -gt 1 ] && jobs=(-jobs="$FUZZ_JOBS" -workers="$FUZZ_JOBS")
	rm -f "$W"/fuzz-*.log
	(cd "$W" && JZG_FUZZ_TREE=$W/tree "$root/$B/tests/fuzz/fuzz_$t" -max_total_time="$S" -timeout=20 \
		-rss_limit_mb=2560 -max_len=$max "${jobs[@]}" -artifact_prefix="$root/$B/fuzz-crash/$t-" \
		-print_final_stats=1 "$corpus" "$W/seed/$t") > "$W/$t.log" 2>&1
	rc=$?
	execs=$(cat "$W/$t.log" "$W"/fuzz-*.log 2>/dev/null | grep 'stat::number_of_executed_units' | awk '{s += $2} END {print s + 0}')
	set -e
	if [ "$rc" -ne 0 ]; then
		fails=$((fails + 1))
		echo "fuzz $t: FAILED (status $rc), $execs runs; the input is in $B/fuzz-crash/"
		grep -E 'ERROR|SUMMARY|runtime error|==[0-9]+==' "$W/$t.log" | head -20
	else
		echo "fuzz $t: $execs runs in ${S} s, 0 crashes"
	fi
done
[ "$fails" -eq 0 ]
