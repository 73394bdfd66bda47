/* test_rules.c — the rules engine over a demo file: a clean file yields no
 * finding; one planted fault per rule kind yields exactly that finding
 * (rule, set, field, severity) and nothing else; explanations; checking
 * one record; the version-1 file migrating to the explanation table.
 *
 * Every fault is planted inside a savepoint and rolled back, so each test
 * starts from the clean demo file. */
#include "helpers.h"

#include <locale.h>
#include <regex.h>

#include "demo.h"
#include "idcard.h"
#include "rules.h"
#include "school.h"

static struct defs *defs;
static struct store *st;
static struct rules *rules;
static char path[] = "/tmp/jzg_rules_XXXXXX";
static sqlite3_int64 p1, p2, p3;   /* two persons of the zxx school, one of the zz school */

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

		assert_int_equal(school_add(st, school_of[i][1], "演示学校", school_of[i][0], &id, &cause), JZG_OK);
		/* seeds differ per school so that ID numbers do not repeat across schools */
		assert_int_equal(demo_fill(st, id, i == 0 ? 40 : 12, 11 + i, &cause), JZG_OK);
	}
	rules = rules_new(st, &cause);
	if (rules == NULL)
		fprintf(stderr, "%s\n", cause);
	assert_non_null(rules);
	p1 = q_int(st, "SELECT min(id) FROM staff WHERE school_id = 1");
	p2 = q_int(st, "SELECT max(id) FROM staff WHERE school_id = 1");
	p3 = q_int(st, "SELECT min(id) FROM staff WHERE school_id = 2");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	rules_free(rules);
	store_close(st);
	defs_free(defs);
	unlink(path);
	return 0;
}

struct got {
	char          **line;
	size_t          n;
	sqlite3_int64   staff;     /* of the last finding */
	char           *message;   /* of the last finding */
	char           *explained;
};

