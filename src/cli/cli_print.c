/* cli_print.c — the verbs `print sheet`, `print form` and `sign` (issue 6).
 * Messages are Chinese, one line each, exit 2 on error. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blankform.h"
#include "lp.h"
#include "pview.h"
#include "school.h"
#include "sheet.h"
#include "signature.h"
#include "util.h"
#include "cli_util.h"
#include "progress.h"
#include "record.h"


/* How to print, from --print, --printer, --copies, --duplex (the last
 * three mean --print).  Returns -1 after saying what is wrong. */
static int
print_opts(const struct cli_args *args, int o_print, int o_printer, int o_copies, int o_duplex, int *print,
    struct lp_job *job)
{
	const char *copies = cli_arg(args, o_copies);
	long c = 1;

	memset(job, 0, sizeof *job);
	job->printer = cli_arg(args, o_printer);
	job->duplex = cli_flag(args, o_duplex);
	if (copies != NULL && str_count(copies, 1, LP_COPIES_MAX, &c) < 0) {
		cli_fail("--copies 要求 1 到 %d 之间的份数，而不是“%s”", LP_COPIES_MAX, copies);
		return -1;
	}
	job->copies = (int)c;
	*print = cli_flag(args, o_print) || job->printer != NULL || copies != NULL;
	return 0;
}

/* After the PDF is saved: send it to the printer when asked.  A printer
 * that took the job but is paused is a warning (exit 1): nothing comes out. */
static int
maybe_print(int print, struct lp_job *job, const char *path)
{
	char *cause = NULL;

	if (!print)
		return EXIT_CLEAN;
	if (lp_print(path, job, &cause) != JZG_OK)
		return cli_fail_cause(cause, "打印失败");
	printf("%s\n", job->msg);
	free(job->msg);
	return job->paused ? EXIT_FOUND : EXIT_CLEAN;
}

/* The staff of one school in entry order (as the client lists them). */
static int
school_staff(struct app *a, const char *code, sqlite3_int64 **ids, size_t *n)
{
	sqlite3_int64 sid = 0;
	sqlite3_stmt *s;
	char *cause = NULL;
	size_t cap = 0;

	if (code == NULL) {
		struct school_row *rows;
		size_t k;

		if (school_list(a->st, &rows, &k, &cause) != JZG_OK)
			return cli_fail_cause(cause, "无法读取学校");
		if (k == 1)
			sid = rows[0].id;
		school_list_free(rows, k);
		if (k != 1) {
			cli_fail(k == 0 ? "文件中还没有学校" : "文件中有多所学校，请用 --school 学校标识码 或 --staff 身份证件号 指定打印谁");
			return EXIT_FAIL;
		}
	} else if (school_find(a->st, code, &sid, &cause) != JZG_OK || sid == 0) {
		free(cause);
		cli_fail("文件中没有学校标识码为 %s 的学校", code);
		return EXIT_FAIL;
	}
	if (store_prepare(a->st, "SELECT id FROM staff WHERE school_id = ? ORDER BY id", &s, &cause) != JZG_OK)
		return cli_fail_cause(cause, "无法读取教职工");
	sqlite3_bind_int64(s, 1, sid);
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			*ids = xreallocarray(*ids, cap, sizeof **ids);
		}
		(*ids)[(*n)++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	if (*n == 0) {
		cli_fail("学校 %s 还没有教职工，没有可打印的确认表", code ? code : "");
		return EXIT_FAIL;
	}
	return EXIT_CLEAN;
}

enum { SHEET_STAFF, SHEET_SCHOOL, SHEET_OUT, SHEET_PRINT, SHEET_PRINTER, SHEET_COPIES, SHEET_DUPLEX };

