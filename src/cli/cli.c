/* cli.c — the command line: global options, a table of verbs, and the
 * verbs that later modules build on.  Every message is Chinese, one line,
 * with a non-zero exit on error. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "audit.h"
#include "baseline.h"
#include "cli_session.h"
#include "cli_util.h"
#include "defs_report.h"
#include "demo.h"
#include "idcard.h"
#include "layout.h"
#include "lint.h"
#include "paths.h"
#include "record.h"
#include "report.h"
#include "rules.h"
#include "text.h"
#include "school.h"
#include "progress.h"
#include "util.h"

int cli_main(int argc, char **argv);

static void
resolve_dirs(struct app *a, char **forms, char **data)
{
	*forms = a->forms_dir ? xstrdup(a->forms_dir) : paths_forms_dir();
	*data = a->data_dir ? xstrdup(a->data_dir) : paths_data_dir();
}

/* After a command that skipped the lint (a->skip_lint) failed: whether the
 * definitions are at fault, then said as app_load_defs says it. */
static int
defs_at_fault(struct app *a)
{
	struct diag d = { 0 };
	char *forms, *data;
	int bad;

	resolve_dirs(a, &forms, &data);
	if ((bad = lint_expressions(a->defs, &d) != JZG_OK))
		cli_fail("指标定义有 %zu 处错误，请运行 “jzg forms check %s” 查看并修改", d.n + d.more, forms);
	free(forms);
	free(data);
	diag_free(&d);
	return bad;
}

int
app_load_defs(struct app *a)
{
	struct diag d = { 0 };
	char *forms, *data, *cause = NULL;
	enum jzg_status st;

	resolve_dirs(a, &forms, &data);
	st = defs_load(forms, data, &a->defs, &d, &cause);
	/* Compiling every expression of every template (lint) costs ~40 ms; the
	 * client skips it, since the rules engine compiles what it runs and a
	 * failure there also points to `jzg forms check`. */
	if (st == JZG_OK && !a->skip_lint)
		st = lint_expressions(a->defs, &d);
	if (st != JZG_OK) {
		char *where = paths_missing(a->forms_dir ? NULL : forms, a->data_dir ? NULL : data);

		if (where != NULL)
			cli_fail("%s", where);
		else if (cause != NULL)
			cli_fail("无法读取指标定义：%s", cause);
		else
			cli_fail("指标定义有 %zu 处错误，请运行 “jzg forms check %s” 查看并修改", d.n + d.more, forms);
		free(where);
	}
	free(cause);
	free(forms);
	free(data);
	diag_free(&d);
	return st == JZG_OK ? 0 : -1;
}

int
app_open_store(struct app *a, unsigned flags)
{
	char *cause = NULL, *path;

	if (a->db_path == NULL) {
		if ((path = paths_default_db(&cause)) == NULL) {
			cli_fail("%s", cause);
			free(cause);
			return -1;
		}
		a->db_path = a->db_owned = path;
	}
	if (audit_open(a->db_path, a->defs, flags, &a->st, &cause) != JZG_OK) {
		cli_fail("%s", cause ? cause : "无法打开数据文件");
		free(cause);
		return -1;
	}
	/* changes made outside jzg, found on opening: told before anything else */
	if (audit_notice(a->st) != NULL && a->verb != NULL)
		cli_fail("警告：%s", audit_notice(a->st));
	/* who acts, for the audit trail (issue 7); then whether he may (issue 18) */
	if (cli_session_login(a) < 0)
		return -1;
	return a->args != NULL ? cli_gate(a, a->args) : 0;
}

void
app_done(struct app *a)
{
	store_close(a->st);
	defs_free(a->defs);
	operator_free(a->op);
	free(a->db_owned);
	a->st = NULL;
	a->defs = NULL;
	a->op = NULL;
	a->db_owned = NULL;
}

/* ---------------------------------------------------------------- verbs */

