/* test_layout.c — export.tsv layouts and the cell text ↔ stored value
 * conversion shared by export and import. */
#include "helpers.h"

#include "fieldtype.h"
#include "layout.h"

static struct defs *defs;

static void
roundtrip(const struct layout *l, const struct field_def *f, const char *stored, const char *text)
{
	char *t = layout_cell_text(l, f, stored), *back = NULL, *msg = NULL;

	assert_string_equal(t, text);
	assert_int_equal(layout_parse_cell(l, f, t, &back, &msg), 0);
	assert_null(msg);
	assert_string_equal(back, stored);
	free(t);
	free(back);
}

static void
test_styles(void **state)
{
	struct layout *l, alt;
	char *v, *msg, *cause = NULL;

	(void)state;
	assert_int_equal(layout_get(defs, "zxx", &l, &cause), JZG_OK);
	alt = *l;
	assert_int_equal(l->code_style, LCS_CODE_NAME);
	assert_int_equal(l->input_rows, 500);
	roundtrip(l, shipped_field(defs, "jbxx", "XBM"), "1", "1-男");
	roundtrip(l, shipped_field(defs, "jbxx", "CSRQ"), "1990-03-07", "1990-03-07");
	roundtrip(l, shipped_field(defs, "jbxx", "ZZMMM"), "01 05", "01-中共党员;05-民盟盟员");
	alt.code_style = LCS_NAME;
	alt.date_form = "YYYYMMDD";
	roundtrip(&alt, shipped_field(defs, "jbxx", "XBM"), "2", "女");
	roundtrip(&alt, shipped_field(defs, "jbxx", "CSRQ"), "1990-03-07", "19900307");
	/* Lenient input: a bare code, the stored form, either order of items. */
	assert_int_equal(layout_parse_cell(l, shipped_field(defs, "jbxx", "XBM"), "2", &v, &msg), 0);
	assert_string_equal(v, "2");
	free(v);
	assert_int_equal(layout_parse_cell(l, shipped_field(defs, "jbxx", "ZZMMM"), "05;01-中共党员", &v, &msg), 0);
	assert_string_equal(v, "01 05");
	free(v);
	/* Refusals name what is wrong. */
	assert_int_equal(layout_parse_cell(l, shipped_field(defs, "jbxx", "XBM"), "1-女", &v, &msg), -1);
	assert_non_null(strstr(msg, "代码与名称不一致"));
	free(msg);
	assert_int_equal(layout_parse_cell(l, shipped_field(defs, "jbxx", "CSRQ"), "1990-02-30", &v, &msg), -1);
	assert_non_null(strstr(msg, "不是日期"));
	free(msg);
	/* Length is a rule (rules engine, length:XM), not a cell type: kept as typed. */
	assert_int_equal(layout_parse_cell(l, shipped_field(defs, "jbxx", "XM"), "一二三四五六七八九十一二三四五六七八九十一", &v, &msg), 0);
	assert_string_equal(v, "一二三四五六七八九十一二三四五六七八九十一");
	free(v);
	layout_free(l);
}

static void
test_serial(void **state)
{
	char d[11];

	(void)state;
	assert_int_equal(layout_serial_date(25569, d), 0);
	assert_string_equal(d, "1970-01-01");
	assert_int_equal(layout_serial_date(45000, d), 0);
	assert_string_equal(d, "2023-03-15");
	assert_int_equal(layout_serial_date(10, d), -1);
}

static void
test_sheet_names(void **state)
{
	const struct template_def *t = defs_template(defs, "zxx");
	const struct set_def *s = defs_set(t->set, t->nset, "cg_bz");
	struct layout *l;
	char *n, *cause = NULL;

	(void)state;
	assert_int_equal(layout_get(defs, "zxx", &l, &cause), JZG_OK);
	n = layout_sheet_name(l, s, 3);
	assert_string_equal(n, "国家／行业标准");   /* '/' is not allowed in a sheet name */
	free(n);
	layout_free(l);
}

/* The definitions do not hold export.tsv: layout_check reports its
 * problems as file:line (forms check) and layout_get refuses with a cause
 * that sends the user there (export, import).  A missing file means the
 * built-in defaults. */
static void
test_export_tsv(void **state)
{
	char dir[] = "/tmp/jzg-layout-XXXXXX", *path, *saved = defs->formsdir, *cause = NULL;
	struct diag d = { 0 };
	struct layout *l;
	FILE *f;

	(void)state;
	layout_check(defs, &d);
	assert_int_equal(d.n, 0);
	assert_non_null(mkdtemp(dir));
	defs->formsdir = dir;
	assert_int_equal(layout_get(defs, "zxx", &l, &cause), JZG_OK);
	assert_int_equal(l->input_rows, 500);
	layout_free(l);
	path = xasprintf("%s/export.tsv", dir);
	assert_non_null(f = fopen(path, "w"));
	fputs("template\tcode_style\nzxx\tcodes\n", f);
	fclose(f);
	layout_check(defs, &d);
	assert_true(d.n > 0);
	assert_int_equal(layout_get(defs, "zxx", &l, &cause), JZG_ERR_DEFS);
	assert_null(l);
	assert_non_null(strstr(cause, "jzg forms check"));
	free(cause);
	diag_free(&d);
	unlink(path);
	rmdir(dir);
	free(path);
	defs->formsdir = saved;
}

