/* cli.c — the command line: global options, a table of verbs, and the
 * verbs that later modules build on.  Every message is Chinese, one line,
 * with a non-zero exit on error. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "audit.h"
#include "cli_print.h"
#include "cli_session.h"
#include "cli_util.h"
#include "demo.h"
#include "idcard.h"
#include "layout.h"
#include "lint.h"
#include "paths.h"
#include "record.h"
#include "report.h"
#include "rules.h"
#include "school.h"
#include "util.h"

int cli_main(int argc, char **argv);

static void
resolve_dirs(struct app *a, char **forms, char **data)
{
	*forms = a->forms_dir ? xstrdup(a->forms_dir) : paths_forms_dir();
	*data = a->data_dir ? xstrdup(a->data_dir) : paths_data_dir();
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
			cli_fail("指标定义有 %zu 处错误，请运行 “jzg forms check %s” 查看并修改", d.n, forms);
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
	return cli_session_login(a);   /* who acts, for the audit trail (issue 7) */
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
verb_forms(struct app *a, int argc, char **argv)
{
	struct diag d = { 0 };
	char *forms, *data, *cause = NULL;
	enum jzg_status st;
	size_t nfield = 0, nset = 0;

	if (argc < 2 || strcmp(argv[1], "check") != 0 || argc > 3) {
		cli_fail("用法：jzg forms check [指标定义目录]");
		return EXIT_FAIL;
	}
	resolve_dirs(a, &forms, &data);
	if (argc == 3) {
		char *sibling = xasprintf("%s/../data", argv[2]);
		FILE *fp;
		char *idx = xasprintf("%s/codes.tsv", sibling);

		free(forms);
		forms = xstrdup(argv[2]);
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
		char *where = paths_missing(a->forms_dir || argc == 3 ? NULL : forms, a->data_dir ? NULL : data);

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
		fprintf(stderr, "jzg: 指标定义共有 %zu 处问题（%s，%s）\n", d.n, forms, data);
	else
		printf("指标定义检查通过：%zu 个模板，%zu 个信息集，%zu 个指标，%zu 个代码表，%zu 条校验规则\n",
		    a->defs->ntpl, nset, nfield, a->defs->codes->ntab, a->defs->ncheck);
	free(forms);
	free(data);
	st = d.n > 0 ? JZG_ERR_DEFS : JZG_OK;
	diag_free(&d);
	return st == JZG_OK ? EXIT_CLEAN : EXIT_FOUND;
}

static int
verb_school(struct app *a, int argc, char **argv)
{
	const char *code = NULL, *name = NULL, *type = NULL;
	const struct cli_opt opts[] = {
		{ "code", CLI_STR, &code }, { "name", CLI_STR, &name }, { "type", CLI_STR, &type }, { NULL, 0, NULL }
	};
	char *cause = NULL;

	if (argc < 2 || (strcmp(argv[1], "add") != 0 && strcmp(argv[1], "list") != 0)) {
		cli_fail("用法：jzg --db 文件 school add --code 学校标识码 --name 学校名称 --type zxx|zz|tj|yey|gx，或 school list");
		return EXIT_FAIL;
	}
	if (strcmp(argv[1], "list") == 0) {
		struct school_row *rows;
		size_t n;

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
	if (cli_opts(argc, argv, 2, "school add", opts, NULL) < 0)
		return EXIT_FAIL;
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

static int
verb_demo(struct app *a, int argc, char **argv)
{
	const char *school = NULL, *staff = NULL, *seeds = NULL;
	const struct cli_opt opts[] = {
		{ "staff", CLI_STR, &staff }, { "school", CLI_STR, &school }, { "seed", CLI_STR, &seeds },
		{ NULL, 0, NULL }
	};
	long n = -1, seed = 1;
	sqlite3_int64 sid = 0;
	char *cause = NULL;

	if (cli_opts(argc, argv, 1, "demo", opts, NULL) < 0)
		return EXIT_FAIL;
	if (staff != NULL && cli_count(staff, 1, 1000000, &n) < 0) {
		cli_fail("--staff 应为 1 到 1000000 的整数");
		return EXIT_FAIL;
	}
	if (seeds != NULL && cli_count(seeds, 0, 2147483647, &seed) < 0) {
		cli_fail("--seed 应为非负整数");
		return EXIT_FAIL;
	}
	if (n < 0) {
		cli_fail("用法：jzg --db 文件 demo --staff 人数 [--school 学校标识码] [--seed 数]");
		return EXIT_FAIL;
	}
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
	if (demo_fill(a->st, sid, (int)n, (uint64_t)seed, &cause) != JZG_OK) {
		cli_fail("生成演示数据失败：%s", cause ? cause : "");
		free(cause);
		return EXIT_FAIL;
	}
	printf("已生成 %ld 名演示教职工\n", n);
	return EXIT_CLEAN;
}

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

static int
verb_check(struct app *a, int argc, char **argv)
{
	const char *school = NULL, *staff = NULL, *format = "text";
	const struct cli_opt opts[] = {
		{ "school", CLI_STR, &school }, { "staff", CLI_STR, &staff }, { "format", CLI_STR, &format },
		{ NULL, 0, NULL }
	};
	struct report_opts o = { { 0, 0 }, REPORT_TEXT };
	struct rules *r;
	char *cause = NULL;
	int found = 0, first;

	if ((first = cli_opts(argc, argv, 1, "check", opts, NULL)) < 0)
		return EXIT_FAIL;
	if (strcmp(format, "tsv") == 0)
		o.format = REPORT_TSV;
	else if (strcmp(format, "json") == 0)
		o.format = REPORT_JSON;
	else if (strcmp(format, "text") != 0) {
		cli_fail("--format 只能是 text、tsv 或 json");
		return EXIT_FAIL;
	}
	if (first < argc) {
		cli_fail("用法：jzg --db 文件 check [--school 学校标识码] [--staff 身份证件号] [--format text|tsv|json]");
		return EXIT_FAIL;
	}
	if (app_load_defs(a) < 0 || app_open_store(a, 0) < 0)
		return EXIT_FAIL;
	if (school != NULL && (school_find(a->st, school, &o.scope.school_id, &cause) != JZG_OK ||
	    o.scope.school_id == 0)) {
		cli_fail("文件中没有学校标识码为 %s 的学校", school);
		free(cause);
		return EXIT_FAIL;
	}
	if (staff != NULL && (o.scope.staff_id = find_staff(a, staff)) == 0)
		return EXIT_FAIL;
	if ((r = rules_new(a->st, &cause)) == NULL) {
		cli_fail("%s", cause ? cause : "无法编译校验规则");
		free(cause);
		return EXIT_FAIL;
	}
	if (report_check(a->st, r, &o, stdout, &found, &cause) != JZG_OK) {
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

static int
verb_explain(struct app *a, int argc, char **argv)
{
	const char *staff = NULL, *rule = NULL, *set = NULL, *rows = NULL, *reason = NULL;
	const struct cli_opt opts[] = {
		{ "staff", CLI_STR, &staff }, { "rule", CLI_STR, &rule }, { "set", CLI_STR, &set },
		{ "row", CLI_STR, &rows }, { "reason", CLI_STR, &reason }, { NULL, 0, NULL }
	};
	long row = 0;
	sqlite3_int64 sid;
	struct rules *r;
	char *cause = NULL, *masked;
	enum jzg_status st;
	int first;

	if ((first = cli_opts(argc, argv, 1, "explain", opts, NULL)) < 0)
		return EXIT_FAIL;
	if (rows != NULL && cli_count(rows, 1, 1000000, &row) < 0) {
		cli_fail("--row 应为正整数（检查结果中的第几条）");
		return EXIT_FAIL;
	}
	if (staff == NULL || rule == NULL || reason == NULL || first < argc) {
		cli_fail("用法：jzg --db 文件 explain --staff 身份证件号 --rule 规则 [--set 信息集 --row 第几条] --reason 理由");
		return EXIT_FAIL;
	}
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

static int verb_help(struct app *a, int argc, char **argv);
int verb_export(struct app *a, int argc, char **argv);   /* cli_xlsx.c */
int verb_import(struct app *a, int argc, char **argv);
int verb_user(struct app *a, int argc, char **argv);        /* cli_workflow.c */
int verb_transition(struct app *a, int argc, char **argv);
int verb_log(struct app *a, int argc, char **argv);
int verb_stats(struct app *a, int argc, char **argv);
int verb_weekly(struct app *a, int argc, char **argv);
int verb_expect(struct app *a, int argc, char **argv);
int verb_pack(struct app *a, int argc, char **argv);
int verb_merge(struct app *a, int argc, char **argv);

static const struct verb {
	const char *name;
	int (*run)(struct app *, int, char **);
	const char *usage;
	const char *help;
} verbs[] = {
	{ "school", verb_school, "school add --code 学校标识码 --name 学校名称 --type zxx|zz|tj|yey|gx", "添加学校（学校标识码须为 10 位，类别码和省份码须有效）" },
	{ "school", verb_school, "school list", "列出文件中的学校和已录入人数" },
	{ "demo", verb_demo, "demo --staff N [--school 学校标识码] [--seed 数]", "为学校生成 N 名演示教职工（各信息集均填写，符合校验规则）" },
	{ "export", verb_export, "export [--school 学校标识码 ...|--all] [--out 目录] [--zip]", "导出官方 Excel 模板：每校一个 学校标识码_学校名称_模板名称.xlsx；--zip 按模板打包为 模板名称_YYYYMMDD.zip" },
	{ "import", verb_import, "import [--school 学校标识码] [--keep-good] [--max-part MB] 文件.xlsx|目录|文件.zip ...", "导入填好的模板：整个文件要么全部导入要么不导入；--keep-good 只导入没有错误的人员" },
	{ "print", verb_print, "print sheet [--staff 身份证件号 …|--school 学校标识码] --out 文件.pdf [--print]", "打印教师信息确认表（每人一份，含签字栏和校验码）；--print 同时送打印机" },
	{ "print", verb_print, "print form --type zxx|zz|tj|yey|gx --out 文件.pdf [--print]", "打印空白的教职工基础信息采集表，供手工填写" },
	{ "sign", verb_sign, "sign --staff 身份证件号 [--date 年-月-日] [--code 表上的校验码]", "登记确认表已签字返回（记下校验码；之后数据再改动即提示需重新打印签字）" },
	{ "check", verb_check, "check [--school 学校标识码] [--staff 身份证件号] [--format text|tsv|json]", "按指标定义检查数据：列出错误和警告，并按学校汇总完整率" },
	{ "explain", verb_explain, "explain --staff 身份证件号 --rule 规则 [--set 信息集 --row 第几条] --reason 理由", "说明一条警告（说明后仍列出，但不影响完整率）" },
	{ "user", verb_user, "user add --name 用户名 --role 录入员|审核员|管理员 [--school 学校标识码] | list | passwd 用户名 | disable 用户名", "操作员账号（新密码取自 JZG_NEW_PASSWORD 或在终端输入；第一个必须是管理员）" },
	{ "submit", verb_transition, "submit --staff 身份证件号 … | --school 学校标识码", "提交审核（须无错误、警告均已说明）" },
	{ "approve", verb_transition, "approve --staff 身份证件号 … | --school 学校标识码", "审核通过并锁定（审核员或管理员，不能审核自己录入或修改过的人员）" },
	{ "reject", verb_transition, "reject --staff 身份证件号 … | --school 学校标识码 --reason 理由", "退回录入员修改（理由会显示给录入员）" },
	{ "unlock", verb_transition, "unlock --staff 身份证件号 … --reason 理由", "管理员解锁已审核的人员（审核和签字确认随之作废）" },
	{ "confirm", verb_transition, "confirm --staff 身份证件号 … | --school 学校标识码", "已审核且确认表已签字返回（jzg sign）的人员标记为已签字确认" },
	{ "log", verb_log, "log [--staff 身份证件号] [--since 年-月-日] [--field 指标]", "修改记录：谁、何时、经由何处、哪一项由什么改成什么" },
	{ "stats", verb_stats, "stats [--format text|tsv|xlsx] [--out 文件.xlsx] [--sort notice|code|entry|done]", "各校录入进度：应有、已录、录入率、完整率、待审核、已审核、已签字" },
	{ "weekly", verb_weekly, "weekly --out 周报表.xlsx", "生成进度周报表（Excel）" },
	{ "expect", verb_expect, "expect --school 学校标识码 --staff 人数", "登记学校年报中的教职工数（计算录入率用）" },
	{ "pack", verb_pack, "pack --school 学校标识码 --out 文件.db", "把一所学校的数据写到 U 盘上的单独文件（写完校验，提示可以拔出）" },
	{ "merge", verb_merge, "merge [--take mine|theirs] 文件.db …", "把学校的文件合并到本文件：新增的加入，相同的跳过，冲突的逐项列出" },
	{ "forms", verb_forms, "forms check [目录]", "检查指标定义和代码表，逐条列出 文件:行: 问题" },
	{ "help", verb_help, "help", "显示本帮助" },
};

static int
verb_help(struct app *a, int argc, char **argv)
{
	(void)a; (void)argc; (void)argv;
	printf("jzg %s — 全国教职工基础信息采集离线录入客户端\n\n", JZG_VERSION);
	printf("用法：\n  jzg [--db 数据文件]              打开录入界面（默认数据文件 $XDG_DATA_HOME/jzg/jzg.db）\n");
	for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
		printf("  jzg [--db 数据文件] %s\n      %s\n", verbs[i].usage, verbs[i].help);
	printf("\n全局选项：\n  --db 文件      数据文件\n  --forms 目录   指标定义目录（默认为安装目录中的 forms）\n"
	    "  --data 目录    代码表目录\n  --user 用户名  以操作员身份登录（密码取自 JZG_PASSWORD，未设置时在终端输入）\n  --help         显示本帮助\n  --version      显示版本\n");
	printf("\n退出状态：0 成功；1 检查发现问题；2 出错。\n");
	return EXIT_CLEAN;
}

int
cli_main(int argc, char **argv)
{
	struct app a = { 0 };
	int i = 1, rc;

	clock_gettime(CLOCK_MONOTONIC, &a.started);
	while (i < argc && argv[i][0] == '-') {
		const char *opt = argv[i];

		if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0)
			return verb_help(&a, 0, NULL);
		if (strcmp(opt, "--version") == 0) {
			printf("jzg %s\n", JZG_VERSION);
			return EXIT_CLEAN;
		}
		if (strcmp(opt, "--user") == 0) {   /* issue 7: who acts (cli_session.c) */
			if (i + 1 >= argc || argv[i + 1][0] == '\0') {
				cli_fail("--user 后面需要用户名");
				return EXIT_FAIL;
			}
			a.user = argv[i + 1];
			i += 2;
			continue;
		}
		if ((strcmp(opt, "--db") == 0 || strcmp(opt, "--forms") == 0 || strcmp(opt, "--data") == 0)) {
			if (i + 1 >= argc || argv[i + 1][0] == '\0') {
				cli_fail("%s 后面需要一个路径", opt);
				return EXIT_FAIL;
			}
			if (opt[2] == 'd' && opt[3] == 'b')
				a.db_path = argv[i + 1];
			else if (opt[2] == 'f')
				a.forms_dir = argv[i + 1];
			else
				a.data_dir = argv[i + 1];
			i += 2;
			continue;
		}
		cli_fail("不认识的选项 %s（用 jzg --help 查看用法）", opt);
		return EXIT_FAIL;
	}
	if (i == argc) {
		a.skip_lint = 1;
		if (app_load_defs(&a) < 0 || app_open_store(&a, STORE_CREATE | AUDIT_LATE) < 0) {
			app_done(&a);
			return EXIT_FAIL;
		}
		rc = ui_run(&a);
		app_done(&a);
		return rc;
	}
	for (size_t k = 0; k < sizeof verbs / sizeof verbs[0]; k++)
		if (strcmp(argv[i], verbs[k].name) == 0) {
			a.verb = verbs[k].name;
			rc = verbs[k].run(&a, argc - i, argv + i);
			app_done(&a);
			return rc;
		}
	cli_fail("不认识的命令 “%s”（用 jzg --help 查看用法）", argv[i]);
	return EXIT_FAIL;
}