static int
forms_check(struct app *a, const struct cli_args *args)
{
	struct diag d = { 0 };
	char *forms, *data, *cause = NULL;
	enum jzg_status st;
	size_t nfield = 0, nset = 0;

	resolve_dirs(a, &forms, &data);
	if (args->argc == 1) {
		char *sibling = xasprintf("%s/../data", args->argv[0]);
		FILE *fp;
		char *idx = xasprintf("%s/codes.tsv", sibling);

		free(forms);
		forms = xstrdup(args->argv[0]);
		if (a->data_dir == NULL && (fp = fopen(idx, "r")) != NULL) {
			char *real = realpath(sibling, NULL);   /* messages name data/, not forms/../data */

			fclose(fp);
			free(data);
			data = real ? real : xstrdup(sibling);
		}
		free(sibling);
		free(idx);
	}
	st = defs_load(forms, data, &a->defs, &d, &cause);
	if (cause != NULL) {
		char *where = paths_missing(a->forms_dir || args->argc == 1 ? NULL : forms, a->data_dir ? NULL : data);

		cli_fail("%s", where ? where : cause);
		free(where);
		free(cause);
		free(forms);
		free(data);
		diag_free(&d);
		return EXIT_FAIL;
	}
	if (st == JZG_OK || st == JZG_ERR_DEFS) {
		lint_expressions(a->defs, &d);
		layout_check(a->defs, &d);   /* export.tsv: read by export and import only */
	}
	diag_print(&d, stdout);
	for (size_t i = 0; i < a->defs->nall; i++) {
		nset++;
		nfield += a->defs->all[i].nfield;
	}
	if (d.n > 0)
		fprintf(stderr, "jzg: 指标定义共有 %zu 处问题（%s，%s）\n", d.n + d.more, forms, data);
	else
		printf("指标定义检查通过：%zu 个模板，%zu 个信息集，%zu 个指标，%zu 个代码表，%zu 条校验规则\n",
		    a->defs->ntpl, nset, nfield, a->defs->codes->ntab, a->defs->ncheck);
	free(forms);
	free(data);
	st = d.n > 0 ? JZG_ERR_DEFS : JZG_OK;
	diag_free(&d);
	return st == JZG_OK ? EXIT_CLEAN : EXIT_FOUND;
}

const struct cli_verb cli_forms_check = {
	.name = "forms check", .usage = "forms check [目录]", .exec = forms_check, .max_args = 1, .scope = CLI_NOFILE,
	.help = "检查指标定义和代码表，逐条列出 文件:行: 问题",
};

enum { REPORT_FORMAT };

/* forms report: the definitions' sources and reliability tags (defs_report). */
static int
forms_report_exec(struct app *a, const struct cli_args *args)
{
	const char *format = cli_arg(args, REPORT_FORMAT);

	if (format != NULL && strcmp(format, "text") != 0 && strcmp(format, "tsv") != 0)
		return cli_fail("--format 只能是 text 或 tsv");
	if (app_load_defs(a) < 0)
		return EXIT_FAIL;
	if (defs_report(a->defs, stdout, format != NULL && strcmp(format, "tsv") == 0) != 0)
		return cli_fail("无法写出报告：%s", strerror(errno));
	return EXIT_CLEAN;
}

const struct cli_verb cli_forms_report = {
	.name = "forms report", .usage = "forms report [--format text|tsv]",
	.help = "列出每个信息集、指标和代码表的来源与可靠性标签，统计确认、推定和缺失的项",
	.opts = (const struct cli_opt[]){ [REPORT_FORMAT] = { "format", CLI_STR }, { NULL, 0 } },
	.exec = forms_report_exec, .scope = CLI_NOFILE,
};

