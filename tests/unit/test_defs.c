/* test_defs.c — the shipped indicator system: 17 sets, per-template
 * differences, official numbering of 基本信息. */
#include "helpers.h"

static struct defs *defs;

static int
setup(void **state)
{
	(void)state;
	defs = load_shipped_defs();
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	defs_free(defs);
	return 0;
}

static const struct field_def *
by_label(const struct set_def *s, const char *label)
{
	for (size_t i = 0; i < s->nfield; i++)
		if (str_eq(s->field[i].v[FC_LABEL], label))
			return &s->field[i];
	return NULL;
}

static const struct set_def *
tpl_set(const char *tpl, const char *set)
{
	const struct template_def *t = defs_template(defs, tpl);

	assert_non_null(t);
	return defs_set(t->set, t->nset, set);
}

static void
seventeen_sets(void **state)
{
	static const char *const labels[] = {
		"基本信息", "学习经历", "工作经历", "岗位聘任", "专业技术职务聘任", "基本待遇", "年度考核",
		"教师资格", "师德信息", "教育教学", "教学科研成果及获奖", "入选人才项目", "国内培训",
		"海外研修(访学)", "技能及证书", "交流轮岗", "联系方式"
	};
	const struct template_def *t = defs_template(defs, "zxx");
	size_t k = 0, subtables = 0;

	(void)state;
	assert_non_null(t);
	/* the sets (sub-tables folded into their group) in official order */
	for (size_t i = 0; i < t->nset; i++) {
		const char *g = t->set[i].v[SC_GROUP];
		const char *name = g ? g : t->set[i].v[SC_LABEL];

		if (g != NULL)
			subtables++;
		if (k > 0 && g != NULL && str_eq(labels[k - 1], g))
			continue;
		assert_true(k < 17);
		assert_string_equal(name, labels[k]);
		k++;
	}
	assert_int_equal(k, 17);
	assert_int_equal(subtables, 10);
	assert_false(defs_set(t->set, t->nset, "jbxx")->many);
	assert_true(defs_set(t->set, t->nset, "xxjl")->many);
	assert_false(defs_set(t->set, t->nset, "lxfs")->many);
}

static void
official_numbering(void **state)
{
	const struct set_def *s = tpl_set("zxx", "jbxx");
	int seen[42] = { 0 };

	(void)state;
	assert_non_null(s);
	for (size_t i = 0; i < s->nfield; i++)
		if (s->field[i].v[FC_NO] != NULL) {
			int no = atoi(s->field[i].v[FC_NO]);

			if (no >= 1 && no <= 41)
				seen[no]++;
		}
	for (int no = 1; no <= 41; no++) {
		if (seen[no] != 1)
			fprintf(stderr, "基本信息 item %d appears %d times\n", no, seen[no]);
		assert_int_equal(seen[no], 1);
	}
	assert_non_null(by_label(s, "姓名"));
	assert_non_null(by_label(s, "身份证件号"));
	assert_int_equal(by_label(s, "民族")->type, FT_SELECT_ONE);
	assert_int_equal(by_label(s, "政治面貌")->type, FT_SELECT_MULTIPLE);
	assert_int_equal(by_label(s, "出生日期")->type, FT_DATE);
	assert_int_equal(by_label(s, "参加工作年月")->type, FT_MONTH);
	assert_non_null(by_label(s, "民族")->v[FC_RELEVANT]);
	assert_true(by_label(s, "最高学历")->readonly);
	assert_non_null(by_label(s, "最高学历")->v[FC_CALCULATE]);
	assert_false(by_label(s, "出生日期")->readonly);
	assert_non_null(by_label(s, "出生日期")->v[FC_CALCULATE]);
	for (size_t i = 0; i < s->nfield; i++) {
		assert_non_null(s->field[i].v[FC_SOURCE]);
		assert_non_null(s->field[i].v[FC_TAG]);
	}
}

static void
template_differences(void **state)
{
	const struct set_def *zxx = tpl_set("zxx", "jbxx"), *zz = tpl_set("zz", "jbxx");
	const struct set_def *tj = tpl_set("tj", "jbxx"), *yey = tpl_set("yey", "jbxx");
	const struct set_def *gx = tpl_set("gx", "jbxx");

	(void)state;
	assert_non_null(zxx);
	assert_null(by_label(zxx, "进本园年月"));
	assert_non_null(by_label(yey, "进本园年月"));
	assert_null(by_label(yey, "进本校年月"));
	assert_non_null(by_label(tj, "从事特教起始年月"));
	assert_null(by_label(zxx, "从事特教起始年月"));
	assert_null(by_label(zxx, "学缘结构"));
	assert_non_null(by_label(gx, "学缘结构"));
	assert_int_equal(by_label(zz, "健康状况")->required, REQ_YES);
	assert_int_equal(by_label(tj, "健康状况")->required, REQ_YES);
	assert_int_equal(by_label(zxx, "健康状况")->required, REQ_NO);
	/* 中职 has 双师型 and 职业技能等级证书, 中小学 does not */
	{
		int zz_dual = 0, zxx_dual = 0;

		for (size_t i = 0; i < zz->nfield; i++)
			zz_dual |= strstr(zz->field[i].v[FC_LABEL], "双师型") != NULL;
		for (size_t i = 0; i < zxx->nfield; i++)
			zxx_dual |= strstr(zxx->field[i].v[FC_LABEL], "双师型") != NULL;
		assert_true(zz_dual);
		assert_false(zxx_dual);
	}
	assert_string_equal(by_label(yey, "教职工来源")->table_id, "JZGLY_YEY");
	assert_string_equal(by_label(gx, "教职工类别")->table_id, "JZGLB_GX");
	/* the shared definition is not changed by a template */
	assert_string_equal(by_label(zxx, "教职工来源")->table_id, "JZGLY");
}

static void
union_schema(void **state)
{
	const struct set_def *all = defs_set(defs->all, defs->nall, "jbxx");

	(void)state;
	assert_non_null(by_label(all, "进本校年月"));
	assert_non_null(by_label(all, "从事特教起始年月"));
	assert_non_null(by_label(all, "学缘结构"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(seventeen_sets),
		cmocka_unit_test(official_numbering),
		cmocka_unit_test(template_differences),
		cmocka_unit_test(union_schema),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
