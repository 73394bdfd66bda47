/* test_signature.c — the check code and the stale-signature rule, through
 * the library (record_set is how the client changes a value). */
#include "helpers.h"

#include "demo.h"
#include "pview.h"
#include "record.h"
#include "school.h"
#include "sheet.h"
#include "signature.h"

static struct defs *defs;
static struct store *st;

static int
setup(void **state)
{
	char *cause = NULL;
	sqlite3_int64 sid;

	(void)state;
	defs = load_shipped_defs();
	assert_int_equal(audit_open(":memory:", defs, STORE_CREATE, &st, &cause), JZG_OK);
	assert_int_equal(school_add(st, "2143012345", "测试县第一小学", "zxx", &sid, &cause), JZG_OK);
	assert_int_equal(demo_fill(st, sid, 3, 7, &cause), JZG_OK);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	store_close(st);
	defs_free(defs);
	return 0;
}

static enum signature_state
state_of(sqlite3_int64 id)
{
	enum signature_state s;
	char *cause = NULL;

	assert_int_equal(signature_state(st, id, &s, &cause), JZG_OK);
	return s;
}

static void
set_jbxx(sqlite3_int64 id, const char *field, const char *value)
{
	const struct set_def *s = defs_set(defs->all, defs->nall, "jbxx");
	char *cause = NULL;

	assert_int_equal(record_set(st, s, id, set_field(s, field), value, &cause), JZG_OK);
}

static void
test_code_shape(void **state)
{
	char a[SIGNATURE_CODE_LEN + 1], b[SIGNATURE_CODE_LEN + 1], *cause = NULL;

	(void)state;
	assert_int_equal(signature_current(st, 1, a, &cause), JZG_OK);
	assert_int_equal(strlen(a), 8);
	assert_int_equal(strspn(a, "0123456789ABCDEFGHJKMNPQRSTVWXYZ"), 8);
	assert_int_equal(signature_current(st, 1, b, &cause), JZG_OK);
	assert_string_equal(a, b);                       /* a function of the data */
	assert_int_equal(signature_current(st, 2, b, &cause), JZG_OK);
	assert_string_not_equal(a, b);                   /* people differ */
}

static void
test_stale_rule(void **state)
{
	char code[SIGNATURE_CODE_LEN + 1], old[SIGNATURE_CODE_LEN + 1], *cause = NULL;
	struct signature_rec rec;
	char *name;

	(void)state;
	assert_int_equal(state_of(1), SIGNATURE_NONE);
	assert_int_equal(signature_mark(st, 1, "2026-11-20", NULL, code, &cause), JZG_OK);
	assert_int_equal(state_of(1), SIGNATURE_SIGNED);
	assert_int_equal(signature_last(st, 1, &rec, &cause), JZG_OK);
	assert_string_equal(rec.code, code);
	assert_string_equal(rec.signed_on, "2026-11-20");
	assert_int_equal(state_of(2), SIGNATURE_NONE);   /* others untouched */

	/* change a value: stale; the code changes with it */
	name = xstrdup((const char *)"");
	{
		sqlite3_stmt *s;

		sqlite3_prepare_v2(st->db, "SELECT coalesce(CYM, '') FROM s_jbxx WHERE staff_id = 1", -1, &s, NULL);
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		free(name);
		name = xstrdup((const char *)sqlite3_column_text(s, 0));
		sqlite3_finalize(s);
	}
	set_jbxx(1, "CYM", "改过的曾用名");
	assert_int_equal(state_of(1), SIGNATURE_STALE);
	assert_int_equal(signature_current(st, 1, old, &cause), JZG_OK);
	assert_string_not_equal(old, code);
	/* the sheet signed earlier does not fit the data any more */
	assert_int_equal(signature_mark(st, 1, NULL, code, NULL, &cause), JZG_ERR_INVALID);
	assert_non_null(strstr(cause, "打印后数据已修改"));
	free(cause);
	cause = NULL;
	/* a change in a many-record set counts too */
	set_jbxx(1, "CYM", name);
	assert_int_equal(state_of(1), SIGNATURE_SIGNED);  /* undone: paper fits again */
	assert_int_equal(store_exec(st, "UPDATE s_xxjl SET SXZY = 'x' || SXZY WHERE id = "
	    "(SELECT min(id) FROM s_xxjl WHERE staff_id = 1)", &cause), JZG_OK);
	assert_int_equal(state_of(1), SIGNATURE_STALE);
	/* signing the new sheet makes it current again */
	assert_int_equal(signature_mark(st, 1, "2026-11-22", NULL, NULL, &cause), JZG_OK);
	assert_int_equal(state_of(1), SIGNATURE_SIGNED);
	assert_int_equal(q_int(st, "SELECT count(*) FROM signature WHERE staff_id = 1"), 2);
	free(name);
}