static int
school_list_exec(struct app *a, const struct cli_args *args)
{
	struct school_row *rows;
	char *cause = NULL;
	size_t n;

	(void)args;
	if (app_load_defs(a) < 0 || app_open_store(a, 0) < 0)
		return EXIT_FAIL;
	if (school_list(a->st, &rows, &n, &cause) != JZG_OK) {
		cli_fail("%s", cause);
		free(cause);
		return EXIT_FAIL;
	}
	for (size_t i = 0; i < n; i++) {
		const struct template_def *t = defs_template(a->defs, rows[i].template);

		printf("%s\t%s\t%s\t%d\n", rows[i].code, rows[i].name,
		    t ? t->v[TC_LABEL] : rows[i].template, rows[i].staff);
	}
	school_list_free(rows, n);
	return EXIT_CLEAN;
}

const struct cli_verb cli_school_list = {
	.name = "school list", .usage = "school list", .exec = school_list_exec, .needs_db = 1,
	.roles = CLI_ANYONE, .scope = CLI_FILE,
	.help = "列出文件中的学校和已录入人数",
};

enum { SCHOOL_CODE, SCHOOL_NAME, SCHOOL_TYPE };

static int
school_add_exec(struct app *a, const struct cli_args *args)
{
	const char *code = cli_arg(args, SCHOOL_CODE), *name = cli_arg(args, SCHOOL_NAME);
	const char *type = cli_arg(args, SCHOOL_TYPE);
	char *cause = NULL;

	if (code == NULL || name == NULL || type == NULL) {
		cli_fail("school add 需要 --code、--name 和 --type 三个参数");
		return EXIT_FAIL;
	}
	if (app_load_defs(a) < 0 || app_open_store(a, STORE_CREATE) < 0)
		return EXIT_FAIL;
	if (school_add(a->st, code, name, type, NULL, &cause) != JZG_OK) {
		cli_fail("%s", cause);
		free(cause);
		return EXIT_FAIL;
	}
	printf("已添加学校：%s %s\n", code, name);
	return EXIT_CLEAN;
}

const struct cli_verb cli_school_add = {
	.name = "school add", .usage = "school add --code 学校标识码 --name 学校名称 --type zxx|zz|tj|yey|gx",
	.help = "添加学校（学校标识码须为 10 位，类别码和省份码须有效）",
	.opts = (const struct cli_opt[]){ [SCHOOL_CODE] = { "code", CLI_STR }, [SCHOOL_NAME] = { "name", CLI_STR },
	    [SCHOOL_TYPE] = { "type", CLI_STR }, { NULL, 0 } },
	.exec = school_add_exec, .needs_db = 1, .roles = CLI_ADMIN, .scope = CLI_COUNTY,
};

enum { DEMO_STAFF, DEMO_SCHOOL, DEMO_SEED };

static int
demo_exec(struct app *a, const struct cli_args *args)
{
	const char *staff = cli_arg(args, DEMO_STAFF), *school = cli_arg(args, DEMO_SCHOOL);
	const char *seeds = cli_arg(args, DEMO_SEED);
	long n = -1, seed = 1;
	sqlite3_int64 sid = 0;
	char *cause = NULL;
	struct progress pg;
	struct progress_term bar;
	enum jzg_status st;

	if (staff != NULL && str_count(staff, 1, 1000000, &n) < 0) {
		cli_fail("--staff 应为 1 到 1000000 的整数");
		return EXIT_FAIL;
	}
	if (seeds != NULL && str_count(seeds, 0, 2147483647, &seed) < 0) {
		cli_fail("--seed 应为非负整数");
		return EXIT_FAIL;
	}
	if (n < 0)
		return cli_usage(args);
	if (app_load_defs(a) < 0 || app_open_store(a, 0) < 0)
		return EXIT_FAIL;
	if (school != NULL) {
		if (school_find(a->st, school, &sid, &cause) != JZG_OK || sid == 0) {
			cli_fail("文件中没有学校标识码为 %s 的学校", school);
			free(cause);
			return EXIT_FAIL;
		}
	} else {
		struct school_row *rows;
		size_t k;

		if (school_list(a->st, &rows, &k, &cause) != JZG_OK) {
			cli_fail("%s", cause);
			free(cause);
			return EXIT_FAIL;
		}
		if (k == 1)
			sid = rows[0].id;
		school_list_free(rows, k);
		if (k != 1) {
			cli_fail(k == 0 ? "文件中还没有学校，请先用 school add 添加" :
			    "文件中有多所学校，请用 --school 指定学校标识码");
			return EXIT_FAIL;
		}
	}
	progress_term_init(&pg, &bar, "生成演示数据");
	st = demo_fill_progress(a->st, sid, (int)n, (uint64_t)seed, &pg, &cause);
	progress_term_done(&bar);
	if (st != JZG_OK) {
		cli_fail("生成演示数据失败：%s", cause ? cause : "");
		free(cause);
		return EXIT_FAIL;
	}
	printf("已生成 %ld 名演示教职工\n", n);
	return EXIT_CLEAN;
}

