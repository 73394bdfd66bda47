/* test_prior.c — the client's marks against last year's data (issue 19
 * item 4) through the library: a file frozen as its own baseline, then a
 * changed value, an added record and a removed one keyed through the one
 * write path; prior.h must name exactly those (last year's value, the new
 * record, the gone record by its key), follow each change, say a new person
 * is new, and prior_people must pick exactly the people changed. */
#include "helpers.h"

#include "baseline.h"
#include "demo.h"
#include "entry.h"
#include "prior.h"
#include "record.h"
#include "school.h"

static struct defs *defs;
static struct store *st;
static char dir[] = "/tmp/jzg_prior_XXXXXX";
static sqlite3_int64 sid, sid2;

static int
setup(void **state)
{
	char *cause = NULL, *p;
	struct baseline_opts o = { .label = "2025年" };
	struct baseline_result r;

	(void)state;
	assert_non_null(mkdtemp(dir));
	defs = load_shipped_defs();
	p = xasprintf("%s/p.db", dir);
	assert_int_equal(audit_open(p, defs, STORE_CREATE, &st, &cause), JZG_OK);
	assert_int_equal(school_add(st, "2143012345", "测试县第一小学", "zxx", &sid, &cause), JZG_OK);
	assert_int_equal(school_add(st, "2143012346", "测试县第二小学", "zxx", &sid2, &cause), JZG_OK);
	audit_enable(st, 0);
	assert_int_equal(demo_fill(st, sid, 4, 11, &cause), JZG_OK);
	assert_int_equal(demo_fill(st, sid2, 1, 12, &cause), JZG_OK);
	audit_enable(st, 1);
	/* this very file frozen as last year's, for the first school only */
	o.school = "2143012345";
	assert_int_equal(baseline_set(st, p, &o, &r, &cause), JZG_OK);
	assert_int_equal(r.people, 4);
	free(p);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	store_close(st);
	defs_free(defs);
	rm_tree(dir);
	return 0;
}

/* Index of set name in the person's template. */
static size_t
set_index(const struct template_def *tpl, const char *name)
{
	for (size_t k = 0; k < tpl->nset; k++)
		if (str_eq(tpl->set[k].v[SC_NAME], name))
			return k;
	fail();
	return 0;
}

