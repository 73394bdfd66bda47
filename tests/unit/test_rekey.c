/* test_rekey.c — issue 20 through the library: the keyer found in the
 * audit trail, sampling stratified by keyer (and raised for a keyer above
 * the threshold), the separation rule refusing a keyer as verifier, what
 * is not keyed again, decisions changing values only through the one
 * write path and leaving discrepancies in the audit trail, and the person
 * verified once every field has been keyed twice. */
#include "helpers.h"

#include "demo.h"
#include "entry.h"
#include "rekey.h"
#include "school.h"

static struct defs *defs;
static struct store *st;
static char dir[] = "/tmp/jzg_rk_XXXXXX";
static sqlite3_int64 sid;

/* Person id types one value of jbxx as actor (the client's path). */
static void
key_value(const char *actor, sqlite3_int64 id, const char *field, const char *v)
{
	struct entry *e = entry_new(st, id);
	const struct set_def *s = template_person_set(defs, e->tpl);
	char *cause = NULL;

	audit_set(st, actor, 0, AUDIT_PATH_CLIENT);
	assert_int_equal(entry_set_typed(e, s, id, set_field(s, field), v, &cause), JZG_OK);
	entry_free(e);
}

static int
setup(void **state)
{
	char *cause = NULL, *p;

	(void)state;
	assert_non_null(mkdtemp(dir));
	defs = load_shipped_defs();
	p = xasprintf("%s/rk.db", dir);
	assert_int_equal(audit_open(p, defs, STORE_CREATE, &st, &cause), JZG_OK);
	free(p);
	assert_int_equal(school_add(st, "2143012345", "测试县第一小学", "zxx", &sid, &cause), JZG_OK);
	audit_enable(st, 0);
	assert_int_equal(demo_fill(st, sid, 6, 11, &cause), JZG_OK);
	audit_enable(st, 1);
	/* people 1–3 keyed by lu, 4–6 by wang (a value each is enough for
	 * the trail to name them) */
	for (sqlite3_int64 id = 1; id <= 6; id++)
		key_value(id <= 3 ? "lu" : "wang", id, "JG", id <= 3 ? "测试省甲县" : "测试省乙县");
	key_value("lu", 1, "XM", "张三");
	key_value("lu", 1, "HYZKM", "22");
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

static void
test_keyer(void **state)
{
	char *k = NULL, *cause = NULL;

	(void)state;
	assert_int_equal(rekey_keyer(st, 1, &k, &cause), JZG_OK);
	assert_string_equal(k, "lu");
	free(k);
	assert_int_equal(rekey_keyer(st, 5, &k, &cause), JZG_OK);
	assert_string_equal(k, "wang");
	free(k);
}

static void
test_sample(void **state)
{
	struct rekey_sample_result r;
	char *cause = NULL;

	(void)state;
	assert_int_equal(rekey_sample(st, sid, 0, 1, &r, &cause), JZG_ERR_INVALID);
	free(cause);
	cause = NULL;
	/* 34 % of three people is 1.02: rounded up, two per keyer */
	assert_int_equal(rekey_sample(st, sid, 34, 1, &r, &cause), JZG_OK);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.s[0].keyer, "lu");
	assert_string_equal(r.s[1].keyer, "wang");
	assert_int_equal(r.s[0].marked, 2);
	assert_int_equal(r.s[1].marked, 2);
	assert_int_equal(r.marked, 4);
	rekey_sample_result_free(&r);
	assert_int_equal(q_int(st, "SELECT count(*) FROM rekey WHERE keyer = 'lu' AND staff_id <= 3"), 2);
	/* those marked before count towards the share */
	assert_int_equal(rekey_sample(st, sid, 34, 2, &r, &cause), JZG_OK);
	assert_int_equal(r.marked, 0);
	assert_int_equal(r.s[0].before, 2);
	rekey_sample_result_free(&r);
}

/* The item of field name of set in s. */
static size_t
item_of(const struct rekey_session *s, const char *set, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (str_eq(s->item[i].set->v[SC_NAME], set) && str_eq(s->item[i].field->v[FC_NAME], name))
			return i;
	fail_msg("no item %s.%s", set, name);
	return 0;
}

static void
test_separation(void **state)
{
	struct rekey_session *s = NULL;
	char *cause = NULL;
	int added = 0;

	(void)state;
	assert_int_equal(rekey_mark(st, 1, &added, &cause), JZG_OK);
	/* the keyer is refused, whatever screen or verb asks */
	assert_int_equal((audit_set(st, "lu", 0, AUDIT_PATH_CLIENT), rekey_begin(st, 1, &s, &cause)), JZG_ERR_INVALID);
	assert_null(s);
	assert_non_null(strstr(cause, "另一人"));
	free(cause);
	cause = NULL;
	/* nobody logged in: no one to tell apart from the keyer */
	assert_int_equal((audit_set(st, NULL, 0, AUDIT_PATH_CLIENT), rekey_begin(st, 1, &s, &cause)), JZG_ERR_INVALID);
	free(cause);
	cause = NULL;
	/* somebody else may */
	assert_int_equal((audit_set(st, "wang", 0, AUDIT_PATH_CLIENT), rekey_begin(st, 1, &s, &cause)), JZG_OK);
	rekey_end(s);
}

