#!/usr/bin/env bash
# bench/check_same.sh BASE_BIN NEW_BIN [STAFF_PER_SCHOOL] — is `jzg check`
# byte-identical between two builds?  For refactors of the rules engine
# (docs/design.md "how to add a rule kind"): build the old main once
# (e.g. cp build/jzg /tmp/jzg-base before editing), then compare.
#
# The file: five schools (one per template) of demo staff, made by BASE_BIN
# and kept in /tmp/jzg_same_<N>.db (reused), with faults of every rule kind
# planted by SQL (as tests/e2e/check_parallel.sh does, plus dates before
# birth, bad ID numbers, copied ID numbers, missing one-record rows and
# missing many-record rows, out-of-range numbers and dates, bad, exclusive
# and unordered multi-select lists, an explanation or two).  Each run checks a fresh copy of it (check keeps a
# cache in the file), for every format (text, tsv, json), one and two
# threads (JZG_CHECK_THREADS), the whole file, one school (also in slices)
# and one person;
# the exit status must match too; and the SQL text each prepares (a shim
# preloaded for sqlite3_prepare_v2).  Prints one line per comparison and
# the size of each report; exits 1 when any differs.  Not a test: it needs two
# binaries.
set -euo pipefail
cd "$(dirname "$0")/.."
BASE=$(readlink -f "${1:?usage: bench/check_same.sh BASE_BIN NEW_BIN [STAFF_PER_SCHOOL]}")
NEW=$(readlink -f "${2:?usage: bench/check_same.sh BASE_BIN NEW_BIN [STAFF_PER_SCHOOL]}")
N=${3:-600}
export JZG_FORMS=$PWD/forms JZG_DATA=$PWD/data
export JZG_TODAY=${JZG_TODAY:-2026-11-22}
DB=${DB:-/tmp/jzg_same2_$N.db}
W=$(mktemp -d /tmp/jzg_same.XXXXXX)
trap 'rm -rf "$W"' EXIT

if [ ! -s "$DB" ]; then
	echo "building $DB (5 schools × $N staff, faults planted) …" >&2
	part=$W/part.db
	seed=1
	for s in zxx:2143010001 zz:3643010002 tj:5143010003 yey:1143010004 gx:4143010005; do
		"$BASE" --db "$part" school add --code "${s#*:}" --name "学校${seed}" --type "${s%%:*}" >/dev/null
		"$BASE" --db "$part" demo --staff "$N" --school "${s#*:}" --seed "$seed" >/dev/null
		seed=$((seed + 1))
	done
	# every 7th row of every set: junk in one column chosen by row id
	sql=""
	for t in $(sqlite3 "$part" "SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB 's_*'"); do
		n=$(sqlite3 "$part" "SELECT count(*) FROM pragma_table_info('$t') WHERE name NOT IN ('id', 'staff_id', 'seq')")
		i=0
		for c in $(sqlite3 "$part" "SELECT name FROM pragma_table_info('$t') WHERE name NOT IN ('id', 'staff_id', 'seq')"); do
			sql="$sql UPDATE \"$t\" SET \"$c\" = CASE (rowid / 7) % 10 WHEN 0 THEN NULL WHEN 1 THEN ''
				WHEN 2 THEN '2020-13' WHEN 3 THEN '99' WHEN 4 THEN '1900-01-01' WHEN 5 THEN '１'
				WHEN 6 THEN ' x' WHEN 7 THEN '01 99' WHEN 8 THEN 12345.678 ELSE '2023-02-29' END
				WHERE rowid % 7 = 0 AND (rowid / 7) % $n = $i;"
			i=$((i + 1))
		done
	done
	sql="$sql DELETE FROM s_ndkh WHERE id % 11 = 0; DELETE FROM s_xxjl WHERE id % 11 = 0;
		DELETE FROM s_jbxx WHERE staff_id % 97 = 0;
		INSERT INTO s_jbdy(staff_id, seq, ND, JBGZ) SELECT staff_id, seq + 100, ND, JBGZ FROM s_jbdy WHERE id % 13 = 0;
		UPDATE s_jbxx SET SFZJH = (SELECT o.SFZJH FROM s_jbxx o WHERE o.staff_id = s_jbxx.staff_id + 1) WHERE staff_id % 17 = 0;
		UPDATE s_jbxx SET SFZJH = substr(SFZJH, 1, 17) || 'Y' WHERE staff_id % 23 = 0;
		UPDATE s_jbxx SET SFZJH = lower(substr(SFZJH, 1, 6)) || 'x' WHERE staff_id % 29 = 0;
		UPDATE s_jbxx SET CSRQ = date(CSRQ, '+1 day') WHERE staff_id % 19 = 0 AND CSRQ GLOB '[0-9]*';
		UPDATE s_jbxx SET CSRQ = '2030-01-01' WHERE staff_id % 31 = 0;
		UPDATE s_xxjl SET RXNY = '1901-01' WHERE id % 37 = 0;
		UPDATE s_jbdy SET WXYJM = '0 1' WHERE id % 43 = 0;
		UPDATE s_jbdy SET WXYJM = '2 1' WHERE id % 47 = 0;
		UPDATE s_jbdy SET WXYJM = '1  2' WHERE id % 53 = 0;
		UPDATE s_jbxx SET ZZMMM = '13 01' WHERE staff_id % 59 = 0;
		UPDATE s_jbdy SET JBGZ = 1234567.5 WHERE id % 61 = 0;
		UPDATE s_jbdy SET QT = -3 WHERE id % 67 = 0;
		UPDATE s_jbdy SET ND = 1900 WHERE id % 71 = 0;
		UPDATE s_jbxx SET CSRQ = '1899-12-31' WHERE staff_id % 73 = 0;
		UPDATE s_jbxx SET XM = XM || XM || XM || XM || XM || XM || XM || XM || XM || XM WHERE staff_id % 41 = 0;
		INSERT OR REPLACE INTO explanation(staff_id, rule, set_name, row_key, reason)
		  SELECT staff_id, 'jbxx_csrq_idcard', 'jbxx', staff_id, '以档案为准' FROM s_jbxx WHERE staff_id % 38 = 0;"
	sqlite3 "$part" "$sql"
	mv "$part" "$DB"