static int
collect(const struct finding *f, void *arg)
{
	struct got *g = arg;

	g->line = xreallocarray(g->line, g->n + 1, sizeof *g->line);
	g->line[g->n++] = xasprintf("%s %s %s %s", f->rule, f->set->v[SC_NAME],
	    f->field ? f->field->v[FC_NAME] : "-", f->warning ? "warning" : "error");
	g->staff = f->staff_id;
	free(g->message);
	free(g->explained);
	g->message = xstrdup(f->message);
	g->explained = xstrdup(f->explained);
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every finding of the file, one "rule set field severity" per line, sorted. */
static char *
findings(struct got *g)
{
	struct strbuf b = { 0 };
	char *cause = NULL;

	memset(g, 0, sizeof *g);
	if (rules_check(rules, NULL, collect, g, &cause) != JZG_OK)
		fail_msg("%s", cause);
	if (g->n > 1)
		qsort(g->line, g->n, sizeof *g->line, cmp_str);
	strbuf_adds(&b, "");
	for (size_t i = 0; i < g->n; i++) {
		strbuf_addf(&b, "%s%s", i ? "\n" : "", g->line[i]);
		free(g->line[i]);
	}
	free(g->line);
	return strbuf_take(&b);
}

static void
got_free(struct got *g)
{
	free(g->message);
	free(g->explained);
}

static void
exec(const char *sql)
{
	char *cause = NULL;

	if (store_exec(st, sql, &cause) != JZG_OK)
		fail_msg("%s\n%s", cause, sql);
}

static void
exec_f(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
exec_f(const char *fmt, ...)
{
	va_list ap;
	char *sql;

	va_start(ap, fmt);
	sql = xvasprintf(fmt, ap);
	va_end(ap);
	exec(sql);
	free(sql);
}

/* Plant (SQL, %lld = p1 … p1 given three times), expect exactly want, undo. */
static void
planted(const char *want, const char *fmt, ...)
{
	va_list ap;
	char *sql, *have;
	struct got g;

	va_start(ap, fmt);
	sql = xvasprintf(fmt, ap);
	va_end(ap);
	exec("SAVEPOINT plant");
	exec(sql);
	have = findings(&g);
	exec("ROLLBACK TO plant; RELEASE plant");
	if (strcmp(have, want) != 0)
		fail_msg("after %s\nwant:\n%s\ngot:\n%s\n(last message: %s)", sql, want, have, g.message ? g.message : "");
	got_free(&g);
	free(have);
	free(sql);
}

static void
clean_file_has_no_finding(void **state)
{
	struct got g;
	char *have = findings(&g);

	(void)state;
	assert_string_equal(have, "");
	free(have);
	got_free(&g);
}

static void
required(void **state)
{
	(void)state;
	planted("required:XM jbxx XM error", "UPDATE s_jbxx SET XM = NULL WHERE staff_id = %lld", p1);
	planted("required:XM jbxx XM error", "UPDATE s_jbxx SET XM = '' WHERE staff_id = %lld", p1);
	/* conditionally required: 民族 only while 国籍 is 中国 */
	planted("required:MZM jbxx MZM error", "UPDATE s_jbxx SET MZM = NULL WHERE staff_id = %lld", p1);
	planted("", "UPDATE s_jbxx SET GJDQM = '840', MZM = NULL, ZZMMM = NULL WHERE staff_id = %lld", p1);
	/* a one-record set with no row at all: its required fields are empty */
	planted("required:SJH lxfs SJH error", "DELETE FROM s_lxfs WHERE staff_id = %lld", p1);
}

/* Set-level completeness (forms/sets.tsv `required`): a person with no
 * record in a required set gets one error naming the set (row 0, no
 * field); 教师资格 only for 11-专任教师; the derived values that read a
 * deleted set are emptied as the entry path would. */
static void
set_completeness(void **state)
{
	struct got g;
	char *have;

	(void)state;
	planted("records:gwpr gwpr - error\nrecords:gzjl gzjl - error\nrecords:jszg jszg - error",
	    "UPDATE s_jbxx SET JZGLBM = '11', XRGWLBM = NULL, XRGWDJM = NULL WHERE staff_id = %1$lld;"
	    " DELETE FROM s_gzjl WHERE staff_id = %1$lld; DELETE FROM s_gwpr WHERE staff_id = %1$lld;"
	    " DELETE FROM s_jszg WHERE staff_id = %1$lld", p1);
	planted("records:gwpr gwpr - error\nrecords:gzjl gzjl - error\nrecords:jszg jszg - error\n"
	    "records:xxjl xxjl - error",
	    "UPDATE s_jbxx SET JZGLBM = '11', XRGWLBM = NULL, XRGWDJM = NULL, ZGXLM = NULL, ZGXLYX = NULL,"
	    " ZGXWCCM = NULL, ZGXWMCM = NULL, ZGXWYX = NULL WHERE staff_id = %1$lld;"
	    " DELETE FROM s_gzjl WHERE staff_id = %1$lld; DELETE FROM s_gwpr WHERE staff_id = %1$lld;"
	    " DELETE FROM s_jszg WHERE staff_id = %1$lld; DELETE FROM s_xxjl WHERE staff_id = %1$lld", p1);
	/* not a 专任教师: no 教师资格 needed */
	planted("", "UPDATE s_jbxx SET JZGLBM = '12' WHERE staff_id = %1$lld; DELETE FROM s_jszg WHERE staff_id = %1$lld",
	    p1);
	/* a set no one must fill (海外研修) may stay empty */
	planted("", "DELETE FROM s_hwyx WHERE staff_id = %lld", p1);
	/* the finding: the missing set, no field, row 0, a message naming the set */
	exec("SAVEPOINT plant");
	exec("DELETE FROM s_gzjl WHERE staff_id = (SELECT min(id) FROM staff WHERE school_id = 2)");
	have = findings(&g);
	exec("ROLLBACK TO plant; RELEASE plant");
	assert_string_equal(have, "records:gzjl gzjl - error");
	assert_int_equal(g.staff, p3);
	assert_string_equal(g.message, "没有记录：至少应填写一条“工作经历”");
	free(have);
	got_free(&g);
}

static void
relevant_or_cleared(void **state)
{
	(void)state;
	planted("relevant:MZM jbxx MZM error", "UPDATE s_jbxx SET GJDQM = '840', ZZMMM = NULL WHERE staff_id = %lld", p1);
}

static void
formats(void **state)
{
	(void)state;
	planted("format:JBXNY jbxx JBXNY error", "UPDATE s_jbxx SET JBXNY = '2020-13' WHERE staff_id = %lld", p1);
	planted("format:JBXNY jbxx JBXNY error", "UPDATE s_jbxx SET JBXNY = '2020-1' WHERE staff_id = %lld", p1);
	planted("", "UPDATE s_jbxx SET JBXNY = '2020-12' WHERE staff_id = %lld AND CJGNY <= '2020-12'", p1);
	planted("format:ZSBFRQ jszg ZSBFRQ error",
	    "UPDATE s_jszg SET ZSBFRQ = '2019-02-29' WHERE id = (SELECT min(id) FROM s_jszg WHERE staff_id = %lld)", p1);
	planted("format:ZSBFRQ jszg ZSBFRQ error",
	    "UPDATE s_jszg SET ZSBFRQ = '2019/02/01' WHERE id = (SELECT min(id) FROM s_jszg WHERE staff_id = %lld)", p1);
	planted("format:ND jbdy ND error",
	    "UPDATE s_jbdy SET ND = 99 WHERE id = (SELECT min(id) FROM s_jbdy WHERE staff_id = %lld)", p1);
	planted("format:JBGZ jbdy JBGZ error",
	    "UPDATE s_jbdy SET JBGZ = 1234.567 WHERE id = (SELECT min(id) FROM s_jbdy WHERE staff_id = %lld)", p1);
	planted("format:JBGZ jbdy JBGZ error",
	    "UPDATE s_jbdy SET JBGZ = '12k' WHERE id = (SELECT min(id) FROM s_jbdy WHERE staff_id = %lld)", p1);
	planted("", "UPDATE s_jbdy SET JBGZ = 1234.56 WHERE id = (SELECT min(id) FROM s_jbdy WHERE staff_id = %lld)", p1);
	planted("format:PJMZKTJXKSS jyjx PJMZKTJXKSS error",
	    "UPDATE s_jyjx SET PJMZKTJXKSS = '十二' WHERE id = (SELECT min(id) FROM s_jyjx WHERE staff_id = %lld)", p1);
}

static void
length_and_range(void **state)
{
	(void)state;
	/* 21 characters, 63 bytes: length counts characters */
	planted("length:XM jbxx XM error",
	    "UPDATE s_jbxx SET XM = '张三李四王五赵六钱七孙八周九吴十郑十一王二' WHERE staff_id = %lld", p1);
	planted("", "UPDATE s_jbxx SET XM = '张三李四王五赵六钱七孙八周九吴十郑十一王' WHERE staff_id = %lld", p1);
	planted("range:PJMZKTJXKSS jyjx PJMZKTJXKSS error",
	    "UPDATE s_jyjx SET PJMZKTJXKSS = 169 WHERE id = (SELECT min(id) FROM s_jyjx WHERE staff_id = %lld)", p1);
	planted("", "UPDATE s_jyjx SET PJMZKTJXKSS = 168 WHERE id = (SELECT min(id) FROM s_jyjx WHERE staff_id = %lld)", p1);
	planted("range:CSRQ jbxx CSRQ error",
	    "UPDATE s_jbxx SET SFZJLXM = '2', SFZJH = 'E12345678', CSRQ = '1899-12-31' WHERE staff_id = %lld", p1);
}

/* After the SQL fmt (a fault planted), want is among the findings, which
 * may hold others (a changed record also changes derived values). */
static void
planted_among(const char *want, const char *fmt, ...)
{
	va_list ap;
	char *sql, *have;
	struct got g;

	va_start(ap, fmt);
	sql = xvasprintf(fmt, ap);
	va_end(ap);
	exec("SAVEPOINT plant");
	exec(sql);
	have = findings(&g);
	exec("ROLLBACK TO plant; RELEASE plant");
	if (strstr(have, want) == NULL)
		fail_msg("after %s\nwant among the findings: %s\ngot:\n%s", sql, want, have);
	got_free(&g);
	free(have);
	free(sql);
}

static void
codes_and_choice_filter(void **state)
{
	(void)state;
	planted("code:MZM jbxx MZM error", "UPDATE s_jbxx SET MZM = '99' WHERE staff_id = %lld", p1);
	/* a heading (pick = 0) is not a choice */
	planted_among("code:HDXLM xxjl HDXLM error",
	    "UPDATE s_xxjl SET HDXLM = '10' WHERE id = (SELECT min(id) FROM s_xxjl WHERE staff_id = %lld)", p1);
	/* 岗位等级 must belong to the 岗位类别: 101 is 专业技术 (1 2), not 3 管理 */
	planted("choice:GWDJM gwpr GWDJM error",
	    "UPDATE s_gwpr SET GWLBM = '3', GWDJM = '101', JRGWLBM = NULL, JRGWDJM = NULL"
	    " WHERE id = (SELECT min(id) FROM s_gwpr WHERE staff_id = %lld)", p1);
	/* the filter in C (choice_in_c): a code unknown to its table is the
	 * code rule's finding only; `code` in a filter is the value itself */
	planted("code:GWDJM gwpr GWDJM error",
	    "UPDATE s_gwpr SET GWLBM = '3', GWDJM = 'Z9', JRGWLBM = NULL, JRGWDJM = NULL"
	    " WHERE id = (SELECT min(id) FROM s_gwpr WHERE staff_id = %lld)", p1);
	/* as before the filter was in C: no 类别, no 等级 fits it */
	planted("choice:GWDJM gwpr GWDJM error\nrequired:GWLBM gwpr GWLBM error",
	    "UPDATE s_gwpr SET GWLBM = NULL, GWDJM = '101', JRGWLBM = NULL, JRGWDJM = NULL"
	    " WHERE id = (SELECT min(id) FROM s_gwpr WHERE staff_id = %lld)", p1);
	planted("choice:GJDQM hwyx GJDQM error\nhwyx_gjdq_not_cn hwyx GJDQM error",
	    "UPDATE s_hwyx SET GJDQM = '156' WHERE id = (SELECT min(id) FROM s_hwyx WHERE staff_id = %lld)", p1);
	planted_among("choice:XWMCM xxjl XWMCM error",
	    "UPDATE s_xxjl SET XWCCM = '3', XWMCM = '201' WHERE id = (SELECT min(id) FROM s_xxjl WHERE staff_id = %lld)", p1);
	/* a code the table keeps as obsolete (data/codes: obsolete = 1) still
	 * reads, and is a warning; one that left the table is an error */
	planted("obsolete:GJDQM hwyx GJDQM warning",
	    "UPDATE s_hwyx SET GJDQM = '891' WHERE id = (SELECT min(id) FROM s_hwyx WHERE staff_id = %lld)", p1);
	planted_among("obsolete:PRZYJSZWM zyjszwpr PRZYJSZWM warning",
	    "UPDATE s_zyjszwpr SET PRZYJSZWM = '052' WHERE id = (SELECT min(id) FROM s_zyjszwpr WHERE staff_id = %lld)", p1);
	planted("code:GJDQM hwyx GJDQM error",
	    "UPDATE s_hwyx SET GJDQM = '892' WHERE id = (SELECT min(id) FROM s_hwyx WHERE staff_id = %lld)", p1);
	{
		struct got g;
		char *have;

		exec("SAVEPOINT plant");
		exec("UPDATE s_hwyx SET GJDQM = '891' WHERE id = (SELECT min(id) FROM s_hwyx)");
		have = findings(&g);
		exec("ROLLBACK TO plant; RELEASE plant");
		assert_string_equal(g.message, "“891-南斯拉夫” 是代码表 国籍/地区 中已停用的代码（旧数据仍可读出），请改选现行代码");
		free(have);
		got_free(&g);
	}
}

/* choice_filter of a select-multiple field (任教课程 by 任教学段): the first
 * code in table order that the filter refuses, for a short list (checked
 * code by code, rules_multi_nth) and a long one (the sub-query over the code
 * table), codes repeated or out of order, unknown codes left to multi_code. */
static void
multi_choice_filter(void **state)
{
	static const struct {
		const char *xd, *list, *want, *message;
	} cases[] = {
		{ "2", "13 14", "", NULL },
		{ "2", "13 16", "choice:RJKCM jyjx RJKCM error", "“16-物理” 与任教学段不符，不能选择" },
		{ "2", "17 16 13", "choice:RJKCM jyjx RJKCM error\nmulti_form:RJKCM jyjx RJKCM error", "“16-物理”" },
		{ "2", "16 16", "choice:RJKCM jyjx RJKCM error\nmulti_form:RJKCM jyjx RJKCM error", "“16-物理”" },
		{ "2", "26 13 14 16", "choice:RJKCM jyjx RJKCM error\nmulti_form:RJKCM jyjx RJKCM error", "“16-物理”" },
		{ "2", "13 14 15 22", "", NULL },
		{ "3 4", "26 11", "choice:RJKCM jyjx RJKCM error\nmulti_form:RJKCM jyjx RJKCM error", "“11-品德与生活（社会）”" },
		{ "3 4", "11 12 16 17 18 21", "choice:RJKCM jyjx RJKCM error", "“11-品德与生活（社会）”" },
		{ "2", "13 99", "multi_code:RJKCM jyjx RJKCM error", NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct got g;
		char *have;

		exec("SAVEPOINT plant");
		exec_f("UPDATE s_jyjx SET RJXDM = '%s', RKZKM = '20', RJKCM = '%s'"
		    " WHERE id = (SELECT min(id) FROM s_jyjx WHERE staff_id = %lld)", cases[i].xd, cases[i].list, p1);
		have = findings(&g);
		exec("ROLLBACK TO plant; RELEASE plant");
		if (strcmp(have, cases[i].want) != 0 || (cases[i].message != NULL && strstr(g.message, cases[i].message) == NULL))
			fail_msg("任教学段 %s, 任教课程 %s: want\n%s\n(%s)\ngot\n%s\n(%s)", cases[i].xd, cases[i].list, cases[i].want,
			    cases[i].message ? cases[i].message : "", have, g.message ? g.message : "");
		free(have);
		got_free(&g);
	}
	/* a list too long for the per-connection memo (over 255 bytes) */
	{
		struct got g;
		char *have;

		exec("SAVEPOINT plant");
		exec_f("UPDATE s_jyjx SET RJXDM = '2', RKZKM = '20', RJKCM = replace(hex(zeroblob(90)), '00', '13 ') || '16'"
		    " WHERE id = (SELECT min(id) FROM s_jyjx WHERE staff_id = %lld)", p1);
		have = findings(&g);
		exec("ROLLBACK TO plant; RELEASE plant");
		assert_string_equal(have, "choice:RJKCM jyjx RJKCM error\nmulti_form:RJKCM jyjx RJKCM error");
		assert_non_null(strstr(g.message, "“16-物理”"));
		free(have);
		got_free(&g);
	}
}

static void
multi_select(void **state)
{
	(void)state;
	planted("multi_code:ZZMMM jbxx ZZMMM error", "UPDATE s_jbxx SET ZZMMM = '01 99' WHERE staff_id = %lld", p1);
	planted("multi_excl:ZZMMM jbxx ZZMMM error", "UPDATE s_jbxx SET ZZMMM = '01 13' WHERE staff_id = %lld", p1);
	planted("multi_form:ZZMMM jbxx ZZMMM error", "UPDATE s_jbxx SET ZZMMM = '05 01' WHERE staff_id = %lld", p1);
	planted("multi_form:ZZMMM jbxx ZZMMM error", "UPDATE s_jbxx SET ZZMMM = '01  05' WHERE staff_id = %lld", p1);
	planted("", "UPDATE s_jbxx SET ZZMMM = '01 05' WHERE staff_id = %lld", p1);
	planted("", "UPDATE s_jbxx SET ZZMMM = '13' WHERE staff_id = %lld", p1);
	/* the canonical-form shortcut (check_multi) must see every way a list
	 * can differ from table order, one space apart, each code once */
	planted("multi_form:ZZMMM jbxx ZZMMM error", "UPDATE s_jbxx SET ZZMMM = ' 01' WHERE staff_id = %lld", p1);
	planted("multi_form:ZZMMM jbxx ZZMMM error", "UPDATE s_jbxx SET ZZMMM = '01 05 ' WHERE staff_id = %lld", p1);
	planted("multi_form:ZZMMM jbxx ZZMMM error", "UPDATE s_jbxx SET ZZMMM = '01 01' WHERE staff_id = %lld", p1);
	planted("multi_form:ZZMMM jbxx ZZMMM error", "UPDATE s_jbxx SET ZZMMM = '01 05 03' WHERE staff_id = %lld", p1);
	planted("", "UPDATE s_jbxx SET ZZMMM = '01 03 05' WHERE staff_id = %lld", p1);
	planted("multi_excl:ZZMMM jbxx ZZMMM error\nmulti_form:ZZMMM jbxx ZZMMM error",
	    "UPDATE s_jbxx SET ZZMMM = '13 01' WHERE staff_id = %lld", p1);
	planted("multi_code:ZZMMM jbxx ZZMMM error", "UPDATE s_jbxx SET ZZMMM = '01 0123456789012345678901234567890123456789"
	    "0123456789012345678901234567890123456789' WHERE staff_id = %lld", p1);
}

static void
constraints_and_checks(void **state)
{
	(void)state;
	planted("constraint:XM jbxx XM error", "UPDATE s_jbxx SET XM = ' 张三' WHERE staff_id = %lld", p1);
	planted("constraint:CJGNY jbxx CJGNY error", "UPDATE s_jbxx SET CJGNY = substr(CSRQ, 1, 7) WHERE staff_id = %lld", p1);
	planted("jllg_dw_diff jllg JLLGDWMC error",
	    "UPDATE s_jllg SET JLLGDWMC = YDWMC WHERE id = (SELECT min(id) FROM s_jllg WHERE staff_id = %lld)", p1);
	/* a warning row of checks.tsv, on both records it concerns */
	planted("ndkh_khnd_dup ndkh KHND warning\nndkh_khnd_dup ndkh KHND warning",
	    "INSERT INTO s_ndkh(staff_id, seq, KHND, KHJGM) SELECT staff_id, seq + 100, KHND, KHJGM FROM s_ndkh"
	    " WHERE id = (SELECT min(id) FROM s_ndkh WHERE staff_id = %lld)", p1);
	/* templates column: 特教 only */
	planted("", "UPDATE s_jbxx SET CSTJQSNY = '1900-01' WHERE staff_id = %lld", p1);
}

static void
derived_values(void **state)
{
	struct got g;
	char *have, *sql;

	(void)state;
	exec("SAVEPOINT plant");
	sql = xasprintf("UPDATE s_jbxx SET ZGXLM = CASE WHEN ZGXLM = '21' THEN '31' ELSE '21' END WHERE staff_id = %lld", p1);
	exec(sql);
	have = findings(&g);
	exec("ROLLBACK TO plant; RELEASE plant");
	assert_string_equal(have, "derived:ZGXLM jbxx ZGXLM warning");
	assert_non_null(strstr(g.message, "与学习经历不一致（应为 “"));
	free(have);
	free(sql);
	got_free(&g);
	/* the source changed and the stored value was not recalculated */
	/* (岗位聘任 is required: its last record gone is an error too) */
	planted("derived:XRGWDJM jbxx XRGWDJM warning\nderived:XRGWLBM jbxx XRGWLBM warning\nrecords:gwpr gwpr - error",
	    "DELETE FROM s_gwpr WHERE staff_id = %lld", p1);
}

/* A finding as "staff template set row rule message" (for joined). */
static int
collect_full(const struct finding *f, void *arg)
{
	struct got *g = arg;

	g->line = xreallocarray(g->line, g->n + 1, sizeof *g->line);
	g->line[g->n++] = xasprintf("%lld %s %s %d %s %s", (long long)f->staff_id, f->tpl->v[TC_NAME], f->set->v[SC_NAME],
	    f->row, f->rule, f->message);
	return 0;
}

/* Every finding of scope sc, added to g. */
static void
scope_findings(const struct rules_scope *sc, struct got *g)
{
	char *cause = NULL;

	if (rules_check(rules, sc, collect_full, g, &cause) != JZG_OK)
		fail_msg("%s", cause);
}

/* g's lines in the order found, one per line; empties g. */
static char *
in_order(struct got *g)
{
	struct strbuf b = { 0 };

	strbuf_adds(&b, "");
	for (size_t i = 0; i < g->n; i++) {
		strbuf_addf(&b, "%s\n", g->line[i]);
		free(g->line[i]);
	}
	free(g->line);
	memset(g, 0, sizeof *g);
	return strbuf_take(&b);
}

/* g's lines sorted, one per line; empties g. */
static char *
joined(struct got *g)
{
	qsort(g->line, g->n, sizeof *g->line, cmp_str);
	return in_order(g);
}

/* The findings of one-person checks of everyone the query lists, joined. */
static char *
each_person(const char *sql, struct got *g)
{
	sqlite3_stmt *ps;

	assert_int_equal(sqlite3_prepare_v2(st->db, sql, -1, &ps, NULL), SQLITE_OK);
	while (sqlite3_step(ps) == SQLITE_ROW) {
		struct rules_scope one_person = { 0, sqlite3_column_int64(ps, 0) };

		scope_findings(&one_person, g);
	}
	sqlite3_finalize(ps);
	return joined(g);
}

/* A whole-file check runs differently from one person's: the person's own
 * row (date of birth, of first employment …) comes from values loaded once
 * (rules_person), not the definitions' sub-query, and a many-record set is
 * read in one scan for every template whose rules of it compile alike
 * (select_scan), not template by template through schools and staff.  A
 * whole school loads the values too.  All must find the same, message for
 * message: with dates planted before birth, missing or empty person rows,
 * and junk of every kind in every field. */
static void
bulk_same_as_one(void **state)
{
	struct got g = { 0 };
	struct rules_scope all = { 0, 0 }, school = { 1, 0 };
	char *bulk, *one, *sch, *part, *sliced;
	struct strbuf plant = { 0 };
	static const char *const planted_rules[] = {
		" derived:ZGXLM ", " derived:ZGXLYX ", " derived:ZGXWYX ", " derived:XRGWLBM ", " derived:XRZYJSZWM ",
		" jbxx_sfzjh_dup_school ", " jbdy_nd_dup ", " jbxx_prior_csrq ", " jbxx_prior_xb ", " jbxx_prior_xxjl ",
		" jbxx_prior_gwpr "
	};

	(void)state;
	/* last year's data (rules_prior.c: read through a join and loaded
	 * set-wise in bulk, by sub-queries for one person) as the clean file
	 * was, so the faults below are changes; some people linked twice, by
	 * a b_staff row before their own: with a row of their own (another
	 * birth date and sex, a record this year has not) or without one */
	strbuf_addf(&plant, "INSERT INTO baseline(id, school_code, label, source) VALUES (1, '%s', '2025年', 'test');"
	    "INSERT INTO b_staff(id, baseline_id, staff_id) SELECT id + 1000, 1, id FROM staff;"
	    "INSERT INTO b_staff(id, baseline_id, staff_id) SELECT id + 500, 1, id FROM staff WHERE id %% 5 IN (1, 2);",
	    school_of[0][1]);
	for (size_t i = 0; i < defs->nall; i++) {
		const struct set_def *s = &defs->all[i];
		struct strbuf cols = { 0 };
		char *key = s->many ? set_key_sql(s, "x") : xstrdup("''");

		for (size_t j = 0; j < s->nfield; j++)
			strbuf_addf(&cols, ", \"%s\"", s->field[j].v[FC_NAME]);
		strbuf_addf(&plant, "INSERT INTO \"b_%s\"(staff_id, seq, nk%s) SELECT staff_id + 1000, %s, %s%s FROM \"s_%s\" x;",
		    s->v[SC_NAME], cols.s, s->many ? "seq" : "0", key, cols.s, s->v[SC_NAME]);
		free(key);
		strbuf_free(&cols);
	}
	strbuf_adds(&plant, "INSERT INTO b_jbxx(staff_id, seq, nk, XM, CSRQ, XBM) SELECT staff_id + 500, 0, '', XM, '1970-01-01', 'x'"
	    " FROM s_jbxx WHERE staff_id % 5 = 1;"
	    "INSERT INTO b_xxjl(staff_id, seq, nk, RXNY) SELECT staff_id + 500, 1, '1970-09', '1970-09' FROM s_jbxx"
	    " WHERE staff_id % 5 IN (1, 2);");
	/* every month and date field of every set: before anyone's birth on
	 * some rows, in the future on others */
	for (size_t i = 0; i < defs->nall; i++) {
		const struct set_def *s = &defs->all[i];

		for (size_t j = 0; j < s->nfield; j++)
			if (s->field[j].type == FT_MONTH || s->field[j].type == FT_DATE)
				strbuf_addf(&plant, "UPDATE \"s_%s\" SET \"%s\" = CASE rowid %% 5 WHEN 0 THEN '%s'"
				    " WHEN 1 THEN '%s' ELSE \"%s\" END WHERE rowid %% 3 = 0;", s->v[SC_NAME],
				    s->field[j].v[FC_NAME], s->field[j].type == FT_MONTH ? "1901-01" : "1901-01-01",
				    s->field[j].type == FT_MONTH ? "1999-06" : "1999-06-15", s->field[j].v[FC_NAME]);
	}
	for (size_t i = 0; i < defs->nall; i++) {
		const struct set_def *s = &defs->all[i];

		for (size_t j = 0; j < s->nfield; j++)
			strbuf_addf(&plant, "UPDATE \"s_%s\" SET \"%s\" = CASE rowid %% 6 WHEN 0 THEN NULL WHEN 1 THEN '' WHEN 2"
			    " THEN '2020-13' WHEN 3 THEN 12345 WHEN 4 THEN ' x' ELSE '01 99' END WHERE rowid %% 11 = %zu;",
			    s->v[SC_NAME], s->field[j].v[FC_NAME], j % 11);
	}
	strbuf_adds(&plant, "UPDATE s_jbxx SET CSRQ = NULL WHERE staff_id % 4 = 1;"
	    "UPDATE s_jbxx SET CJGNY = '' WHERE staff_id % 4 = 2;"
	    "DELETE FROM s_jbxx WHERE staff_id % 7 = 3;"
	    /* derived values out of date (read set-wise: person_many): a
	     * higher 学历 added, 学位 records tying on every sort key but the
	     * institution, 岗位 and 职务 records removed */
	    "UPDATE s_xxjl SET HDXLM = '11', XWCCM = '2' WHERE staff_id % 5 = 2;"
	    "INSERT INTO s_xxjl(staff_id, seq, HDXLM, BYNY, HDXLYX, XWCCM, XWSYNY, XWMCM, HDXWYX)"
	    " SELECT staff_id, seq + 50, HDXLM, BYNY, HDXLYX || '分校', XWCCM, XWSYNY, XWMCM, '另一所' FROM s_xxjl"
	    " WHERE staff_id % 3 = 0;"
	    "DELETE FROM s_gwpr WHERE staff_id % 6 = 1;"
	    "DELETE FROM s_zyjszwpr WHERE staff_id % 8 = 5;"
	    /* the same ID within a school and across schools, the same year twice */
	    "UPDATE s_jbxx SET SFZJH = (SELECT o.SFZJH FROM s_jbxx o WHERE o.staff_id = s_jbxx.staff_id + 1)"
	    " WHERE staff_id % 9 = 0;"
	    "UPDATE s_jbxx SET SFZJH = (SELECT o.SFZJH FROM s_jbxx o JOIN staff os ON os.id = o.staff_id"
	    " JOIN staff ms ON ms.id = s_jbxx.staff_id WHERE os.school_id <> ms.school_id ORDER BY o.staff_id LIMIT 1)"
	    " WHERE staff_id % 10 = 4;"
	    "INSERT INTO s_jbdy(staff_id, seq, ND) SELECT staff_id, seq + 50, ND FROM s_jbdy WHERE staff_id % 4 = 0;");
	exec("SAVEPOINT plant");
	exec(plant.s);
	/* then again with a person whose id is far beyond the others: person
	 * values are then bisected, not indexed by id, and the whole file is
	 * read template by template (no byte per id up to 70 million) */
	for (int round = 0; round < 2; round++) {
		if (round == 1)
			exec("INSERT INTO staff(id, school_id) VALUES (70000000, 1);"
			    "INSERT INTO s_jbxx(staff_id, XM, CSRQ, CJGNY) VALUES (70000000, '王五', '1990-02-03', '2012-09');"
			    "INSERT INTO s_gwpr(staff_id, seq, PRKSNY, RZKSNY) VALUES (70000000, 1, '1989-01', '2013-01')");
		scope_findings(&all, &g);
		assert_true(g.n > 500);
		bulk = joined(&g);
		one = each_person("SELECT id FROM staff", &g);
		assert_string_equal(bulk, one);
		if (round == 1)
			assert_non_null(strstr(bulk, "70000000 zxx gwpr 1 constraint:PRKSNY"));
		for (size_t i = 0; i < sizeof planted_rules / sizeof *planted_rules; i++)
			assert_non_null(strstr(bulk, planted_rules[i]));
		/* one school: the persons of school 1 among the whole file's lines */
		scope_findings(&school, &g);
		sch = joined(&g);
		part = each_person("SELECT id FROM staff WHERE school_id = 1", &g);
		assert_string_equal(sch, part);
		/* in slices of a few persons each (as import checks a large
		 * school): the same findings in the same order */
		free(part);
		scope_findings(&school, &g);
		part = in_order(&g);
		setenv("JZG_CHECK_SLICE", "3", 1);
		scope_findings(&school, &g);
		unsetenv("JZG_CHECK_SLICE");
		sliced = in_order(&g);
		assert_true(strlen(part) > 1000);
		assert_string_equal(part, sliced);
		free(sliced);
		free(bulk);
		free(one);
		free(sch);
		free(part);
	}
	exec("ROLLBACK TO plant; RELEASE plant");
	strbuf_free(&plant);
}

/* The person's SFZJH, CSRQ and XBM set to id, birth, sex. */
static void
id_planted(const char *want, const char *id, const char *birth, const char *sex)
{
	planted(want, "UPDATE s_jbxx SET SFZJLXM = '1', SFZJH = '%s', CSRQ = '%s', XBM = '%s' WHERE staff_id = %lld",
	    id, birth, sex, p1);
}

static void
id_numbers(void **state)
{
	char id[19] = "11010519990230001";

	(void)state;
	id_planted("", "11010519491231002X", "1949-12-31", "2");           /* X check character */
	id_planted("jbxx_sfzjh_valid jbxx SFZJH error", "110105194912310021", "1949-12-31", "2");
	id_planted("jbxx_sfzjh_15 jbxx SFZJH warning", "110105491231002", "1949-12-31", "2");
	id[17] = idcard_check_char(id);                                   /* right check, 2月30日 */
	id[18] = '\0';
	id_planted("jbxx_sfzjh_valid jbxx SFZJH error", id, "1949-12-31", "1");
	id_planted("constraint:SFZJH jbxx SFZJH error\njbxx_sfzjh_norm jbxx SFZJH warning",
	    "11010519491231002x", "1949-12-31", "2");
	id_planted("constraint:SFZJH jbxx SFZJH error\njbxx_sfzjh_norm jbxx SFZJH warning",
	    "１１010519491231002X", "1949-12-31", "2");
	id_planted("jbxx_csrq_idcard jbxx CSRQ warning", "11010519491231002X", "1949-12-30", "2");
	id_planted("jbxx_xb_idcard jbxx XBM warning", "11010519491231002X", "1949-12-31", "1");
}

/* Both persons get other ID documents (类型 2), so that only the
 * duplicate rules look at the copied number. */
static void
duplicate_ids(void **state)
{
	(void)state;
	planted("jbxx_sfzjh_dup_school jbxx SFZJH error\njbxx_sfzjh_dup_school jbxx SFZJH error",
	    "UPDATE s_jbxx SET SFZJLXM = '2', SFZJH = 'E1234567' WHERE staff_id IN (%lld, %lld)", p1, p2);
	planted("jbxx_sfzjh_dup jbxx SFZJH warning\njbxx_sfzjh_dup jbxx SFZJH warning",
	    "UPDATE s_jbxx SET SFZJLXM = '2', SFZJH = 'E1234567' WHERE staff_id IN (%lld, %lld)", p1, p3);
	planted("", "UPDATE s_jbxx SET SFZJLXM = '2', SFZJH = 'E1234567' WHERE staff_id = %lld", p1);
}

static void
explanations(void **state)
{
	char *cause = NULL, *have;
	struct got g;

	(void)state;
	exec("SAVEPOINT plant");
	have = xasprintf("UPDATE s_jbxx SET CSRQ = date(CSRQ, '+1 day') WHERE staff_id = %lld", p1);
	exec(have);
	free(have);
	/* an error cannot be explained; a warning can, once, and is then marked */
	assert_int_equal(rules_explain(rules, p1, "required:XM", NULL, 0, "理由", &cause), JZG_ERR_INVALID);
	assert_non_null(strstr(cause, "不能说明"));
	free(cause);
	cause = NULL;
	assert_int_equal(rules_explain(rules, p1, "no_such_rule", NULL, 0, "理由", &cause), JZG_ERR_NOTFOUND);
	free(cause);
	cause = NULL;
	assert_int_equal(rules_explain(rules, p1, "jbxx_csrq_idcard", NULL, 0, "", &cause), JZG_ERR_USAGE);
	free(cause);
	cause = NULL;
	assert_int_equal(rules_explain(rules, p1, "jbxx_csrq_idcard", NULL, 0, "以档案为准", &cause), JZG_OK);
	assert_int_equal(rules_explain(rules, p1, "jbxx_csrq_idcard", "jbxx", 1, "档案记载如此", &cause), JZG_OK);
	assert_int_equal(q_int(st, "SELECT count(*) FROM explanation"), 1);
	have = findings(&g);
	assert_string_equal(have, "jbxx_csrq_idcard jbxx CSRQ warning");
	assert_string_equal(g.explained, "档案记载如此");
	free(have);
	got_free(&g);
	/* a many-record set with several rows needs the row */
	assert_int_equal(rules_explain(rules, p1, "ndkh_khnd_dup", NULL, 0, "理由", &cause), JZG_ERR_USAGE);
	free(cause);
	cause = NULL;
	assert_int_equal(rules_explain(rules, p1, "ndkh_khnd_dup", NULL, 99, "理由", &cause), JZG_ERR_NOTFOUND);
	free(cause);
	exec("ROLLBACK TO plant; RELEASE plant");
}

static void
one_record(void **state)
{
	const struct template_def *t = defs_template(defs, "zxx");
	const struct set_def *s = defs_set(t->set, t->nset, "jbxx");
	char *cause = NULL;
	struct got g = { 0 };

	(void)state;
	exec("SAVEPOINT plant");
	exec("UPDATE s_jbxx SET XM = NULL, MZM = '99'");
	assert_int_equal(rules_check_record(rules, t, s, p1, collect, &g, &cause), JZG_OK);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.staff, p1);
	exec("ROLLBACK TO plant; RELEASE plant");
	for (size_t i = 0; i < g.n; i++)
		free(g.line[i]);
	free(g.line);
	got_free(&g);
}

/* A file as jzg 0.1 wrote it (schema version 1: no explanation table)
 * opens and gains the table. */
static void
version1_file_migrates(void **state)
{
	char p[] = "/tmp/jzg_rules_v1_XXXXXX", *cause = NULL;
	struct store *s1;
	sqlite3 *db;
	int fd = mkstemp(p);

	(void)state;
	close(fd);
	unlink(p);
	assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);"
	    "CREATE TABLE school(id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, name TEXT NOT NULL,"
	    " template TEXT NOT NULL, expected_staff INTEGER, created TEXT NOT NULL DEFAULT (datetime('now','localtime')),"
	    " updated TEXT NOT NULL DEFAULT (datetime('now','localtime')));"
	    "CREATE TABLE staff(id INTEGER PRIMARY KEY, school_id INTEGER NOT NULL REFERENCES school(id) ON DELETE CASCADE,"
	    " state TEXT NOT NULL DEFAULT 'draft', created TEXT NOT NULL DEFAULT (datetime('now','localtime')),"
	    " updated TEXT NOT NULL DEFAULT (datetime('now','localtime')));"
	    "CREATE INDEX staff_school ON staff(school_id);"
	    "PRAGMA application_id = 1247430449; PRAGMA user_version = 1;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(audit_open(p, defs, 0, &s1, &cause), JZG_OK);
	assert_int_equal(q_int(s1, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	assert_int_equal(q_int(s1, "SELECT count(*) FROM pragma_table_info('explanation')"), 6);
	store_close(s1);
	unlink(p);
}

/* REGEXP after rules_new (the fast path for simple patterns) answers as
 * POSIX regexec does, pattern by pattern and subject by subject. */
static void
regexp_as_regexec(void **state)
{
	static const char *const pat[] = {
		"^[0-9]{17}[0-9X]$", "^[0-9]{15}$", "^1[0-9]{10}$", "^[^@ ]+@[^@ ]+\\.[^@ ]+$",
		"^[0-9+() -]{5,30}$", "^a+b*c?$", "^[a-c]{2,3}x$", "^\\.$", "^$", "^[0-9]{2,}$", "^a{0}b$",
		"^a{1}{2}$", "^[a^]-$", "abc", "^[^a]*b$", "^[^ ]+$", "^x[^0-9]+$", "^[^@]{2}$", "^[^a][^b]+$",
		"^[^@ ]+[^.]+$", "^[^ ]*$",
	};
	static const char *const subj[] = {
		"", "1", "12", "123", "110105194912310021", "11010519491231002X", "11010519491231002x",
		"110105491231002", "13812345678", "a@b.c", "张@三.中", "(010) 1234-5678", "aab", "ac", "abc", "bcx",
		"abcx", "abcax", ".", "x", "1２3", "１２３４５", "b", "a^-", "^-", "zabcz",
		/* multibyte, malformed UTF-8, spaces and line breaks around the negated classes */
		"张三@例子.中国", "a b@c.d", "@b.c", "a@b.", "é@é.é", "\xff@a.b", "\xc3@a.b", "a@\xe5\xbc.c",
		"ab\n@c.d", "éb", "xé", "x1é", "ééb", "é", "中中", "\xed\xa0\x80@a.b", " ", "a.b",
	};
	sqlite3_stmt *ps;

	(void)state;
	assert_int_equal(sqlite3_prepare_v2(st->db, "SELECT ?2 REGEXP ?1", -1, &ps, NULL), SQLITE_OK);
	for (size_t i = 0; i < sizeof pat / sizeof *pat; i++) {
		regex_t re;

		assert_int_equal(regcomp(&re, pat[i], REG_EXTENDED | REG_NOSUB), 0);
		for (size_t j = 0; j < sizeof subj / sizeof *subj; j++) {
			int want = regexec(&re, subj[j], 0, NULL, 0) == 0;

			sqlite3_bind_text(ps, 1, pat[i], -1, SQLITE_STATIC);
			sqlite3_bind_text(ps, 2, subj[j], -1, SQLITE_STATIC);
			assert_int_equal(sqlite3_step(ps), SQLITE_ROW);
			if (sqlite3_column_int(ps, 0) != want)
				fail_msg("“%s” REGEXP “%s”: got %d, want %d", subj[j], pat[i], !want, want);
			sqlite3_reset(ps);
		}
		regfree(&re);
	}
	sqlite3_finalize(ps);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(clean_file_has_no_finding),
		cmocka_unit_test(required),
		cmocka_unit_test(set_completeness),
		cmocka_unit_test(relevant_or_cleared),
		cmocka_unit_test(formats),
		cmocka_unit_test(length_and_range),
		cmocka_unit_test(codes_and_choice_filter),
		cmocka_unit_test(multi_select),
		cmocka_unit_test(multi_choice_filter),
		cmocka_unit_test(bulk_same_as_one),
		cmocka_unit_test(constraints_and_checks),
		cmocka_unit_test(derived_values),
		cmocka_unit_test(id_numbers),
		cmocka_unit_test(duplicate_ids),
		cmocka_unit_test(explanations),
		cmocka_unit_test(one_record),
		cmocka_unit_test(regexp_as_regexec),
		cmocka_unit_test(version1_file_migrates),
	};

	/* as jzg runs in a UTF-8 locale: regexec then reads characters, which
	 * the REGEXP fast path must agree with */
	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, setup, teardown);
}
