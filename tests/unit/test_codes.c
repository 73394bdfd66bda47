/* test_codes.c — code tables from data/ and search by digits, pinyin, Chinese. */
#include "helpers.h"

#include "codes.h"
#include "pinyin.h"

static struct codes *codes;

static int
setup(void **state)
{
	struct diag d = { 0 };
	char *cause = NULL, *data = paths_data_dir();

	(void)state;
	assert_int_equal(codes_load(data, &codes, &d, &cause), JZG_OK);
	diag_print(&d, stderr);
	assert_int_equal(d.n, 0);
	free(data);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	codes_free(codes);
	return 0;
}

/* The best-matching code of table id for query. */
static const char *
best(const char *id, const char *query)
{
	const struct code_table *t = codes_table(codes, id);
	const char *code = NULL;
	int score = 0;

	assert_non_null(t);
	for (size_t i = 0; i < t->nrow; i++) {
		int s = codes_match(&t->row[i], query);

		if (s > score) {
			score = s;
			code = t->row[i].code;
		}
	}
	return code;
}

static void
lookup(void **state)
{
	const struct code_table *mz = codes_table(codes, "MZ");

	(void)state;
	assert_non_null(mz);
	assert_int_equal(mz->nrow, 58);
	assert_string_equal(codes_find(mz, "01")->name, "汉族");
	assert_string_equal(codes_find(mz, "98")->name, "外国血统中国籍人士");
	assert_null(codes_find(mz, "1"));
	assert_null(codes_find(mz, "99"));
	assert_string_equal(codes_find(codes_table(codes, "GJDQ"), "156")->name, "中国");
	assert_true(codes_find(codes_table(codes, "ZZMM"), "13")->excl);
	assert_false(codes_find(codes_table(codes, "ZZMM"), "01")->excl);
	/* the hashed look-up finds every code of every table as itself, and
	 * nothing for a prefix or an extension of one */
	for (size_t k = 0; k < codes->ntab; k++) {
		const struct code_table *t = &codes->tab[k];

		for (size_t i = 0; i < t->nrow; i++) {
			char *longer = xasprintf("%s0", t->row[i].code);

			assert_string_equal(codes_find(t, t->row[i].code)->code, t->row[i].code);
			if (codes_find(t, longer) != NULL)
				assert_string_equal(codes_find(t, longer)->code, longer);
			free(longer);
		}
		assert_null(codes_find(t, ""));
		assert_null(codes_find(t, NULL));
	}
}

static void
search(void **state)
{
	(void)state;
	assert_string_equal(best("MZ", "hz"), "01");
	assert_string_equal(best("MZ", "zz"), "04");
	assert_string_equal(best("MZ", "cxz"), "10");
	assert_string_equal(best("MZ", "10"), "10");
	assert_string_equal(best("MZ", "藏"), "04");
	assert_string_equal(best("SHENG", "cq"), "50");
	assert_string_equal(best("ZZMM", "qz"), "13");
	assert_null(best("MZ", "zzzzzz"));
}

static void
pinyin_table(void **state)
{
	(void)state;
	assert_true(pinyin_mask(L'汉') & (1u << ('h' - 'a')));
	assert_true(pinyin_mask(L'藏') & (1u << ('z' - 'a')));
	assert_true(pinyin_mask(L'藏') & (1u << ('c' - 'a')));
	assert_int_equal(pinyin_mask(L'·'), 0);
	assert_int_equal(pinyin_mask(L'Q'), 1u << ('q' - 'a'));
}

static void
tree_depth(void **state)
{
	const struct code_table *t = codes_table(codes, "JZGLY_GX");

	(void)state;
	assert_non_null(t);
	assert_true(t->tree);
	assert_int_equal(codes_find(t, "10")->depth, 0);
	assert_int_equal(codes_find(t, "11")->depth, 1);
	assert_int_equal(codes_find(t, "111")->depth, 2);
}

static void
bad_tables_reported(void **state)
{
	char dir[] = "/tmp/jzg_codes_XXXXXX", path[256];
	struct codes *c = NULL;
	struct diag d = { 0 };
	char *cause = NULL;
	FILE *fp;
	int dup = 0, parent = 0, missing = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/codes", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/codes.tsv", dir);
	fp = fopen(path, "w");
	fputs("id\tlabel\ttree\nAA\t甲\tyes\nBB\t乙\n", fp);
	fclose(fp);
	snprintf(path, sizeof path, "%s/codes/AA.tsv", dir);
	fp = fopen(path, "w");
	fputs("code\tname\tparent\n1\t一\n1\t重复\n2\t二\t9\n", fp);
	fclose(fp);
	assert_int_equal(codes_load(dir, &c, &d, &cause), JZG_OK);
	for (size_t i = 0; i < d.n; i++) {
		dup |= strstr(d.msg[i], "AA.tsv:3: 代码 “1” 重复") != NULL;
		parent |= strstr(d.msg[i], "AA.tsv:4: 上级代码 “9” 不在本表中") != NULL;
		missing |= strstr(d.msg[i], "代码表 BB 的文件不可读") != NULL;
	}
	if (!(dup && parent && missing))
		diag_print(&d, stderr);
	assert_true(dup && parent && missing);
	diag_free(&d);
	codes_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lookup),
		cmocka_unit_test(search),
		cmocka_unit_test(pinyin_table),
		cmocka_unit_test(tree_depth),
		cmocka_unit_test(bad_tables_reported),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