const struct cli_verb cli_demo = {
	.name = "demo", .usage = "demo --staff N [--school 学校标识码] [--seed 数]",
	.help = "为学校生成 N 名演示教职工（各信息集均填写，符合校验规则）",
	.opts = (const struct cli_opt[]){ [DEMO_STAFF] = { "staff", CLI_STR },
	    [DEMO_SCHOOL] = { "school", CLI_STR, CLI_T_SCHOOL }, [DEMO_SEED] = { "seed", CLI_STR }, { NULL, 0 } },
	/* synthetic people keyed by nobody: never into a file whose trail names its operators */
	.exec = demo_exec, .needs_db = 1, .roles = 0, .scope = CLI_SCHOOL,
};

/* The person with this 身份证件号, or 0 after saying why. */
static sqlite3_int64
find_staff(struct app *a, const char *idno)
{
	sqlite3_int64 id = 0;
	char *cause = NULL;

	if (record_find_staff(a->st, idno, &id, NULL, &cause) != JZG_OK) {
		cli_fail("%s", cause ? cause : "无法查找人员");
		free(cause);
	}
	return id;
}

enum { CHECK_SCHOOL, CHECK_STAFF, CHECK_FORMAT };

static int
check_exec(struct app *a, const struct cli_args *args)
{
	const char *school = cli_arg(args, CHECK_SCHOOL), *staff = cli_arg(args, CHECK_STAFF);
	const char *format = cli_arg(args, CHECK_FORMAT) ? cli_arg(args, CHECK_FORMAT) : "text";
	struct report_opts o = { { 0, 0 }, REPORT_TEXT };
	struct rules *r;
	char *cause = NULL;
	int found = 0;

	if (strcmp(format, "tsv") == 0)
		o.format = REPORT_TSV;
	else if (strcmp(format, "json") == 0)
		o.format = REPORT_JSON;
	else if (strcmp(format, "text") != 0) {
		cli_fail("--format 只能是 text、tsv 或 json");
		return EXIT_FAIL;
	}
	/* rules_new compiles, and the check prepares, every expression the
	 * check runs, so linting all ~1,300 first (7 % of the instructions of
	 * a 4,000-person check) finds nothing more; they are linted only when
	 * the check fails, to name a definition at fault as before */
	a->skip_lint = 1;
	if (app_load_defs(a) < 0 || app_open_store(a, 0) < 0)
		return EXIT_FAIL;
	/* after log-in: a school bound operator who named none gets his school (cli_gate) */
	school = cli_arg(args, CHECK_SCHOOL);
	if (school != NULL && (school_find(a->st, school, &o.scope.school_id, &cause) != JZG_OK ||
	    o.scope.school_id == 0)) {
		cli_fail("文件中没有学校标识码为 %s 的学校", school);
		free(cause);
		return EXIT_FAIL;
	}
	if (staff != NULL && (o.scope.staff_id = find_staff(a, staff)) == 0)
		return EXIT_FAIL;
	/* the prior-year rules read last year's person through the link */
	if (baseline_link(a->st, school, &cause) != JZG_OK)
		return cli_fail_cause(cause, "无法读取基线");
	if ((r = rules_new(a->st, &cause)) == NULL) {
		if (!defs_at_fault(a))
			cli_fail("%s", cause ? cause : "无法编译校验规则");
		free(cause);
		return EXIT_FAIL;
	}
	if (report_check(a->st, r, &o, stdout, &found, &cause) != JZG_OK) {
		if (!defs_at_fault(a))
			cli_fail("%s", cause ? cause : "检查失败");
		free(cause);
		rules_free(r);
		return EXIT_FAIL;
	}
	rules_free(r);
	if (fflush(stdout) != 0) {
		cli_fail("无法写出检查结果：%s", strerror(errno));
		return EXIT_FAIL;
	}
	return found ? EXIT_FOUND : EXIT_CLEAN;
}

