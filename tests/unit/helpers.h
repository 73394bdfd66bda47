/* helpers.h — shared by the unit tests: the shipped definitions, loaded once. */
#ifndef JZG_TEST_HELPERS_H
#define JZG_TEST_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "defs.h"
#include "lint.h"
#include "paths.h"
#include "audit.h"
#include "store.h"
#include "util.h"

static inline struct defs *
load_shipped_defs(void)
{
	struct diag d = { 0 };
	struct defs *defs = NULL;
	char *cause = NULL, *forms = paths_forms_dir(), *data = paths_data_dir();
	enum jzg_status st = defs_load(forms, data, &defs, &d, &cause);

	if (st == JZG_OK)
		st = lint_expressions(defs, &d);
	diag_print(&d, stderr);
	assert_int_equal(st, JZG_OK);
	assert_null(cause);
	diag_free(&d);
	free(forms);
	free(data);
	return defs;
}

/* A field of the shipped definitions, from the union of every template's
 * sets (defs->all). */
static inline const struct field_def *
shipped_field(const struct defs *defs, const char *set, const char *name)
{
	const struct set_def *s = defs_set(defs->all, defs->nall, set);

	assert_non_null(s);
	assert_non_null(set_field(s, name));
	return set_field(s, name);
}

/* Remove a test's temporary directory and all in it (kept when KEEP is
 * set, to look at after a failure). */
static inline void
rm_tree(const char *dir)
{
	char *cmd = xasprintf(getenv("KEEP") ? "true %s" : "rm -rf %s", dir);

	assert_int_equal(system(cmd), 0);
	free(cmd);
}

/* One integer from a query. */
static inline long long
q_int(struct store *st, const char *sql)
{
	sqlite3_stmt *s;
	long long v = -1;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		fprintf(stderr, "SQL error: %s\n%s\n", sqlite3_errmsg(st->db), sql);
		fail();
	}
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

#endif