fi

school=5143010003
staff=$(sqlite3 "$DB" "SELECT SFZJH FROM s_jbxx WHERE staff_id % 19 = 0 AND SFZJH GLOB '[0-9]*' LIMIT 1")
fail=0
run() {   # bin out threads args…
	local bin=$1 out=$2 th=$3
	shift 3
	cp "$DB" "$W/copy.db"
	rm -f "$W/copy.db-wal" "$W/copy.db-shm"
	JZG_CHECK_THREADS=$th "$bin" --db "$W/copy.db" check "$@" >"$out" 2>&1 && echo 0 >"$out.rc" || echo $? >"$out.rc"
}
# sliced: one school in slices of 50 persons (JZG_CHECK_SLICE, as import
# checks a school of more than 10,000), new binary only, one thread
for scope in all school staff sliced; do
	slice=
	case $scope in
	all) args=() ;;
	school) args=(--school "$school") ;;
	staff) args=(--staff "$staff") ;;
	sliced) args=(--school "$school") slice=50 ;;
	esac
	for f in text tsv json; do
		for th in 1 2; do
			[ -n "$slice" ] && [ "$th" = 2 ] && continue
			run "$BASE" "$W/base" "$th" "${args[@]}" --format "$f"
			JZG_CHECK_SLICE=$slice run "$NEW" "$W/new" "$th" "${args[@]}" --format "$f"
			lines=$(wc -l <"$W/base")
			if cmp -s "$W/base" "$W/new" && cmp -s "$W/base.rc" "$W/new.rc"; then
				echo "same      $scope $f threads=$th: $lines lines, $(wc -c <"$W/base") bytes, exit $(cat "$W/base.rc")"
			else
				echo "DIFFERENT $scope $f threads=$th (exit $(cat "$W/base.rc") vs $(cat "$W/new.rc"))"
				diff "$W/base" "$W/new" | head -10 || true
				fail=1
			fi
		done
	done
done

# The SQL each binary prepares (the compiled rules, the person look-ups …),
# one thread, whole file and one person: logged by a sqlite3_prepare_v2
# shim preloaded into both.
cat >"$W/sqllog.c" <<'SHIM'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sqlite3.h>

typedef int (*prepare_fn)(sqlite3 *, const char *, int, sqlite3_stmt **, const char **);

int
sqlite3_prepare_v2(sqlite3 *db, const char *sql, int n, sqlite3_stmt **ps, const char **tail)
{
	static prepare_fn real;
	FILE *f = fopen(getenv("SQLLOG"), "a");

	if (real == NULL)
		real = (prepare_fn)dlsym(RTLD_NEXT, "sqlite3_prepare_v2");
	if (f != NULL) {
		fprintf(f, "%.*s\n--\n", n < 0 ? 1 << 30 : n, sql);
		fclose(f);
	}
	return real(db, sql, n, ps, tail);
}
SHIM
cc -shared -fPIC -o "$W/sqllog.so" "$W/sqllog.c" -ldl
for scope in all staff; do
	case $scope in
	all) args=() ;;
	staff) args=(--staff "$staff") ;;
	esac
	for b in base new; do
		bin=$BASE
		[ $b = new ] && bin=$NEW
		rm -f "$W/$b.sql"
		SQLLOG=$W/$b.sql LD_PRELOAD=$W/sqllog.so run "$bin" "$W/$b" 1 "${args[@]}" --format tsv
	done
	if cmp -s "$W/base.sql" "$W/new.sql"; then
		echo "same      $scope SQL prepared: $(grep -c '^--$' "$W/base.sql") statements, $(wc -c <"$W/base.sql") bytes"
	else
		echo "DIFFERENT $scope SQL prepared"
		diff "$W/base.sql" "$W/new.sql" | head -10 || true
		fail=1
	fi
done
exit $fail
