/* cli_photo.c — the verbs photo import and photo export (issue 16).  Thin:
 * options, the report lines, the exit status; the work is in
 * photo_batch.c (and every photo goes through entry_photo_set). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "app.h"
#include "cli_util.h"
#include "photo_batch.h"
#include "util.h"

static void
print_line(enum photo_outcome k, const char *file, const char *person, const char *text, void *arg)
{
	static const char *const what[] = { "导入", "修正后导入", "拒绝", "未匹配" };

	(void)arg;
	printf("%s\t%s\t%s\t%s\n", what[k], file, person ? person : "", text ? text : "");
}

enum { PI_SCHOOL, PI_FIX, PI_KEEP_GOOD };

static int
photo_import_exec(struct app *a, const struct cli_args *args)
{
	struct photo_batch_opts o = { .school = cli_arg(args, PI_SCHOOL), .fix = cli_flag(args, PI_FIX),
	    .keep_good = cli_flag(args, PI_KEEP_GOOD), .line = print_line };
	struct photo_batch_result r;
	char *cause = NULL;
	enum jzg_status rc;

	if (args->argc != 1)
		return cli_usage(args);
	if (app_load_defs(a) < 0 || app_open_store(a, 0) < 0)
		return EXIT_FAIL;
	/* after log-in: a school bound operator who named none gets his school (cli_gate) */
	o.school = cli_arg(args, PI_SCHOOL);
	rc = photo_batch_import(a->st, args->argv[0], &o, &r, &cause);
	if (rc != JZG_OK && rc != JZG_ERR_INVALID)
		return cli_fail_cause(cause, "照片导入失败，未保存任何照片");
	printf("照片：导入 %d 张（其中修正 %d 张），与已有相同 %d 张，拒绝 %d 个文件，未匹配 %d 个文件", r.stored, r.fixed,
	    r.same, r.refused, r.unmatched);
	if (rc == JZG_ERR_INVALID && !o.keep_good)
		printf("；有文件被拒绝或未匹配，本次未保存任何照片（修正后重试，或加 --keep-good 只导入合格的%s）",
		    o.fix ? "" : "；加 --fix 可自动裁剪压缩");
	printf("\n");
	return rc == JZG_OK ? EXIT_CLEAN : EXIT_FOUND;
}

const struct cli_verb cli_photo_import = {
	.name = "photo import", .usage = "photo import [--school 学校标识码] [--fix] [--keep-good] 目录|文件.zip",
	.help = "导入照片（JPEG，以身份证件号、教职工号或姓名命名）：全部合格才保存；--fix 自动裁剪为 26×32 毫米比例并压缩到 60 KB 以内；"
	    "--keep-good 只保存合格的",
	.opts = (const struct cli_opt[]){ [PI_SCHOOL] = { "school", CLI_STR, CLI_T_SCHOOL }, [PI_FIX] = { "fix", CLI_FLAG },
	    [PI_KEEP_GOOD] = { "keep-good", CLI_FLAG }, { NULL, 0 } },
	.exec = photo_import_exec, .max_args = 1, .needs_db = 1, .roles = CLI_ANYONE, .scope = CLI_SCHOOL,
};

enum { PE_SCHOOL, PE_OUT };

static void
export_line(enum photo_outcome k, const char *file, const char *person, const char *text, void *arg)
{
	(void)arg;
	if (k == PHOTO_REFUSED)
		fprintf(stderr, "jzg: %s%s%s\n", person ? person : "", *file ? " " : "", text);
}

static int
photo_export_exec(struct app *a, const struct cli_args *args)
{
	const char *code = cli_arg(args, PE_SCHOOL), *out = cli_arg(args, PE_OUT);
	char *cause = NULL, *zip = NULL;
	struct stat sb;
	int n = 0;

	if (code == NULL || out == NULL || args->argc != 0)
		return cli_usage(args);
	if (stat(out, &sb) != 0 || !S_ISDIR(sb.st_mode))
		return cli_fail("输出目录 %s 不存在，请先创建", out);
	if (app_load_defs(a) < 0 || app_open_store(a, 0) < 0)
		return EXIT_FAIL;
	if (photo_batch_export(a->st, code, out, export_line, NULL, &n, &zip, &cause) != JZG_OK)
		return cli_fail_cause(cause, "照片导出失败");
	if (n == 0)
		printf("学校 %s 还没有照片\n", code);
	else
		printf("导出照片 %d 张到 %s，并打包为 %s（按身份证件号命名：假定的格式，见 forms/settings.tsv）\n", n, out, zip);
	free(zip);
	return EXIT_CLEAN;
}

const struct cli_verb cli_photo_export = {
	.name = "photo export", .usage = "photo export --school 学校标识码 --out 目录",
	.help = "导出一所学校的照片（按身份证件号命名的 JPEG 文件，并打包为一个 ZIP）",
	.opts = (const struct cli_opt[]){ [PE_SCHOOL] = { "school", CLI_STR, CLI_T_SCHOOL }, [PE_OUT] = { "out", CLI_STR },
	    { NULL, 0 } },
	.exec = photo_export_exec, .max_args = 0, .needs_db = 1, .roles = CLI_ANYONE, .scope = CLI_SCHOOL,
};
