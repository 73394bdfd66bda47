#!/usr/bin/env bash
# bench/merge_floor.sh — the floor of a first merge (issue 21): the sqlite3
# shell copying what `jzg merge` copies — people, every set's records,
# reviews, signatures, explanations — from N school files s1.db … sN.db in
# DIR into a copy of an empty county file (same schema, indexes and page
# size), 10 files a transaction as jzg does, with no trigger, no check, no
# trail and no chain.  Called by bench/workflow.sh in the same run as the
# merge it is compared with.  Not a test.
# usage: bench/merge_floor.sh DIR N EMPTY_COUNTY_DB
set -euo pipefail
W=$1 N=$2 EMPTY=$3
rm -f "$W/floor.db"; cp "$EMPTY" "$W/floor.db"
sql=$W/floor.sql
: > "$sql"
cols() { sqlite3 "$W/s1.db" "SELECT group_concat('\"' || name || '\"', ', ') FROM pragma_table_info('$1') WHERE name NOT IN ('id', 'staff_id')"; }
tables=$(sqlite3 "$W/s1.db" "SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB 's_*' ORDER BY rowid")
declare -A C
for t in $tables review signature explanation; do C[$t]=$(cols "$t"); done
for ((b = 0; b < N; b += 10)); do
	for ((k = 0; k < 10 && b + k < N; k++)); do echo "ATTACH '$W/s$((b + k + 1)).db' AS src$k;" >> "$sql"; done
	echo "BEGIN;" >> "$sql"
	for ((k = 0; k < 10 && b + k < N; k++)); do
		off=$(((b + k) * 100000))   # ids apart, whatever a file holds
		echo "INSERT INTO main.staff(id, school_id, state, created, updated) SELECT id + $off, 1, state, created, updated FROM src$k.staff;" >> "$sql"
		for t in $tables review signature explanation; do
			echo "INSERT INTO main.\"$t\"(staff_id, ${C[$t]}) SELECT staff_id + $off, ${C[$t]} FROM src$k.\"$t\" ORDER BY rowid;" >> "$sql"
		done
	done
	echo "COMMIT;" >> "$sql"
	for ((k = 0; k < 10 && b + k < N; k++)); do echo "DETACH src$k;" >> "$sql"; done
done
/usr/bin/time -f "floor: sqlite3 shell copies the same rows of $N files: wall=%es user=%Us sys=%Ss maxrss=%MKB" sqlite3 "$W/floor.db" < "$sql"