static int
print_sheet(struct app *a, const struct cli_args *args)
{
	const char *school = cli_arg(args, SHEET_SCHOOL), *out = cli_arg(args, SHEET_OUT);
	const char **want = cli_args_all(args, SHEET_STAFF);
	int rc = EXIT_FAIL, print;
	size_t nwant = 0, n = 0;
	sqlite3_int64 *ids = NULL;
	struct sheet_result res;
	struct sheet_opts so = { 0 };
	struct progress pg;
	struct progress_term bar;
	struct lp_job job;
	char *cause = NULL;
	enum jzg_status st;

	while (want[nwant] != NULL)
		nwant++;
	if (out == NULL || (nwant > 0 && school != NULL))
		return cli_usage(args);
	if (print_opts(args, SHEET_PRINT, SHEET_PRINTER, SHEET_COPIES, SHEET_DUPLEX, &print, &job) < 0)
		return EXIT_FAIL;
	if (app_load_defs(a) < 0 || app_open_store(a, 0) < 0)
		goto done;
	/* after log-in: a school bound operator who named none gets his school (cli_gate) */
	school = cli_arg(args, SHEET_SCHOOL);
	if (nwant > 0) {
		ids = xcalloc(nwant, sizeof *ids);
		for (size_t i = 0; i < nwant; i++) {
			if (record_find_staff(a->st, want[i], &ids[n], NULL, &cause) != JZG_OK) {
				rc = cli_fail_cause(cause, "无法查找人员");
				goto done;
			}
			n++;
		}
	} else if (school_staff(a, school, &ids, &n) != EXIT_CLEAN)
		goto done;
	so.duplex = job.duplex;
	so.prog = &pg;
	progress_term_init(&pg, &bar, "生成确认表");
	st = sheet_print(a->st, ids, n, out, &so, &res, &cause);
	progress_term_done(&bar);
	if (st != JZG_OK) {
		rc = cli_fail_cause(cause, "生成确认表失败");
		goto done;
	}
	printf("已生成教师信息确认表：%d 人，共 %d 页%s，保存在 %s\n", res.people, res.pages,
	    job.duplex ? "（双面：页数为单数的人后面加了一张空白背面）" : "", out);
	if (res.stale > 0)
		printf("其中 %d 人已签字后修改，需重新打印签字（表上已注明）\n", res.stale);
	rc = maybe_print(print, &job, out);
done:
	free(ids);
	return rc;
}

#define PRINT_USAGE "[--print] [--printer 打印机] [--copies 份数] [--duplex]"

const struct cli_verb cli_print_sheet = {
	.name = "print sheet",
	.usage = "print sheet [--staff 身份证件号 …|--school 学校标识码] --out 文件.pdf " PRINT_USAGE,
	.help = "打印教师信息确认表（每人一份，含签字栏和校验码）；--print 同时送打印机，--printer、--copies 指定"
	    "打印机和份数（也就是送打印机），--duplex 双面（每人从新的一张纸开始）",
	.opts = (const struct cli_opt[]){ [SHEET_STAFF] = { "staff", CLI_STRS, CLI_T_PERSON },
	    [SHEET_SCHOOL] = { "school", CLI_STR, CLI_T_SCHOOL },
	    [SHEET_OUT] = { "out", CLI_STR }, [SHEET_PRINT] = { "print", CLI_FLAG },
	    [SHEET_PRINTER] = { "printer", CLI_STR }, [SHEET_COPIES] = { "copies", CLI_STR },
	    [SHEET_DUPLEX] = { "duplex", CLI_FLAG }, { NULL, 0 } },
	.exec = print_sheet, .needs_db = 1, .roles = CLI_ANYONE, .scope = CLI_SCHOOL,
};

enum { FORM_TYPE, FORM_OUT, FORM_PRINT, FORM_PRINTER, FORM_COPIES, FORM_DUPLEX };

static int
print_form(struct app *a, const struct cli_args *args)
{
	const char *type = cli_arg(args, FORM_TYPE), *out = cli_arg(args, FORM_OUT);
	const struct template_def *t;
	struct lp_job job;
	char *cause = NULL;
	int pages = 0, print;

	if (type == NULL || out == NULL)
		return cli_usage(args);
	if (print_opts(args, FORM_PRINT, FORM_PRINTER, FORM_COPIES, FORM_DUPLEX, &print, &job) < 0 ||
	    app_load_defs(a) < 0)
		return EXIT_FAIL;
	if ((t = defs_template(a->defs, type)) == NULL) {
		struct strbuf b = { 0 };

		for (size_t i = 0; i < a->defs->ntpl; i++)
			strbuf_addf(&b, "%s%s（%s）", i ? "、" : "", a->defs->tpl[i].v[TC_NAME], a->defs->tpl[i].v[TC_LABEL]);
		cli_fail("没有模板 %s，可用的模板：%s", type, b.s ? b.s : "");
		strbuf_free(&b);
		return EXIT_FAIL;
	}
	if (blankform_print(t, out, &pages, &cause) != JZG_OK)
		return cli_fail_cause(cause, "生成采集表失败");
	printf("已生成%s教职工基础信息采集表：共 %d 页，保存在 %s\n", t->v[TC_LABEL], pages, out);
	return maybe_print(print, &job, out);
}

