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
#define STORE_SCHEMA_VERSION 4            /* fixed tables; bump with a migration step */

struct store {
	sqlite3           *db;
	char              *path;
	const struct defs *defs;    /* not owned; must outlive the store */
	struct sqlfn_ctx   fn;
	void              *audit;  /* audit.c session (who, path); freed with db */
};

enum store_flags {
	STORE_CREATE   = 1,  /* create the file when missing */
	STORE_READONLY = 2   /* open read-only, change nothing (inspection, merge source) */
};

/* Open (and create, with STORE_CREATE) the store at path (":memory:" works).
 * A file of another program, a damaged file or one written by a newer jzg
 * is refused with a Chinese cause, unchanged.  Adds tables and columns the
 * definitions have and the file lacks (never drops any).  Caller frees the
 * store with store_close and *cause with free. */
enum jzg_status store_open(const char *path, const struct defs *defs, unsigned flags,
    struct store **out, char **cause);
void store_close(struct store *st);

/* Run sql (no result rows) with a Chinese cause on failure. */
enum jzg_status store_exec(struct store *st, const char *sql, char **cause);
/* Prepare or fail with a cause naming the SQLite error. */
enum jzg_status store_prepare(struct store *st, const char *sql, sqlite3_stmt **out, char **cause);
/* A Chinese explanation of an SQLite result code (static). */
const char *store_errstr(int rc);

/* SQL column type of a field. */
const char *store_affinity(const struct field_def *f);

#endif
