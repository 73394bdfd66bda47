/* test_entry.c — the one write path (entry.h): one value with its cascade,
 * and a whole record held in memory built as the client would build it. */
#include "helpers.h"

#include "audit.h"
#include "demo.h"
#include "entry.h"
#include "import_recalc.h"
#include "record.h"
#include "school.h"

static struct defs *defs;
static struct store *st;
static sqlite3_int64 school;

static int
setup(void **state)
{
	char *cause = NULL;

	(void)state;
	defs = load_shipped_defs();
	assert_int_equal(audit_open(":memory:", defs, STORE_CREATE, &st, &cause), JZG_OK);
	assert_int_equal(school_add(st, "2143012345", "测试县第一小学", "zxx", &school, &cause), JZG_OK);
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

/* A set as the template holds it (entry takes the template's sets). */
static const struct set_def *
set(const char *name)
{
	const struct template_def *t = defs_template(defs, "zxx");

	return defs_set(t->set, t->nset, name);
}

static char *
value(const char *sql)
{
	sqlite3_stmt *ps;
	char *out = NULL;

	assert_int_equal(sqlite3_prepare_v2(st->db, sql, -1, &ps, NULL), SQLITE_OK);
	if (sqlite3_step(ps) == SQLITE_ROW && sqlite3_column_type(ps, 0) != SQLITE_NULL)
		out = xstrdup((const char *)sqlite3_column_text(ps, 0));
	sqlite3_finalize(ps);
	return out;
}

static void
expect(const char *sql, const char *want)
{
	char *got = value(sql);

	if (want == NULL)
		assert_null(got);
	else {
		assert_non_null(got);
		assert_string_equal(got, want);
	}
	free(got);
}

static sqlite3_int64
new_person(void)
{
	sqlite3_int64 id;
	char *cause = NULL;

	assert_int_equal(record_new_staff(st, school, defs_template(defs, "zxx"), &id, &cause), JZG_OK);
	return id;
}

/* The client's path: a typed ID is normalised and derives 出生日期 and 性别;
 * 国籍 840 clears 民族 (no longer relevant); the change is stamped. */
static void
test_set_cascade(void **state)
{
	const struct set_def *s = set("jbxx");
	sqlite3_int64 id = new_person();
	struct entry *e;
	char *cause = NULL, sql[160];

	(void)state;
	assert_int_equal(sqlite3_exec(st->db, "UPDATE staff SET updated = '2000-01-01'", NULL, NULL, NULL), SQLITE_OK);
	assert_non_null(e = entry_new(st, id));
	assert_ptr_equal(e->tpl, entry_template(st, id));
	assert_int_equal(entry_set_typed(e, s, id, set_field(s, "SFZJH"), "１１０１０５19491231002x", &cause), JZG_OK);
	snprintf(sql, sizeof sql, "SELECT SFZJH || ' ' || CSRQ || ' ' || XBM || ' ' || MZM FROM s_jbxx WHERE staff_id = %lld",
	    (long long)id);
	expect(sql, "11010519491231002X 1949-12-31 2 01");
	assert_int_equal(entry_set(e, s, id, set_field(s, "GJDQM"), "840", &cause), JZG_OK);
	snprintf(sql, sizeof sql, "SELECT coalesce(MZM, '-') || coalesce(ZZMMM, '-') FROM s_jbxx WHERE staff_id = %lld",
	    (long long)id);
	expect(sql, "--");
	snprintf(sql, sizeof sql, "SELECT updated > '2000-01-01' FROM staff WHERE id = %lld", (long long)id);
	expect(sql, "1");
	/* the derived value went through the audit triggers like the typed one */
	snprintf(sql, sizeof sql, "SELECT new FROM audit WHERE staff_id = %lld AND field = 'CSRQ'", (long long)id);
	expect(sql, "1949-12-31");
	/* a refused value leaves the record as it was */
	assert_int_not_equal(entry_set(e, s, id + 1000, set_field(s, "XM"), "无此人", &cause), JZG_OK);
	free(cause);
	cause = NULL;
	/* text with a control character or invalid UTF-8 never enters (text.h),
	 * whichever path (client, import) brings it */
	assert_int_equal(entry_set(e, s, id, set_field(s, "XM"), "张\x1b[2J三", &cause), JZG_ERR_INVALID);
	assert_string_equal(cause, "姓名含有 Esc 控制字符，未保存");
	free(cause);
	cause = NULL;
	assert_int_equal(entry_set_typed(e, s, id, set_field(s, "XM"), "张\xff", &cause), JZG_ERR_INVALID);
	free(cause);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM s_jbxx WHERE staff_id = %lld AND XM LIKE '张%%'", (long long)id);
	expect(sql, "0");
	entry_free(e);
}

/* A whole record in memory: defaults for a new person's empty cells, the
 * calculate fields where empty, filled values that are not relevant
 * dropped, given values never changed. */
static void
test_row_fill(void **state)
{
	const struct set_def *s = set("jbxx");
	struct entry_row *r;
	char **val = xcalloc(s->nfield, sizeof *val), *cause = NULL;
	int id = set_field_index(s, "SFZJH"), csrq = set_field_index(s, "CSRQ"), xb = set_field_index(s, "XBM"),
	    gj = set_field_index(s, "GJDQM"), mz = set_field_index(s, "MZM"), cym = set_field_index(s, "CYM"),
	    lx = set_field_index(s, "SFZJLXM"), zb = set_field_index(s, "SFZBM"), ht = set_field_index(s, "QDHTQKM"),
	    yr = set_field_index(s, "YRXSM");

	(void)state;
	assert_int_equal(entry_row_new(st, s, &r, &cause), JZG_OK);
	val[id] = xstrdup("11010519800905120X");
	val[gj] = xstrdup("840");
	val[zb] = xstrdup("1");
	val[yr] = xstrdup("1");          /* given, though not relevant: kept for the checks */
	entry_row_fill(r, val, 1, 1);
	assert_string_equal(val[lx], "1");          /* default */
	assert_string_equal(val[cym], "无");        /* default */
	assert_string_equal(val[csrq], "1980-09-05");
	assert_string_equal(val[xb], "2");
	assert_null(val[mz]);                       /* default 01 dropped: 国籍 840 */
	assert_string_equal(val[ht], "1");          /* calculate from 是否在编 */
	assert_string_equal(val[yr], "1");
	for (size_t j = 0; j < s->nfield; j++) {
		free(val[j]);
		val[j] = NULL;
	}
	/* a person already in the store: no defaults, derived values still */
	val[id] = xstrdup("11010519800905120X");
	val[lx] = xstrdup("1");
	val[csrq] = xstrdup("1980-09-06");          /* given: wins */
	entry_row_fill(r, val, 1, 0);
	assert_null(val[cym]);
	assert_string_equal(val[csrq], "1980-09-06");
	assert_string_equal(val[xb], "2");
	for (size_t j = 0; j < s->nfield; j++)
		free(val[j]);
	free(val);
	entry_row_free(r);
}

/* Records: added with defaults, listed, deleted with the derived values
 * recomputed; a person deleted with every record. */
static void
test_records(void **state)
{
	const struct set_def *x = set("xxjl");
	sqlite3_int64 id = new_person(), rec, *ids;
	struct entry *e = entry_new(st, id);
	char **vals, *cause = NULL, sql[160];
	int n;

	(void)state;
	assert_int_equal(entry_add(e, x, &rec, &cause), JZG_OK);
	assert_int_equal(entry_set(e, x, rec, set_field(x, "HDXLM"), "21", &cause), JZG_OK);
	snprintf(sql, sizeof sql, "SELECT ZGXLM FROM s_jbxx WHERE staff_id = %lld", (long long)id);
	expect(sql, "21");
	n = entry_records(e, x, 4, &ids, &vals);
	assert_int_equal(n, 1);
	assert_int_equal(ids[0], rec);
	assert_string_equal(vals[0], "21");
	assert_string_equal(vals[1], "156");       /* default */
	for (int i = 0; i < n * 4; i++)
		free(vals[i]);
	free(vals);
	free(ids);
	assert_int_equal(entry_delete(e, x, rec, &cause), JZG_OK);
	expect(sql, NULL);                          /* no 学习经历 left: nothing to derive */
	entry_free(e);
	assert_int_equal(entry_delete_person(st, id, &cause), JZG_OK);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM s_jbxx WHERE staff_id = %lld", (long long)id);
	expect(sql, "0");
	assert_null(entry_template(st, id));
}

/* Every derived (readonly + calculate) field of tpl's sets, for every
 * stored row, as one text. */
static char *
derived_values(const struct template_def *tpl)
{
	struct strbuf sql = { 0 };
	char *out;

	strbuf_adds(&sql, "SELECT ''");
	for (size_t i = 0; i < tpl->nset; i++)
		for (size_t j = 0; j < tpl->set[i].nfield; j++) {
			const struct field_def *f = &tpl->set[i].field[j];

			if (f->readonly && f->v[FC_CALCULATE] != NULL)
				strbuf_addf(&sql, " || (SELECT group_concat(staff_id || ':' || coalesce(\"%s\", '-'), ' ') FROM"
				    " (SELECT staff_id, \"%s\" FROM \"s_%s\" ORDER BY staff_id, rowid)) || '|'", f->v[FC_NAME],
				    f->v[FC_NAME], tpl->set[i].v[SC_NAME]);
		}
	out = value(sql.s);
	strbuf_free(&sql);
	return out;
}

/* Import's last step (import_recalc) in slices of a few people gives every
 * person the derived values one pass over all of them gives, and stamps
 * every one's updated: no one at a slice's edge is left out. */
static void
test_import_recalc(void **state)
{
	const struct template_def *tpl = defs_template(defs, "zxx");
	char *cause = NULL, *want, *got;
	struct strbuf garble = { 0 };
	size_t per[] = { 1, 3, 5, 1000 };

	(void)state;
	assert_int_equal(demo_fill(st, school, 11, 7, &cause), JZG_OK);
	assert_int_equal(store_exec(st, "CREATE TEMP TABLE imp_ids(staff_id INTEGER PRIMARY KEY);"
	    "INSERT INTO imp_ids SELECT id FROM staff WHERE school_id = 1", &cause), JZG_OK);
	want = derived_values(tpl);
	assert_non_null(strstr(want, ":"));
	for (size_t i = 0; i < tpl->nset; i++)
		for (size_t j = 0; j < tpl->set[i].nfield; j++)
			if (tpl->set[i].field[j].readonly && tpl->set[i].field[j].v[FC_CALCULATE] != NULL)
				strbuf_addf(&garble, "UPDATE \"s_%s\" SET \"%s\" = 'x';", tpl->set[i].v[SC_NAME],
				    tpl->set[i].field[j].v[FC_NAME]);
	assert_true(garble.len > 0);
	for (size_t k = 0; k < sizeof per / sizeof *per; k++) {
		assert_int_equal(store_exec(st, garble.s, &cause), JZG_OK);
		assert_int_equal(store_exec(st, "UPDATE staff SET updated = 'old'", &cause), JZG_OK);
		assert_int_equal(import_recalc(st, tpl, "temp.imp_ids", per[k], &cause), JZG_OK);
		got = derived_values(tpl);
		assert_string_equal(got, want);
		free(got);
		expect("SELECT count(*) FROM staff WHERE updated = 'old'", "0");
	}
	strbuf_free(&garble);
	free(want);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_cascade),
		cmocka_unit_test(test_row_fill),
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_import_recalc),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
