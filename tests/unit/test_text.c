/* test_text.c — the one judgement of text that may enter (text.h). */
#include "helpers.h"

#include "text.h"

static void
clean_and_refused(void **state)
{
	(void)state;
	assert_null(text_fault("张三", TEXT_NAME));
	assert_null(text_fault("O'Brien-李 2", TEXT_NAME));
	assert_null(text_fault("", TEXT_ANY));                 /* empty is fine unless a name */
	assert_null(text_fault("  ", TEXT_ANY));
	assert_null(text_fault("𠀀 emoji 😀 ｆｕｌｌ", TEXT_ANY));
	assert_string_equal(text_fault("a\tb", 0), "含有制表符（Tab）");
	assert_string_equal(text_fault("a\nb", 0), "含有换行符");
	assert_string_equal(text_fault("a\rb", 0), "含有换行符");
	assert_string_equal(text_fault("a\x1b[31mb", 0), "含有 Esc 控制字符");
	assert_string_equal(text_fault("a\x01", 0), "含有控制字符");
	assert_string_equal(text_fault("a\x7f", 0), "含有控制字符");
	assert_string_equal(text_fault("a\xc2\x85", 0), "含有控制字符");      /* U+0085, C1 */
	assert_string_equal(text_fault("a\xc2\x9f", 0), "含有控制字符");      /* U+009F */
	assert_null(text_fault("a\xc2\xa0", 0));                              /* U+00A0 is printable */
	assert_string_equal(text_fault("a\xff" "b", 0), "含有无效的字符编码（不是 UTF-8 文本）");
	assert_string_equal(text_fault("\xe5\xbc", 0), "含有无效的字符编码（不是 UTF-8 文本）");  /* cut */
	assert_string_equal(text_fault("\xc0\xaf", 0), "含有无效的字符编码（不是 UTF-8 文本）");  /* overlong / */
	assert_string_equal(text_fault("\xed\xa0\x80", 0), "含有无效的字符编码（不是 UTF-8 文本）"); /* surrogate */
	assert_string_equal(text_fault("\xef\xbf\xbf", 0), "含有无法保存的字符（U+FFFE 或 U+FFFF）");
	assert_string_equal(text_fault("", TEXT_NAME), "不能为空，也不能只有空格");
	assert_string_equal(text_fault(NULL, TEXT_NAME), "不能为空，也不能只有空格");
	assert_string_equal(text_fault(" ", TEXT_NAME), "不能为空，也不能只有空格");
	assert_string_equal(text_fault(" \xe3\x80\x80 ", TEXT_NAME), "不能为空，也不能只有空格"); /* U+3000 */
	assert_string_equal(text_fault_n("a\0b", 3, 0), "含有控制字符");       /* NUL inside a value */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(clean_and_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