const struct cli_verb cli_print_form = {
	.name = "print form", .usage = "print form --type zxx|zz|tj|yey|gx --out 文件.pdf " PRINT_USAGE,
	.help = "打印空白的教职工基础信息采集表，供手工填写（打印选项同 print sheet）",
	.opts = (const struct cli_opt[]){ [FORM_TYPE] = { "type", CLI_STR }, [FORM_OUT] = { "out", CLI_STR },
	    [FORM_PRINT] = { "print", CLI_FLAG }, [FORM_PRINTER] = { "printer", CLI_STR },
	    [FORM_COPIES] = { "copies", CLI_STR }, [FORM_DUPLEX] = { "duplex", CLI_FLAG }, { NULL, 0 } },
	.exec = print_form, .scope = CLI_NOFILE,
};

/* The printers CUPS knows, the default marked, with their state. */
static int
printers_exec(struct app *a, const struct cli_args *args)
{
	struct lp_printer *p;
	char *cause = NULL;
	size_t n;

	(void)a;
	(void)args;
	if (lp_printers(&p, &n, &cause) != JZG_OK)
		return cli_fail_cause(cause, "无法列出打印机");
	if (n == 0) {
		printf("本机还没有设置打印机：请在系统的“打印机”设置里添加（接上打印机后一般会自动出现）。\n");
		return EXIT_FOUND;
	}
	printf("本机的打印机（* 为默认打印机）：\n");
	for (size_t i = 0; i < n; i++) {
		char *state = lp_printer_state(&p[i]);

		printf("%s %s　%s\n", p[i].is_default ? "*" : " ", p[i].name, state);
		free(state);
	}
	lp_printers_free(p, n);
	return EXIT_CLEAN;
}

const struct cli_verb cli_printers = {
	.name = "printers", .usage = "printers",
	.help = "列出本机的打印机（供 --printer 使用）和它们的状态",
	.exec = printers_exec, .scope = CLI_NOFILE,
};

enum { SIGN_STAFF, SIGN_DATE, SIGN_CODE };

static int
sign_exec(struct app *a, const struct cli_args *args)
{
	const char *staff = cli_arg(args, SIGN_STAFF), *date = cli_arg(args, SIGN_DATE);
	const char *code = cli_arg(args, SIGN_CODE);
	char got[SIGNATURE_CODE_LEN + 1], *cause = NULL;
	sqlite3_int64 id = 0;

	if (staff == NULL)
		return cli_usage(args);
	if (app_load_defs(a) < 0 || app_open_store(a, 0) < 0)
		return EXIT_FAIL;
	if (record_find_staff(a->st, staff, &id, NULL, &cause) != JZG_OK)
		return cli_fail_cause(cause, "无法查找人员");
	if (signature_mark(a->st, id, date, code, got, &cause) != JZG_OK)
		return cli_fail_cause(cause, "记录签字失败");
	printf("已记录：%s 的确认表已签字返回，校验码 %s\n", staff, got);
	return EXIT_CLEAN;
}

const struct cli_verb cli_sign = {
	.name = "sign", .usage = "sign --staff 身份证件号 [--date 年-月-日] [--code 表上的校验码]",
	.help = "登记确认表已签字返回（记下校验码；之后数据再改动即提示需重新打印签字）",
	.opts = (const struct cli_opt[]){ [SIGN_STAFF] = { "staff", CLI_STR, CLI_T_PERSON }, [SIGN_DATE] = { "date", CLI_STR },
	    [SIGN_CODE] = { "code", CLI_STR }, { NULL, 0 } },
	.exec = sign_exec, .needs_db = 1, .roles = CLI_ANYONE, .scope = CLI_SCHOOL,
};
