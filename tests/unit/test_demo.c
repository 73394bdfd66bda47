/* test_demo.c — `demo` fills every set of every template with data that
 * keeps every rule of the definitions: field constraints, relevance,
 * required fields and the checks of forms/checks.tsv. */
#include "helpers.h"

#include "demo.h"
#include "expr.h"
#include "school.h"

static struct defs *defs;
static struct store *st;
static char path[] = "/tmp/jzg_demo_XXXXXX";

static const char *const school_of[][2] = {
	{ "zxx", "2143010001" }, { "zz", "3643010002" }, { "tj", "5143010003" },
	{ "yey", "1143010004" }, { "gx", "4143010005" },
};

static int
setup(void **state)
{
	char *cause = NULL;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	defs = load_shipped_defs();
	assert_int_equal(audit_open(path, defs, STORE_CREATE, &st, &cause), JZG_OK);
	for (size_t i = 0; i < 5; i++) {
		sqlite3_int64 id;

		if (school_add(st, school_of[i][1], "演示学校", school_of[i][0], &id, &cause) != JZG_OK)
			fprintf(stderr, "%s\n", cause);
		assert_int_equal(demo_fill(st, id, i == 0 ? 300 : 60, 7, &cause), JZG_OK);
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	store_close(st);
	defs_free(defs);
	unlink(path);
	return 0;
}

/* Rows of set s (of template t) where expr (ROW form) is false; prints a
 * sample when there are any. */
static long long
violations(const char *tpl, const struct set_def *s, const char *cond)
{
	char *sql = xasprintf("SELECT count(*) FROM \"s_%s\" AS cur JOIN staff ON staff.id = cur.staff_id"
	    " JOIN school ON school.id = staff.school_id WHERE school.template = '%s' AND NOT coalesce((%s), 0)",
	    s->v[SC_NAME], tpl, cond);
	long long n = q_int(st, sql);

	if (n != 0)
		fprintf(stderr, "template %s set %s: %lld rows fail: %s\n", tpl, s->v[SC_NAME], n, cond);
	free(sql);
	return n;
}

static void
every_set_filled(void **state)
{
	(void)state;
	for (size_t i = 0; i < 5; i++) {
		const struct template_def *t = defs_template(defs, school_of[i][0]);

		for (size_t k = 0; k < t->nset; k++) {
			char *sql = xasprintf("SELECT count(DISTINCT cur.staff_id) FROM \"s_%s\" cur JOIN staff ON"
			    " staff.id = cur.staff_id JOIN school ON school.id = staff.school_id WHERE school.code = '%s'",
			    t->set[k].v[SC_NAME], school_of[i][1]);

			assert_int_equal(q_int(st, sql), i == 0 ? 300 : 60);
			free(sql);
		}
	}
}

static void
persons_are_plausible(void **state)
{
	(void)state;
	assert_int_equal(q_int(st, "SELECT count(*) FROM s_jbxx WHERE SFZJLXM = '1' AND NOT idcard_valid(SFZJH)"), 0);
	assert_int_equal(q_int(st, "SELECT count(*) FROM s_jbxx WHERE CSRQ IS NOT idcard_birth(SFZJH)"), 0);
	assert_int_equal(q_int(st, "SELECT count(*) FROM s_jbxx WHERE XBM IS NOT idcard_sex(SFZJH)"), 0);
	assert_int_equal(q_int(st, "SELECT count(*) FROM s_jbxx WHERE XM IS NULL"), 0);
	assert_true(q_int(st, "SELECT count(*) FROM s_jbxx WHERE XM LIKE '%·%'") > 0);
	assert_int_equal(q_int(st, "SELECT count(*) - count(DISTINCT SFZJH) FROM s_jbxx"), 0);
}

static void
every_rule_holds(void **state)
{
	long long bad = 0;

	(void)state;
	for (size_t i = 0; i < 5; i++) {
		const struct template_def *t = defs_template(defs, school_of[i][0]);
		const char *tn = t->v[TC_NAME];

		for (size_t k = 0; k < t->nset; k++) {
			const struct set_def *s = &t->set[k];

			for (size_t j = 0; j < s->nfield; j++) {
				const struct field_def *f = &s->field[j];
				char *col = xasprintf("cur.\"%s\"", f->v[FC_NAME]), *e, *cond;

				if (f->v[FC_CONSTRAINT] != NULL) {
					e = expr_sql(f->v[FC_CONSTRAINT], s, f->v[FC_NAME], EXPR_ROW, NULL, NULL);
					cond = xasprintf("%s IS NULL OR (%s)", col, e);
					bad += violations(tn, s, cond);
					free(e);
					free(cond);
				}
				if (f->v[FC_RELEVANT] != NULL) {
					e = expr_sql(f->v[FC_RELEVANT], s, NULL, EXPR_ROW, NULL, NULL);
					cond = xasprintf("%s IS NULL OR coalesce((%s), 0)", col, e);
					bad += violations(tn, s, cond);
					free(cond);
					if (f->required != REQ_NO && !f->readonly) {
						char *req = f->required == REQ_YES ? xstrdup("1") :
						    expr_sql(f->v[FC_REQUIRED], s, NULL, EXPR_ROW, NULL, NULL);

						cond = xasprintf("NOT coalesce((%s), 0) OR NOT coalesce((%s), 0) OR %s IS NOT NULL",
						    e, req, col);
						bad += violations(tn, s, cond);
						free(cond);
						free(req);
					}
					free(e);
				} else if (f->required != REQ_NO && !f->readonly) {
					char *req = f->required == REQ_YES ? xstrdup("1") :
					    expr_sql(f->v[FC_REQUIRED], s, NULL, EXPR_ROW, NULL, NULL);

					cond = xasprintf("NOT coalesce((%s), 0) OR %s IS NOT NULL", req, col);
					bad += violations(tn, s, cond);
					free(cond);
					free(req);
				}
				if (f->table != NULL && f->type == FT_SELECT_ONE) {
					cond = xasprintf("%s IS NULL OR EXISTS(SELECT 1 FROM temp.code c WHERE c.tbl = '%s' AND c.code = %s)",
					    col, f->table_id, col);
					bad += violations(tn, s, cond);
					free(cond);
				}
				if (f->length > 0) {
					cond = xasprintf("%s IS NULL OR length(%s) <= %d", col, col, f->length);
					bad += violations(tn, s, cond);
					free(cond);
				}
				free(col);
			}
		}
		for (size_t c = 0; c < defs->ncheck; c++) {
			const struct check_def *ck = &defs->check[c];
			const struct set_def *s = defs_set(t->set, t->nset, ck->v[CC_SET]);
			char *e;

			if (s == NULL || (ck->v[CC_TEMPLATES] && strstr(ck->v[CC_TEMPLATES], tn) == NULL))
				continue;
			e = expr_sql(ck->v[CC_CONSTRAINT], s, NULL, EXPR_ROW, NULL, NULL);
			assert_non_null(e);
			bad += violations(tn, s, e);
			free(e);
		}
	}
	assert_int_equal(bad, 0);
}

static void
same_seed_same_data(void **state)
{
	char *cause = NULL;
	char p2[] = "/tmp/jzg_demo2_XXXXXX";
	struct store *st2;
	sqlite3_int64 id;
	sqlite3_stmt *a, *b;
	int fd = mkstemp(p2);

	(void)state;
	close(fd);
	unlink(p2);
	assert_int_equal(audit_open(p2, defs, STORE_CREATE, &st2, &cause), JZG_OK);
	assert_int_equal(school_add(st2, "2143010001", "演示学校", "zxx", &id, &cause), JZG_OK);
	assert_int_equal(demo_fill(st2, id, 300, 7, &cause), JZG_OK);
	sqlite3_prepare_v2(st->db, "SELECT group_concat(XM || SFZJH || CJGNY, ',') FROM (SELECT * FROM s_jbxx"
	    " WHERE staff_id <= 300 ORDER BY staff_id)", -1, &a, NULL);
	sqlite3_prepare_v2(st2->db, "SELECT group_concat(XM || SFZJH || CJGNY, ',') FROM (SELECT * FROM s_jbxx"
	    " ORDER BY staff_id)", -1, &b, NULL);
	assert_int_equal(sqlite3_step(a), SQLITE_ROW);
	assert_int_equal(sqlite3_step(b), SQLITE_ROW);
	assert_string_equal(sqlite3_column_text(a, 0), sqlite3_column_text(b, 0));
	sqlite3_finalize(a);
	sqlite3_finalize(b);
	store_close(st2);
	unlink(p2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_set_filled),
		cmocka_unit_test(persons_are_plausible),
		cmocka_unit_test(every_rule_holds),
		cmocka_unit_test(same_seed_same_data),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