const struct cli_verb cli_check = {
	.name = "check", .usage = "check [--school 学校标识码] [--staff 身份证件号] [--format text|tsv|json]",
	.help = "按指标定义检查数据：列出错误和警告，并按学校汇总完整率",
	.opts = (const struct cli_opt[]){ [CHECK_SCHOOL] = { "school", CLI_STR, CLI_T_SCHOOL },
	    [CHECK_STAFF] = { "staff", CLI_STR, CLI_T_PERSON }, [CHECK_FORMAT] = { "format", CLI_STR }, { NULL, 0 } },
	.exec = check_exec, .needs_db = 1, .roles = CLI_ANYONE, .scope = CLI_SCHOOL,
};

enum { EXPLAIN_STAFF, EXPLAIN_RULE, EXPLAIN_SET, EXPLAIN_ROW, EXPLAIN_REASON };

static int
explain_exec(struct app *a, const struct cli_args *args)
{
	const char *staff = cli_arg(args, EXPLAIN_STAFF), *rule = cli_arg(args, EXPLAIN_RULE);
	const char *set = cli_arg(args, EXPLAIN_SET), *rows = cli_arg(args, EXPLAIN_ROW);
	const char *reason = cli_arg(args, EXPLAIN_REASON);
	long row = 0;
	sqlite3_int64 sid;
	struct rules *r;
	char *cause = NULL, *masked;
	enum jzg_status st;

	if (rows != NULL && str_count(rows, 1, 1000000, &row) < 0) {
		cli_fail("--row 应为正整数（检查结果中的第几条）");
		return EXIT_FAIL;
	}
	if (staff == NULL || rule == NULL || reason == NULL)
		return cli_usage(args);
	if (app_load_defs(a) < 0 || app_open_store(a, 0) < 0 || (sid = find_staff(a, staff)) == 0)
		return EXIT_FAIL;
	if ((r = rules_new(a->st, &cause)) == NULL) {
		cli_fail("%s", cause ? cause : "无法编译校验规则");
		free(cause);
		return EXIT_FAIL;
	}
	st = rules_explain(r, sid, rule, set, (int)row, reason, &cause);
	rules_free(r);
	if (st != JZG_OK) {
		cli_fail("%s", cause ? cause : "无法保存说明");
		free(cause);
		return EXIT_FAIL;
	}
	masked = idcard_mask(staff);
	printf("已记录说明：%s %s\n", masked, rule);
	free(masked);
	return EXIT_CLEAN;
}

const struct cli_verb cli_explain = {
	.name = "explain", .usage = "explain --staff 身份证件号 --rule 规则 [--set 信息集 --row 第几条] --reason 理由",
	.help = "说明一条警告（说明后仍列出，但不影响完整率）",
	.opts = (const struct cli_opt[]){ [EXPLAIN_STAFF] = { "staff", CLI_STR, CLI_T_PERSON },
	    [EXPLAIN_RULE] = { "rule", CLI_STR },
	    [EXPLAIN_SET] = { "set", CLI_STR }, [EXPLAIN_ROW] = { "row", CLI_STR },
	    [EXPLAIN_REASON] = { "reason", CLI_STR }, { NULL, 0 } },
	.exec = explain_exec, .needs_db = 1, .roles = CLI_ANYONE, .scope = CLI_SCHOOL,
};