static void
refused(const struct layout *l, const struct field_def *f, const char *text, const char *want)
{
	char *v = NULL, *msg = NULL;

	assert_int_equal(layout_parse_cell(l, f, text, &v, &msg), -1);
	assert_null(v);
	assert_string_equal(msg, want);
	free(msg);
}

/* Each type of the table, both ways, in the default and another layout. */
static void
every_type_cell(void **state)
{
	struct layout *l, alt;
	char *cause = NULL;

	(void)state;
	assert_int_equal(layout_get(defs, "zxx", &l, &cause), JZG_OK);
	alt = *l;
	roundtrip(l, shipped_field(defs, "jbxx", "XM"), "张三", "张三");
	roundtrip(l, shipped_field(defs, "cg_lw", "QSYM"), "-12", "-12");
	roundtrip(l, shipped_field(defs, "cg_xm", "XMJFED"), "12.5", "12.5");
	roundtrip(l, shipped_field(defs, "jbxx", "CSRQ"), "1980-09-05", "1980-09-05");
	roundtrip(l, shipped_field(defs, "cg_jl", "HJNY"), "1980-09", "1980-09");
	roundtrip(l, shipped_field(defs, "gnpx", "PXND"), "2023", "2023");
	roundtrip(l, shipped_field(defs, "jbxx", "XBM"), "1", "1-男");
	roundtrip(l, shipped_field(defs, "cg_bg", "SFDBXCG"), "1", "1-是");
	roundtrip(l, shipped_field(defs, "jbxx", "ZZMMM"), "01 05", "01-中共党员;05-民盟盟员");
	/* Excel leaves spaces around a chosen code: trimmed, and the copy freed
	 * rather than the trimmed pointer into it (issue 18: free() abort) */
	{
		char *v = NULL, *msg = NULL;

		assert_int_equal(layout_parse_cell(l, shipped_field(defs, "jbxx", "XBM"), " 1-男 ",
		    &v, &msg), 0);
		assert_string_equal(v, "1");
		free(v);
		assert_int_equal(layout_parse_cell(l, shipped_field(defs, "jbxx", "XBM"), "  9-无",
		    &v, &msg), -1);
		assert_non_null(msg);
		free(msg);
	}
	alt.date_form = "YYYY年MM月DD日";
	alt.month_form = "YYYY.MM";
	roundtrip(&alt, shipped_field(defs, "jbxx", "CSRQ"), "1980-09-05", "1980年09月05日");
	roundtrip(&alt, shipped_field(defs, "cg_jl", "HJNY"), "1980-09", "1980.09");
	refused(l, shipped_field(defs, "cg_lw", "QSYM"), "1.5", "“1.5”不是整数");
	refused(l, shipped_field(defs, "cg_xm", "XMJFED"), "1,5", "“1,5”不是数字");
	refused(l, shipped_field(defs, "jbxx", "CSRQ"), "1980-02-30", "“1980-02-30”不是日期，应写成 YYYY-MM-DD");
	refused(&alt, shipped_field(defs, "cg_jl", "HJNY"), "1980-13", "“1980-13”不是年月，应写成 YYYY.MM");
	refused(l, shipped_field(defs, "gnpx", "PXND"), "23", "“23”不是年份，应写成 4 位数字，如 2024");
	refused(l, shipped_field(defs, "jbxx", "XM"), "\xff", "含有无效的字符编码（不是 UTF-8 文本）");
	refused(l, shipped_field(defs, "jbxx", "XM"), "张\x1b[31m三", "含有 Esc 控制字符");
	refused(l, shipped_field(defs, "jbxx", "XBM"), "1-男\n", "含有换行符");
	assert_null(layout_form(l, fieldtype(FT_TEXT)));
	assert_string_equal(layout_form(&alt, fieldtype(FT_DATE)), "YYYY年MM月DD日");
	assert_string_equal(layout_form(&alt, fieldtype(FT_MONTH)), "YYYY.MM");
	layout_free(l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_styles),
		cmocka_unit_test(test_serial),
		cmocka_unit_test(test_sheet_names),
		cmocka_unit_test(test_export_tsv),
		cmocka_unit_test(every_type_cell),
	};
	int rc;

	defs = load_shipped_defs();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	defs_free(defs);
	return rc;
}