static void
test_dates(void **state)
{
	char *cause = NULL;

	(void)state;
	assert_int_equal(signature_mark(st, 3, "2026-11-23", NULL, NULL, &cause), JZG_ERR_INVALID);
	free(cause);
	cause = NULL;
	assert_int_equal(signature_mark(st, 3, "2025-02-29", NULL, NULL, &cause), JZG_ERR_INVALID);
	free(cause);
	cause = NULL;
	assert_int_equal(signature_mark(st, 3, "2024-02-29", NULL, NULL, &cause), JZG_OK);
	assert_int_equal(signature_mark(st, 99, NULL, NULL, NULL, &cause), JZG_ERR_NOTFOUND);
	free(cause);
}

static void
test_display(void **state)
{
	const struct set_def *s = defs_set(defs->all, defs->nall, "jbxx");
	char *v;

	(void)state;
	v = pview_display(set_field(s, "XBM"), "2");
	assert_string_equal(v, "女");
	free(v);
	v = pview_display(set_field(s, "XBM"), "7");      /* not in the table: the code itself */
	assert_string_equal(v, "7");
	free(v);
	assert_null(pview_display(set_field(s, "XBM"), ""));
}

/* A writer on another connection, at every person of a batch print. */
struct writer {
	sqlite3 *db;
	int      ok, busy;
};

static void
write_now(void *arg, unsigned long long done, unsigned long long total)
{
	struct writer *w = arg;

	(void)done;
	(void)total;
	if (sqlite3_exec(w->db, "INSERT INTO zz VALUES (1)", NULL, NULL, NULL) == SQLITE_OK)
		w->ok++;
	else
		w->busy++;
}

/* A batch print reads people in short read transactions, so another
 * program can write to the file while it draws: the writer here waits for
 * nothing (no busy timeout) and is never refused.  (Reading the whole
 * batch in one transaction locked the file for the batch.) */
static void
test_batch_lets_writers_in(void **state)
{
	char dir[] = "/tmp/jzg-sheet-XXXXXX", *path, *out, *cause = NULL;
	struct store *fst;
	sqlite3_int64 sid, ids[3];
	struct writer w = { 0 };
	struct progress pg = { write_now, &w };
	struct sheet_opts so = { 0, &pg };
	struct sheet_result res;
	sqlite3_stmt *q;
	size_t n = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/s.db", dir);
	out = xasprintf("%s/s.pdf", dir);
	assert_int_equal(audit_open(path, defs, STORE_CREATE, &fst, &cause), JZG_OK);
	assert_int_equal(school_add(fst, "2143012345", "测试县第一小学", "zxx", &sid, &cause), JZG_OK);
	assert_int_equal(demo_fill(fst, sid, 3, 7, &cause), JZG_OK);
	assert_int_equal(sqlite3_prepare_v2(fst->db, "SELECT id FROM staff ORDER BY id", -1, &q, NULL), SQLITE_OK);
	while (sqlite3_step(q) == SQLITE_ROW && n < 3)
		ids[n++] = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	assert_int_equal(n, 3);
	assert_int_equal(sqlite3_open(path, &w.db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(w.db, "CREATE TABLE zz (x)", NULL, NULL, NULL), SQLITE_OK);
	setenv("JZG_SHEET_THREADS", "1", 1);   /* the writer runs between people, never beside a read */
	assert_int_equal(sheet_print(fst, ids, n, out, &so, &res, &cause), JZG_OK);
	unsetenv("JZG_SHEET_THREADS");
	assert_int_equal(res.people, 3);
	assert_int_equal(w.busy, 0);
	assert_int_equal(w.ok, 3);
	sqlite3_close(w.db);
	store_close(fst);
	rm_tree(dir);
	free(path);
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_code_shape),
		cmocka_unit_test(test_stale_rule),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_display),
		cmocka_unit_test(test_batch_lets_writers_in),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