static void
test_marks(void **state)
{
	struct entry *e = entry_new(st, 1);
	const struct template_def *tpl = e->tpl;
	size_t kj = set_index(tpl, "jbxx"), kx = set_index(tpl, "xxjl"), kg = set_index(tpl, "gzjl");
	const struct set_def *jbxx = &tpl->set[kj], *xxjl = &tpl->set[kx], *gzjl = &tpl->set[kg];
	int jg = set_field_index(jbxx, "JG");
	struct prior *m = NULL;
	char *cause = NULL, *said, *old = NULL, **val = NULL;
	unsigned char *locked;
	char *const *gone;
	sqlite3_int64 rec, *ids = NULL, gone_id;
	int n;

	(void)state;
	assert_int_equal(prior_new(st, tpl, 1, &m, &cause), JZG_OK);
	assert_non_null(m);
	assert_string_equal(prior_label(m), "2025年");
	assert_false(prior_person_new(m));
	/* nothing changed yet: no mark anywhere */
	for (size_t k = 0; k < tpl->nset; k++)
		assert_false(prior_set_changed(m, k));
	assert_false(prior_changed(m));
	assert_null(prior_value(m, kj, 1, (size_t)jg));
	said = prior_describe(m, kj, 1, jg);
	assert_string_equal(said, "籍贯与去年（2025年）相同");
	free(said);

	/* a changed value: marked with last year's value, as printed */
	val = xcalloc(jbxx->nfield + 1, sizeof *val);
	locked = xcalloc(jbxx->nfield + 1, 1);
	assert_int_equal(entry_load(e, jbxx, 1, val, locked), 0);
	assert_non_null(val[jg]);
	old = xstrdup(val[jg]);
	for (size_t j = 0; j < jbxx->nfield; j++)
		free(val[j]);
	free(val);
	free(locked);
	assert_int_equal(entry_set(e, jbxx, 1, &jbxx->field[jg], "测试省新县", &cause), JZG_OK);
	assert_null(prior_value(m, kj, 1, (size_t)jg));   /* not until loaded again */
	assert_int_equal(prior_load(m, &cause), JZG_OK);
	assert_string_equal(prior_value(m, kj, 1, (size_t)jg), old);
	assert_int_equal(prior_record_changed(m, kj, 1), 1);
	assert_true(prior_set_changed(m, kj));
	assert_true(prior_changed(m));
	said = prior_describe(m, kj, 1, jg);
	{
		char *want = xasprintf("去年（2025年）籍贯：%s", old);

		assert_string_equal(said, want);
		free(want);
	}
	free(said);
	/* set back: the mark goes */
	assert_int_equal(entry_set(e, jbxx, 1, &jbxx->field[jg], old, &cause), JZG_OK);
	assert_int_equal(prior_load(m, &cause), JZG_OK);
	assert_null(prior_value(m, kj, 1, (size_t)jg));
	assert_false(prior_set_changed(m, kj));
	assert_false(prior_changed(m));

	/* an added degree: one new record, none of the others marked */
	assert_int_equal(entry_add(e, xxjl, &rec, &cause), JZG_OK);
	assert_int_equal(entry_set(e, xxjl, rec, set_field(xxjl, "RXNY"), "2024-09", &cause), JZG_OK);
	assert_int_equal(entry_set(e, xxjl, rec, set_field(xxjl, "HDXLM"), "14", &cause), JZG_OK);
	assert_int_equal(prior_load(m, &cause), JZG_OK);
	assert_true(prior_record_new(m, kx, rec));
	assert_null(prior_value(m, kx, rec, 0));   /* a new record's values are not "changed" */
	n = entry_records(e, xxjl, 1, &ids, &val);
	for (int i = 0; i < n; i++) {
		if (ids[i] != rec) {
			assert_false(prior_record_new(m, kx, ids[i]));
			assert_int_equal(prior_record_changed(m, kx, ids[i]), 0);
		}
		free(val[i]);
	}
	free(ids);
	free(val);
	said = prior_describe(m, kx, rec, -1);
	assert_non_null(strstr(said, "今年新增"));
	free(said);
	said = prior_describe(m, kx, 0, -1);
	assert_string_equal(said, "学习经历与去年（2025年）相比：今年新增 1 条");
	free(said);

	/* a removed record: named by its key, in the set's description */
	n = entry_records(e, gzjl, 1, &ids, &val);
	assert_true(n > 0);
	gone_id = ids[0];
	for (int i = 0; i < n; i++)
		free(val[i]);
	free(ids);
	free(val);
	assert_int_equal(prior_gone(m, kg, &gone), 0);
	assert_int_equal(entry_delete(e, gzjl, gone_id, &cause), JZG_OK);
	assert_int_equal(prior_load(m, &cause), JZG_OK);
	assert_int_equal(prior_gone(m, kg, &gone), 1);
	assert_true(strlen(gone[0]) > 0);
	assert_true(prior_set_changed(m, kg));
	said = prior_describe(m, kg, 0, -1);
	assert_non_null(strstr(said, "去年有、今年没有的工作经历记录 1 条："));
	assert_non_null(strstr(said, gone[0]));
	free(said);
	prior_free(m);
	entry_free(e);
	free(old);
}

static void
test_new_person_and_school(void **state)
{
	const struct template_def *tpl = entry_template(st, 1);
	sqlite3_int64 id, *ids = NULL;
	struct prior *m = NULL;
	char *cause = NULL, *said, *label;
	size_t n = 0;
	long added = -1, gone = -1;

	(void)state;
	assert_int_equal(record_new_staff(st, sid, tpl, &id, &cause), JZG_OK);
	assert_int_equal(prior_new(st, tpl, id, &m, &cause), JZG_OK);
	assert_non_null(m);
	assert_true(prior_person_new(m));
	assert_true(prior_changed(m));
	said = prior_describe(m, 0, id, 0);
	assert_string_equal(said, "此人是今年新增的：去年（2025年）的数据中没有此人");
	free(said);
	prior_free(m);

	/* the staff list's 有变化: person 1 (a degree added, a job removed)
	 * and the new person, nobody else */
	assert_int_equal(prior_people(st, "2143012345", &ids, &n, &added, &gone, &cause), JZG_OK);
	assert_int_equal(n, 2);
	assert_int_equal(ids[0], 1);
	assert_int_equal(ids[1], id);
	assert_int_equal(added, 1);
	assert_int_equal(gone, 0);
	free(ids);

	/* a school without a baseline: nothing to mark, nobody picked */
	label = prior_school_label(st, "2143012346");
	assert_null(label);
	label = prior_school_label(st, "2143012345");
	assert_string_equal(label, "2025年");
	free(label);
	assert_int_equal(prior_new(st, tpl, 5, &m, &cause), JZG_OK);
	assert_null(m);
	assert_int_equal(prior_people(st, "2143012346", &ids, &n, NULL, NULL, &cause), JZG_OK);
	assert_int_equal(n, 0);
	free(ids);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_marks),
		cmocka_unit_test(test_new_person_and_school),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