static void
test_verify(void **state)
{
	struct rekey_session *s = NULL;
	char *cause = NULL, *n;
	size_t xm, jg, csd, hy, left;
	long long audit0 = q_int(st, "SELECT count(*) FROM audit");

	(void)state;
	assert_int_equal((audit_set(st, "chen", 0, AUDIT_PATH_CLIENT), rekey_begin(st, 1, &s, &cause)), JZG_OK);
	/* derived and defaulted fields are not keyed again */
	assert_int_equal(s->item[item_of(s, "jbxx", "CSRQ")].skip, RK_DERIVED);
	assert_int_equal(s->item[item_of(s, "jbxx", "ZGXLM")].skip, RK_DERIVED);
	assert_int_equal(s->item[item_of(s, "jbxx", "GJDQM")].skip, RK_DEFAULTED);
	xm = item_of(s, "jbxx", "XM");
	jg = item_of(s, "jbxx", "JG");
	csd = item_of(s, "jbxx", "CSD");
	hy = item_of(s, "jbxx", "HYZKM");
	assert_string_equal(s->item[xm].keyer, "lu");
	assert_string_equal(s->item[xm].first, "张三");
	left = rekey_left(s);
	assert_true(left > 10);
	/* the same value typed: agreed, nothing in the trail */
	n = rekey_normalise(s, xm, " 张三 ");
	assert_false(rekey_differs(s, xm, n));
	assert_int_equal(rekey_decide(s, xm, n, REKEY_SAME, NULL, &cause), JZG_OK);
	free(n);
	assert_int_equal(q_int(st, "SELECT count(*) FROM audit"), audit0);
	/* a wrong decision is refused */
	assert_int_equal(rekey_decide(s, jg, "四川省成都市武侯区", REKEY_SAME, NULL, &cause), JZG_ERR_INVALID);
	free(cause);
	cause = NULL;
	/* first right: the value stays */
	assert_true(rekey_differs(s, jg, "四川省成都市武侯区"));
	assert_int_equal(rekey_decide(s, jg, "四川省成都市武侯区", REKEY_FIRST, NULL, &cause), JZG_OK);
	assert_int_equal(q_int(st, "SELECT JG = '测试省甲县' FROM s_jbxx WHERE staff_id = 1"), 1);
	/* second right: the value changes, through entry, as verification's */
	assert_int_equal(rekey_decide(s, csd, "湖南省长沙县", REKEY_SECOND, NULL, &cause), JZG_OK);
	assert_int_equal(q_int(st, "SELECT CSD = '湖南省长沙县' FROM s_jbxx WHERE staff_id = 1"), 1);
	assert_int_equal(q_int(st, "SELECT count(*) FROM audit WHERE staff_id = 1 AND path = 'rekey' AND op = 'update' "
	    "AND field = 'CSD' AND actor = 'chen'"), 1);
	/* re-keyed a third time: that value */
	assert_int_equal(rekey_decide(s, hy, "10", REKEY_REKEY, "21", &cause), JZG_OK);
	assert_int_equal(q_int(st, "SELECT HYZKM = '21' FROM s_jbxx WHERE staff_id = 1"), 1);
	/* three discrepancies and their decisions in the trail, under their fields */
	assert_int_equal(q_int(st, "SELECT count(*) FROM audit WHERE op = 'rekey' AND staff_id = 1"), 3);
	assert_int_equal(q_int(st, "SELECT count(*) FROM audit WHERE op = 'rekey' AND field = 'CSD' "
	    "AND new LIKE '%第二次正确%'"), 1);
	assert_int_equal(rekey_left(s), left - 4);
	assert_int_equal(rekey_state(st, 1), 1);
	/* everything else agreed: verified */
	for (size_t i = 0; i < s->n; i++)
		if (s->item[i].skip == RK_KEY && !s->item[i].done)
			assert_int_equal(rekey_decide(s, i, s->item[i].first, REKEY_SAME, NULL, &cause), JZG_OK);
	assert_int_equal(rekey_left(s), 0);
	assert_int_equal(rekey_state(st, 1), 2);
	rekey_end(s);
	/* the rates: against lu, the second right (CSD) and the re-keyed
	 * value that was neither (HYZKM); against chen, the first right (JG)
	 * and HYZKM again */
	assert_int_equal(q_int(st, "SELECT sum(" REKEY_KEYER_WRONG ") FROM rekey_field WHERE keyer = 'lu'"), 2);
	assert_int_equal(q_int(st, "SELECT sum(" REKEY_VERIFIER_WRONG ") FROM rekey_field WHERE verifier = 'chen'"), 2);
	/* a session opened again has nothing left and keeps what was decided */
	assert_int_equal((audit_set(st, "chen", 0, AUDIT_PATH_CLIENT), rekey_begin(st, 1, &s, &cause)), JZG_OK);
	assert_int_equal(rekey_left(s), 0);
	rekey_end(s);
	/* verification is not keying: zhao may still review (or verify) the
	 * person, and chen, who changed values as verifier, too */
	{
		int touched = -1, added;

		assert_int_equal(rekey_mark(st, 2, &added, &cause), JZG_OK);
		assert_int_equal((audit_set(st, "zhao", 0, AUDIT_PATH_CLIENT), rekey_begin(st, 2, &s, &cause)), JZG_OK);
		jg = item_of(s, "jbxx", "JG");
		assert_int_equal(rekey_decide(s, jg, "湖南省长沙县", REKEY_FIRST, NULL, &cause), JZG_OK);
		rekey_end(s);
		assert_int_equal(q_int(st, "SELECT count(*) FROM audit WHERE op = 'rekey' AND staff_id = 2 AND actor = 'zhao'"), 1);
		assert_int_equal(audit_touched_by(st, 2, "zhao", &touched, &cause), JZG_OK);
		assert_int_equal(touched, 0);
		assert_int_equal(audit_touched_by(st, 1, "chen", &touched, &cause), JZG_OK);
		assert_int_equal(touched, 0);
		assert_int_equal(audit_touched_by(st, 1, "lu", &touched, &cause), JZG_OK);
		assert_int_equal(touched, 1);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keyer),
		cmocka_unit_test(test_sample),
		cmocka_unit_test(test_separation),
		cmocka_unit_test(test_verify),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
