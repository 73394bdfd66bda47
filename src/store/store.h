/* store.h — the SQLite file: identity, version, schema generated from the
 * definitions, and the pragmas that make a power cut lose at most the value
 * being typed.  No curses.
 *
 * Layout (docs/design.md §store): fixed tables meta, school, staff,
 * explanation (why a warning of the checks is acceptable, since version 2),
 * signature (sheets returned signed, since version 3); one table
 * s_<set> per information set with one column per field of any template
 * (the union), TEXT except integer/year (INTEGER) and decimal (NUMERIC).
 * One-record sets are keyed by staff_id; many-record sets have their own id
 * and a seq for entry order.  A temp table `code` mirrors the code tables
 * for choice_filter. */
#ifndef JZG_STORE_H
#define JZG_STORE_H

#include <sqlite3.h>

#include "defs.h"
#include "sqlfn.h"
#include "status.h"

#define STORE_APPLICATION_ID 0x4A5A4731   /* "JZG1" */
#define STORE_SCHEMA_VERSION 9            /* fixed tables; bump with a migration step */
/* printf format (person set name) of the index that covers the staff list's
 * columns (settings person_name, person_id, person_no) by staff_id: the
 * list sorts and searches a school's people in it instead of in the wide
 * rows of the person set (docs/client.md §6). */
#define STORE_LIST_INDEX "s_%s__list"

struct store {
	sqlite3           *db;
	char              *path;
	const struct defs *defs;    /* not owned; must outlive the store */
	struct sqlfn_ctx   fn;
	void              *audit;  /* the trail's session (audit.c); freed with db */
	void              *trust;  /* the chain's session (trust.c) */
	void             (*trust_done)(struct store *st);  /* frees it, before the connection closes */
	int                opened_version;  /* the file's schema version before this open (0: new) */
	struct store_cache *cache; /* store_cached's statements; owned */
};

enum store_flags {
	STORE_CREATE   = 1,  /* create the file when missing */
	STORE_READONLY = 2   /* open read-only, change nothing (inspection, merge source) */
};

/* Open (and create, with STORE_CREATE) the store at path (":memory:" works).
 * A file of another program, a damaged file or one written by a newer jzg
 * is refused with a Chinese cause, unchanged.  Adds tables and columns the
 * definitions have and the file lacks (never drops any).  Caller frees the
 * store with store_close and *cause with free.  The connection must not be
 * used by two threads at once (it takes no lock of its own: a thread that
 * needs the file in parallel opens its own store).
 *
 * A store opened for writing comes guarded: every change to the file is
 * refused (SQLITE_AUTH) until the audit trail is armed, so that no path
 * can write outside the trail by forgetting it.  Programs open through
 * audit_open (audit.h), which arms it; only a read-only connection or a
 * schema-only scratch store (lint) uses store_open directly. */
enum jzg_status store_open(const char *path, const struct defs *defs, unsigned flags,
    struct store **out, char **cause);
void store_close(struct store *st);
/* Refuse (on = 1) or allow (0) changes to the file; for audit.c, which
 * lifts the guard once its triggers exist. */
void store_guard(struct store *st, int on);

/* Run sql (no result rows) with a Chinese cause on failure. */
enum jzg_status store_exec(struct store *st, const char *sql, char **cause);
/* Prepare or fail with a cause naming the SQLite error. */
enum jzg_status store_prepare(struct store *st, const char *sql, sqlite3_stmt **out, char **cause);
/* A prepared statement for sql kept for reuse (reset, bindings cleared):
 * the statements of a field being stored fire the audit triggers, whose
 * programs SQLite compiles into every statement prepared, so preparing
 * them anew on each key costs milliseconds.  The store owns the statement:
 * the caller steps it, then calls sqlite3_reset, never finalize; it stays
 * valid until the next store_cached with other SQL may evict it. */
enum jzg_status store_cached(struct store *st, const char *sql, sqlite3_stmt **out, char **cause);
/* The first column of sql's first row as an int in *out (0 when there is
 * no row or the statement fails); returns the SQLite result. */
int store_int(sqlite3 *db, const char *sql, int *out);
/* A Chinese explanation of an SQLite result code (static). */
const char *store_errstr(int rc);

/* Every "s_table.column" and "b_table.column" (the baseline's, column in lower case) of one schema of db
 * ("main", or an attached file), sorted for store_colset_has.  Load returns
 * the SQLite result (SQLITE_CORRUPT for a damaged schema). */
struct store_colset {
	char  **name;
	size_t  n;
};

int store_colset_load(sqlite3 *db, const char *schema, struct store_colset *cs);
int store_colset_has(const struct store_colset *cs, const char *table, const char *col);
void store_colset_free(struct store_colset *cs);

/* Refuse (JZG_ERR_INVALID, a Chinese cause naming field, code and count)
 * when tables prefix<set> ("s_" or "b_"), rows where (NULL: all), hold a
 * code forms/renames.tsv split after definitions version from: only a
 * person can choose among the new codes (migrate.h). */
enum jzg_status store_check_splits(struct store *st, const char *prefix, int from, const char *where,
    char **cause);

/* SQL column type of a field. */
const char *store_affinity(const struct field_def *f);

#endif