/* ---------------------------------------------------------------- table */

static int help_exec(struct app *a, const struct cli_args *args);

static const struct cli_verb cli_help = {
	.name = "help", .usage = "help [--roles]", .help = "显示本帮助；--roles 列出各命令允许的角色和范围",
	.opts = (const struct cli_opt[]){ [0] = { "roles", CLI_FLAG }, { NULL, 0 } },
	.exec = help_exec, .scope = CLI_NOFILE,
};

/* Every verb, in the order `jzg --help` lists them. */
static const struct cli_verb *const verbs[] = {
	&cli_school_add, &cli_school_list, &cli_demo, &cli_export, &cli_import, &cli_photo_import,
	&cli_photo_export, &cli_print_sheet,
	&cli_print_form, &cli_printers, &cli_sign, &cli_check, &cli_explain, &cli_user_add, &cli_user_list,
	&cli_user_passwd, &cli_user_disable, &cli_submit, &cli_approve, &cli_reject, &cli_unlock,
	&cli_confirm, &cli_log, &cli_verify, &cli_stats, &cli_weekly, &cli_expect, &cli_pack, &cli_merge,
	&cli_baseline_set, &cli_baseline_list, &cli_baseline_drop, &cli_changes,
	&cli_rekey_start, &cli_rekey_report, &cli_rekey_compare,
	&cli_forms_check, &cli_forms_report, &cli_help,
};
#define NVERB (sizeof verbs / sizeof verbs[0])

static int
help_exec(struct app *a, const struct cli_args *args)
{
	(void)a;
	if (args != NULL && cli_flag(args, 0)) {
		cli_gate_table(verbs, NVERB, stdout);
		return EXIT_CLEAN;
	}
	printf("jzg %s — 全国教职工基础信息采集离线录入客户端\n\n", JZG_VERSION);
	printf("用法：\n  jzg [--db 数据文件]              打开录入界面（默认数据文件 $XDG_DATA_HOME/jzg/jzg.db）\n");
	for (size_t i = 0; i < NVERB; i++)
		cli_verb_print(verbs[i], stdout);
	printf("\n全局选项（写在命令之前；带值的选项也可写成 --db=文件）：\n"
	    "  --db 文件      数据文件\n  --forms 目录   指标定义目录（默认为安装目录中的 forms）\n"
	    "  --data 目录    代码表目录\n  --user 用户名  以操作员身份登录（密码取自 JZG_PASSWORD，未设置时在终端输入）\n"
	    "  --help         显示本帮助（也可写 -h；jzg 命令 --help 只显示该命令的用法）\n"
	    "  --version      显示版本（也可写 -V）\n");
	printf("\n退出状态：0 成功；1 检查发现问题；2 出错。\n");
	return EXIT_CLEAN;
}

/* Does verb name v (one or two words) start argv[0..argc)?  Returns how
 * many words it took (0: no). */
static int
verb_matches(const char *v, int argc, char **argv)
{
	const char *sp = strchr(v, ' ');

	if (sp == NULL)
		return strcmp(v, argv[0]) == 0;
	if (strncmp(v, argv[0], (size_t)(sp - v)) != 0 || argv[0][sp - v] != '\0')
		return 0;
	return argc > 1 && strcmp(sp + 1, argv[1]) == 0 ? 2 : -1;
}

