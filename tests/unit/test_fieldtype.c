/* test_fieldtype.c — the field-type table (fieldtype.h): for each type
 * its spelling, normalising typed input (with the note the clerk and the
 * import report are given), validity, display, affinity and the workbook
 * cell both ways (test_layout.c: every_type_cell). */
#include "helpers.h"

#include "fieldtype.h"
#include "normalize.h"
#include "pview.h"

static struct defs *defs;

static void
one_row_per_type(void **state)
{
	const char *tid;
	char *names;

	(void)state;
	for (int t = FT_TEXT; t <= FT_SELECT_MULTIPLE; t++) {
		const struct fieldtype *ft = fieldtype((enum field_type)t);

		assert_int_equal(ft->type, t);
		assert_non_null(ft->name);
		assert_non_null(ft->label);
		assert_non_null(ft->normalise);
		assert_non_null(ft->valid);
		assert_non_null(ft->affinity);
		/* only coded types leave "not of the type" to the code table */
		assert_true(ft->coded ? ft->not_cell == NULL : ft->not_cell != NULL);
	}
	assert_ptr_equal(fieldtype_parse("text", &tid), fieldtype(FT_TEXT));
	assert_null(tid);
	assert_ptr_equal(fieldtype_parse("year", &tid), fieldtype(FT_YEAR));
	assert_ptr_equal(fieldtype_parse("yesno", &tid), fieldtype(FT_SELECT_ONE));
	assert_string_equal(tid, "SF");
	assert_ptr_equal(fieldtype_parse("select_one  XB", &tid), fieldtype(FT_SELECT_ONE));
	assert_string_equal(tid, "XB");
	assert_ptr_equal(fieldtype_parse("select_multiple ZZMM", &tid), fieldtype(FT_SELECT_MULTIPLE));
	assert_string_equal(tid, "ZZMM");
	assert_null(fieldtype_parse("number", &tid));
	assert_null(fieldtype_parse("select_one", &tid));   /* a coded type needs its table */
	assert_null(fieldtype_parse("texts", &tid));
	assert_null(fieldtype_parse(NULL, &tid));
	names = fieldtype_names();
	assert_string_equal(names, "text integer decimal date month year yesno select_one 表 select_multiple 表");
	free(names);
	/* the store's affinity comes from the row */
	assert_string_equal(store_affinity(shipped_field(defs, "cg_lw", "QSYM")), "INTEGER");
	assert_string_equal(store_affinity(shipped_field(defs, "gnpx", "PXND")), "INTEGER");
	assert_string_equal(store_affinity(shipped_field(defs, "cg_xm", "XMJFED")), "NUMERIC");
	assert_string_equal(store_affinity(shipped_field(defs, "jbxx", "CSRQ")), "TEXT");
	assert_string_equal(store_affinity(shipped_field(defs, "jbxx", "XBM")), "TEXT");
}

static void
norm_is(enum field_type t, const char *typed, const char *want, const char *want_note)
{
	struct field_def f = { .type = t };
	char *s = normalize_value(&f, typed, 0), *note = normalize_note(typed, s);

	assert_string_equal(s, want);
	if (want_note == NULL)
		assert_null(note);
	else
		assert_string_equal(note, want_note);
	free(s);
	free(note);
}

