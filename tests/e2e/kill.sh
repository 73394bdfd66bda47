#!/usr/bin/env bash
# kill.sh — kill -9 in the middle of export, zip export, import, merge and
# pack (issue 18 item 6): no output with its final name is ever partial,
# the data file stays whole (integrity_check) with all or none of what was
# being added, and nothing the killed run left survives the next run, which
# says what it removed.  KILLS=N per operation (ctest: 2; the long run,
# bench/kill.sh, 25 or more).  Each kill comes at a random moment within the
# time the operation takes uninterrupted (measured first).
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
KILLS=${KILLS:-2}
STAFF=${KILL_STAFF:-80}
set +e
cd "$T"
mkdir -p tmp
export TMPDIR=$T/tmp
J() { "$J" "$@"; }
partial=0 leftover=0 integrity=0 kills=0 midrun=0 said=0
S=2143012345
J --db a.db school add --code $S --name 测试县第一小学 --type zxx >/dev/null
J --db a.db school add --code 2143012346 --name 测试县第二小学 --type zxx >/dev/null
J --db a.db demo --staff "$STAFF" --school $S >/dev/null
J --db a.db demo --staff "$STAFF" --school 2143012346 --seed 2 >/dev/null
J --db a.db export --school $S --out src >/dev/null
XLSX=$(ls src/*.xlsx)
J --db a.db export --zip --out srczip >/dev/null
ZIP=$(ls srczip/*.zip)
mkdir -p packs
for k in 1 2 3 4; do
	code=$(printf '21430199%02d' "$k")
	J --db p$k.db school add --code "$code" --name 学校$k --type zxx >/dev/null
	J --db p$k.db demo --staff "$STAFF" --school "$code" --seed "$k" >/dev/null
	J --db p$k.db pack --school "$code" --out "packs/$code.db" >/dev/null
done
J --db empty.db school add --code $S --name 测试县第一小学 --type zxx >/dev/null
J --db empty.db school add --code 2143012346 --name 测试县第二小学 --type zxx >/dev/null

# what a run leaves besides its outputs: in DIR, anything but the final
# names (an output directory; "." for import and merge: hidden .part
# files — a data file's hot journal is SQLite's to roll back at the next
# open, checked gone after it), and anything in $TMPDIR
leftovers() {
	{ if [ "$1" = . ]; then ls -A . | grep -E '^\..*part'; else ls -A "$1" | grep -vE "$2"; fi
	  ls -A tmp; } | wc -l
}
# a workbook or ZIP that opens and whose every member reads back
whole_zip() { $PY -c "import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); sys.exit(z.testzip() is not None)" "$1" 2>/dev/null; }
ms() { date +%s%3N; }

# run_kill NAME DIR FINAL SETUP CMD CHECK: KILLS times: SETUP, CMD killed at a
# random moment, CHECK (the state after the kill), CMD again to the end
# (it must say what it removed if the kill left something), no leftovers.
run_kill() {
	local name=$1 dir=$2 final=$3 setup=$4 cmd=$5 check=$6 t0 dur left out
	eval "$setup"
	t0=$(ms); eval "$cmd" >/dev/null 2>&1; dur=$(( $(ms) - t0 ))
	echo "# $name: $dur ms uninterrupted"
	for i in $(seq 1 "$KILLS"); do
		eval "$setup"
		# exec: $! is jzg itself, not a shell that would die in its place
		( eval "exec $cmd" ) >/dev/null 2>&1 &
		local pid=$!
		sleep "$(awk -v d="$dur" -v r="$RANDOM" 'BEGIN { printf "%.3f", d * (r / 32768.0) / 1000 }')"
		kill -9 "$pid" 2>/dev/null && midrun=$((midrun + 1))
		wait "$pid" 2>/dev/null
		kills=$((kills + 1))
		eval "$check" || { partial=$((partial + 1)); echo "partial after kill $i of $name"; }
		left=$(leftovers "$dir" "$final")
		out=$(eval "$cmd" 2>&1)
		if [ "$left" -gt 0 ]; then
			grep -q "已删除上次中断留下的临时文件" <<<"$out" && said=$((said + 1)) ||
				{ bad "$name kill $i: $left leftovers removed without a word"; }
		fi
		if [ "$(leftovers "$dir" "$final")" -ne 0 ] || ls ./*-journal >/dev/null 2>&1; then
			leftover=$((leftover + 1))
			echo "leftovers after the next $name: $(ls -A "$dir" tmp)"
		fi
	done
}

# export: the final name holds a whole workbook or is absent
run_kill export ex '\.xlsx$' 'rm -rf ex; mkdir ex' "\"$J\" --db a.db export --school $S --out ex" \
	'for f in ex/*.xlsx; do [ -e "$f" ] || continue; whole_zip "$f" || exit 1; done; true'
# zip export: the same for the ZIP; the workbooks wait under $TMPDIR
run_kill zip zx '\.zip$' 'rm -rf zx; mkdir zx' "\"$J\" --db a.db export --zip --out zx" \
	'for f in zx/*.zip; do [ -e "$f" ] || continue; whole_zip "$f" || exit 1; done; true'
# import (of a ZIP of two schools' workbooks, taken out under $TMPDIR):
# each workbook all or nothing
run_kill import . '' 'cp empty.db imp.db; rm -f imp.db-journal' "\"$J\" --db imp.db import $ZIP" \
	'n=$(J --db imp.db school list >/dev/null 2>&1; sqlite3 imp.db "SELECT count(*) FROM staff");
	 [ "$(sqlite3 imp.db "PRAGMA integrity_check")" = ok ] || integrity=$((integrity + 1));
	 [ $((n % STAFF)) = 0 ]'
# merge of four school files: whole files only, the county file whole
run_kill merge . '' 'cp empty.db county.db; rm -f county.db-journal' "\"$J\" --db county.db merge packs/*.db" \
	'n=$(J --db county.db school list >/dev/null 2>&1; sqlite3 county.db "SELECT count(*) FROM staff");
	 [ "$(sqlite3 county.db "PRAGMA integrity_check")" = ok ] || integrity=$((integrity + 1));
	 [ $((n % STAFF)) = 0 ]'
# pack onto the "stick": the final file is whole (every staff member) or absent
run_kill pack stick "^$S\\.db\$" 'rm -rf stick; mkdir stick' "\"$J\" --db a.db pack --school $S --out stick/$S.db" \
	'[ ! -e stick/$S.db ] || { [ "$(sqlite3 stick/$S.db "PRAGMA integrity_check")" = ok ] &&
	   [ "$(sqlite3 stick/$S.db "SELECT count(*) FROM staff")" = "$STAFF" ]; }'

echo "# kills=$kills midrun=$midrun partial=$partial leftovers=$leftover integrity_failures=$integrity removed_and_said=$said"
expect_eq "no partial result after any kill" "$partial" 0
expect_eq "nothing left behind after the next run" "$leftover" 0
expect_eq "data files whole after every kill" "$integrity" 0
echo "kill: $PASSES passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
