/* test_lineedit.c — the line editor with Hanzi, the middle dot and scrolling. */
#include "helpers.h"

#include <locale.h>

#include "lineedit.h"

static void
type(struct lineedit *le, const wchar_t *s)
{
	for (; *s; s++)
		assert_int_equal(lineedit_insert(le, *s), 0);
}

static void
get_is(const struct lineedit *le, const char *want)
{
	char *got = lineedit_get(le);

	assert_string_equal(got, want);
	free(got);
}

static void
wide_cursor(void **state)
{
	struct lineedit le;

	(void)state;
	lineedit_init(&le, 10, 0);
	type(&le, L"汉族");
	assert_int_equal(lineedit_cursor_col(&le), 4);     /* 2 columns per Hanzi */
	lineedit_key(&le, LE_HOME);
	assert_int_equal(lineedit_cursor_col(&le), 0);
	lineedit_key(&le, LE_RIGHT);
	assert_int_equal(lineedit_cursor_col(&le), 2);     /* jumps over 汉 */
	type(&le, L"x");
	get_is(&le, "汉x族");
	lineedit_key(&le, LE_DELETE);                      /* removes the whole 族 */
	get_is(&le, "汉x");
	lineedit_key(&le, LE_END);                         /* libform put the cursor at the last column */
	assert_int_equal(lineedit_cursor_col(&le), 3);
	lineedit_key(&le, LE_BACKSPACE);
	lineedit_key(&le, LE_BACKSPACE);
	get_is(&le, "");
	assert_int_equal(lineedit_key(&le, LE_BACKSPACE), -1);
	lineedit_free(&le);
}

static void
middle_dot_name(void **state)
{
	struct lineedit le;

	(void)state;
	lineedit_init(&le, 20, 20);
	type(&le, L"阿依古丽·买买提");
	get_is(&le, "阿依古丽·买买提");
	assert_int_equal(lineedit_cursor_col(&le), 15);    /* 7 Hanzi × 2 + "·" × 1 */
	lineedit_set(&le, "阿依古丽·买买提");
	assert_int_equal(le.len, 8);
	assert_int_equal(le.changed, 0);
	lineedit_free(&le);
}

static void
scrolls_without_corrupting(void **state)
{
	struct lineedit le;
	wchar_t vis[64];
	int cols;

	(void)state;
	lineedit_init(&le, 10, 0);
	type(&le, L"中华人民共和国教育部门");                 /* 22 columns into 10 */
	get_is(&le, "中华人民共和国教育部门");
	cols = lineedit_visible(&le, vis, 64);
	assert_true(cols <= 10);
	assert_true(lineedit_cursor_col(&le) <= 9);
	assert_true(wcscmp(vis, L"育部门") == 0 || wcscmp(vis, L"教育部门") == 0);
	lineedit_key(&le, LE_HOME);
	lineedit_visible(&le, vis, 64);
	assert_true(wcscmp(vis, L"中华人民共") == 0);
	lineedit_key(&le, LE_END);
	type(&le, L"ab");
	get_is(&le, "中华人民共和国教育部门ab");
	/* an odd width: a Hanzi never straddles the right edge */
	lineedit_set_width(&le, 9);
	lineedit_key(&le, LE_HOME);
	assert_int_equal(lineedit_visible(&le, vis, 64), 8);
	lineedit_free(&le);
}

static void
limits_and_kills(void **state)
{
	struct lineedit le;

	(void)state;
	lineedit_init(&le, 10, 3);
	type(&le, L"abc");
	assert_int_equal(lineedit_insert(&le, L'd'), -1);  /* full */
	assert_int_equal(lineedit_insert(&le, L'\t'), -1); /* not printable */
	lineedit_key(&le, LE_HOME);
	lineedit_key(&le, LE_RIGHT);
	lineedit_key(&le, LE_KILL_TO_END);
	get_is(&le, "a");
	lineedit_key(&le, LE_KILL_LINE);
	get_is(&le, "");
	lineedit_free(&le);
}

/* Columns padded by display width: a Hanzi is two columns, three bytes. */
static void
pads_by_columns(void **state)
{
	struct strbuf b = { 0 };
	char *s;

	(void)state;
	strbuf_addpad(&b, "合并", 9);
	strbuf_addpad(&b, "lu", 4);
	strbuf_addpad(&b, "录入界面", 4);   /* wider than asked: kept whole */
	strbuf_adds(&b, "|");
	s = strbuf_take(&b);
	assert_string_equal(s, "合并     lu  录入界面|");
	assert_int_equal(utf8_width(s), 9 + 4 + 8 + 1);
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(wide_cursor),
		cmocka_unit_test(middle_dot_name),
		cmocka_unit_test(scrolls_without_corrupting),
		cmocka_unit_test(limits_and_kills),
		cmocka_unit_test(pads_by_columns),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