static void
normalising(void **state)
{
	static const char *const months[] = { "198009", "1980-09", "1980.9", "1980年9月", "1980/9", " １９８０-９ " };
	struct field_def text = { .type = FT_TEXT }, month = { .type = FT_MONTH };
	char *s, *note;

	(void)state;
	for (size_t i = 0; i < sizeof months / sizeof months[0]; i++) {
		s = normalize_value(&month, months[i], 0);
		assert_string_equal(s, "1980-09");
		free(s);
	}
	norm_is(FT_MONTH, "１９８０年9月", "1980-09", "“１９８０年9月”已写成“1980-09”");
	norm_is(FT_MONTH, "1980-09", "1980-09", NULL);
	norm_is(FT_DATE, "1980年9月5日", "1980-09-05", "“1980年9月5日”已写成“1980-09-05”");
	norm_is(FT_DATE, "19800905", "1980-09-05", "“19800905”已写成“1980-09-05”");
	norm_is(FT_DATE, "1980.9.5", "1980-09-05", "“1980.9.5”已写成“1980-09-05”");
	norm_is(FT_DATE, "1980-13-05", "1980-13-05", NULL);   /* kept for the checks */
	norm_is(FT_DATE, "1980.2.30", "1980.2.30", NULL);     /* no such day: kept as typed */
	norm_is(FT_DATE, "1980-09-05 ", "1980-09-05", NULL);  /* only spaces at the ends: no note */
	norm_is(FT_MONTH, "九月", "九月", NULL);
	norm_is(FT_TEXT, "　张三 ", "张三", "“　张三”已写成“张三”");
	norm_is(FT_TEXT, "ＡＢ１２", "AB12", "“ＡＢ１２”已写成“AB12”");
	norm_is(FT_TEXT, "张 三", "张 三", NULL);
	norm_is(FT_DECIMAL, "1,234.50", "1234.50", "“1,234.50”已写成“1234.50”");
	norm_is(FT_INTEGER, "１２", "12", "“１２”已写成“12”");
	norm_is(FT_YEAR, "2023年", "2023", "“2023年”已写成“2023”");
	norm_is(FT_SELECT_ONE, " ０１ ", "01", "“０１”已写成“01”");
	norm_is(FT_SELECT_MULTIPLE, "01 05", "01 05", NULL);
	norm_is(FT_TEXT, "　", "", NULL);                      /* cleared: nothing to tell */
	s = normalize_value(&text, "１１０１０５ 19491231002x", 1);
	note = normalize_note("１１０１０５ 19491231002x", s);
	assert_string_equal(s, "11010519491231002X");
	assert_string_equal(note, "“１１０１０５ 19491231002x”已写成“11010519491231002X”");
	free(s);
	free(note);
	assert_null(normalize_value(&text, NULL, 0));
	assert_null(normalize_note(NULL, NULL));
}

static void
validity(void **state)
{
	static const struct { enum field_type t; const char *s; int ok; } v[] = {
		{ FT_TEXT, "张三", 1 }, { FT_TEXT, "\xff", 0 },
		{ FT_INTEGER, "12", 1 }, { FT_INTEGER, "-12", 1 }, { FT_INTEGER, "1.5", 0 },
		{ FT_INTEGER, "1234567890123456", 0 }, { FT_INTEGER, "-", 0 },
		{ FT_DECIMAL, "12.50", 1 }, { FT_DECIMAL, "1e3", 1 }, { FT_DECIMAL, "12,5", 0 },
		{ FT_DATE, "2024-02-29", 1 }, { FT_DATE, "2023-02-29", 0 }, { FT_DATE, "2023-04-31", 0 },
		{ FT_DATE, "2023-4-3", 0 }, { FT_MONTH, "2023-12", 1 }, { FT_MONTH, "2023-13", 0 },
		{ FT_MONTH, "2023-12-01", 0 }, { FT_YEAR, "2023", 1 }, { FT_YEAR, "0999", 0 },
		{ FT_YEAR, "23", 0 }, { FT_SELECT_ONE, "anything", 1 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		if (fieldtype(v[i].t)->valid(v[i].s) != v[i].ok)
			fail_msg("type %d, “%s”: want %d", v[i].t, v[i].s, v[i].ok);
	}
}

static void
shows(const struct field_def *f, const char *stored, const char *want)
{
	char *s = pview_display(f, stored);

	assert_string_equal(s, want);
	free(s);
}

static void
display(void **state)
{
	(void)state;
	shows(shipped_field(defs, "cg_xm", "XMJFED"), "12.5", "12.50");
	shows(shipped_field(defs, "jbxx", "XBM"), "2", "女");
	shows(shipped_field(defs, "jbxx", "ZZMMM"), "01 05", "中共党员、民盟盟员");
	shows(shipped_field(defs, "jbxx", "CSRQ"), "1980-09-05", "1980-09-05");
	shows(shipped_field(defs, "gnpx", "PXND"), "2023", "2023");
	shows(shipped_field(defs, "jbxx", "XM"), "张三", "张三");
	assert_null(pview_display(shipped_field(defs, "jbxx", "XM"), ""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(one_row_per_type),
		cmocka_unit_test(normalising),
		cmocka_unit_test(validity),
		cmocka_unit_test(display),
	};
	int rc;

	defs = load_shipped_defs();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	defs_free(defs);
	return rc;
}