/* Run the verb at argv[0]; argc > 0. */
static int
run_verb(struct app *a, int argc, char **argv)
{
	const struct cli_verb *family[8];
	struct cli_args args = { 0 };
	size_t nfam = 0;
	int words, parsed, rc;

	for (size_t i = 0; i < NVERB; i++) {
		if ((words = verb_matches(verbs[i]->name, argc, argv)) > 0) {
			/* the verb's options follow its last word */
			parsed = cli_args_parse(verbs[i], argc - words + 1, argv + words - 1, &args);
			if (parsed == 1) {
				cli_verb_print(verbs[i], stdout);
				rc = EXIT_CLEAN;
			} else if (parsed < 0)
				rc = EXIT_FAIL;
			else {
				a->verb = verbs[i]->name;
				a->args = &args;
				rc = verbs[i]->exec(a, &args);
				a->args = NULL;
			}
			cli_args_free(&args);
			return rc;
		}
		if (words < 0 && nfam < sizeof family / sizeof family[0])
			family[nfam++] = verbs[i];
	}
	if (nfam == 0)
		return cli_fail("不认识的命令 “%s”（用 jzg --help 查看用法）", argv[0]);
	/* "jzg school", "jzg school --help", "jzg print frob": the forms of the verb */
	rc = argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) ? EXIT_CLEAN : EXIT_FAIL;
	if (rc == EXIT_FAIL)
		fprintf(stderr, "jzg: %s 后面需要 ", argv[0]);
	for (size_t i = 0; i < nfam; i++)
		if (rc == EXIT_FAIL)
			fprintf(stderr, "%s%s", i ? "、" : "", strchr(family[i]->name, ' ') + 1);
		else
			cli_verb_print(family[i], stdout);
	if (rc == EXIT_FAIL)
		fprintf(stderr, "（用 jzg %s --help 查看用法）\n", argv[0]);
	return rc;
}

int
cli_main(int argc, char **argv)
{
	static const struct option global[] = {
		{ "db", required_argument, NULL, 'd' }, { "forms", required_argument, NULL, 'f' },
		{ "data", required_argument, NULL, 'D' }, { "user", required_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' }, { "version", no_argument, NULL, 'V' }, { NULL, 0, NULL, 0 }
	};
	struct app a = { 0 };
	int c, rc, k = 0;

	clock_gettime(CLOCK_MONOTONIC, &a.started);
	/* every text that enters by the command line — names, reasons, paths —
	 * is judged once, here (text.h); the argument is not echoed: it may
	 * hold an Esc sequence */
	for (int i = 1; i < argc; i++)
		if (text_fault(argv[i], TEXT_ANY) != NULL)
			return cli_fail("命令行第 %d 项%s，未执行任何操作", i, text_fault(argv[i], TEXT_ANY));
	opterr = 0;   /* getopt's own messages are English */
	/* "+": the global options end at the verb; the verb's own follow it */
	while ((c = getopt_long(argc, argv, "+:hV", global, &k)) != -1) {
		switch (c) {
		case 'h': return help_exec(&a, NULL);
		case 'V': printf("jzg %s\n", JZG_VERSION); return EXIT_CLEAN;
		case ':': return cli_fail("%s 后面需要%s", argv[optind - 1],
		    strncmp(argv[optind - 1], "--user", 6) == 0 ? "用户名" : "一个路径");
		case '?': return cli_fail("不认识的选项 %s（用 jzg --help 查看用法）", argv[optind - 1]);
		}
		if (*optarg == '\0')   /* --db "" or --db= */
			return cli_fail("--%s 后面需要%s", global[k].name, c == 'u' ? "用户名" : "一个路径");
		if (c == 'd')
			a.db_path = optarg;
		else if (c == 'f')
			a.forms_dir = optarg;
		else if (c == 'D')
			a.data_dir = optarg;
		else
			a.user = optarg;      /* who acts (cli_session.c) */
	}
	if (optind == argc) {
		a.skip_lint = 1;
		if ((rc = ui_can_start()) != 0)
			return rc;
		if (app_load_defs(&a) < 0 || app_open_store(&a, STORE_CREATE | AUDIT_LATE) < 0) {
			app_done(&a);
			return EXIT_FAIL;
		}
		rc = ui_run(&a);
	} else
		rc = run_verb(&a, argc - optind, argv + optind);
	app_done(&a);
	return rc;
}
