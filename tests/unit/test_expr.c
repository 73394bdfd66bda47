/* test_expr.c — translating definition expressions into SQL. */
#include "helpers.h"

#include "expr.h"

static struct set_def set;

static int
setup(void **state)
{
	static const char *const names[] = { "XM", "CSRQ", "GJDQM" };

	(void)state;
	set.v[SC_NAME] = "t";
	set.nfield = 3;
	set.field = calloc(3, sizeof *set.field);
	for (int i = 0; i < 3; i++)
		set.field[i].v[FC_NAME] = (char *)names[i];
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	free(set.field);
	return 0;
}

static void
check(const char *src, const char *self, enum expr_mode m, const char *want)
{
	char *cause = NULL, *got = expr_sql(src, &set, self, m, NULL, &cause);

	if (want == NULL) {
		assert_null(got);
		assert_non_null(cause);
		free(cause);
		return;
	}
	if (got == NULL)
		fprintf(stderr, "%s → %s\n", src, cause);
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void
row_mode(void **state)
{
	(void)state;
	check("${GJDQM} = '156'", NULL, EXPR_ROW, "cur.\"GJDQM\" = '156'");
	check(". > ${CSRQ}", "XM", EXPR_ROW, "cur.\"XM\" > cur.\"CSRQ\"");
	check("length(.) OR . REGEXP 'a.b'", "XM", EXPR_ROW, "length(cur.\"XM\") OR cur.\"XM\" REGEXP 'a.b'");
	check("x.y + 1.5", NULL, EXPR_ROW, "x.y + 1.5");
	check("'${XM}' || \"a.b\"", NULL, EXPR_ROW, "'${XM}' || \"a.b\"");
	check("'it''s .' = .", "XM", EXPR_ROW, "'it''s .' = cur.\"XM\"");
	check("${_staff}", NULL, EXPR_ROW, "cur.staff_id");
}

static void
param_mode(void **state)
{
	unsigned char refs[3] = { 0 };
	char *got;

	(void)state;
	check("${CSRQ} < ${XM} AND ${_staff} > 0", NULL, EXPR_PARAM, "?2 < ?1 AND ?4 > 0");
	got = expr_sql("${GJDQM} = .", &set, "CSRQ", EXPR_PARAM, refs, NULL);
	assert_string_equal(got, "?3 = ?2");
	assert_int_equal(refs[0], 0);
	assert_int_equal(refs[1], 1);
	assert_int_equal(refs[2], 1);
	free(got);
}

static void
errors(void **state)
{
	(void)state;
	check("${NOPE} = 1", NULL, EXPR_ROW, NULL);
	check("${XM", NULL, EXPR_ROW, NULL);
	check("'open", NULL, EXPR_ROW, NULL);
	check(". = 1", NULL, EXPR_ROW, NULL);   /* `.` outside a constraint */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(row_mode),
		cmocka_unit_test(param_mode),
		cmocka_unit_test(errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
