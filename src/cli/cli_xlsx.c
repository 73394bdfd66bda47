/* cli_xlsx.c — the verbs export and import (the official Excel template).
 * Thin: parse options, print paths, findings and a progress bar on a
 * terminal; the work is in xlsx_export.c and import.c. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "import.h"
#include "outfile.h"
#include "paths.h"
#include "progress.h"
#include "rules.h"
#include "school.h"
#include "sqlfn.h"
#include "util.h"
#include "cli_util.h"
#include "xlsx_export.h"
#include "zipout.h"


/* Export schools s[0..n) into dir, both cores (xlsx_export_schools): paths[i]
 * gets each school's file or NULL (its failure printed).  Returns 0 when
 * all were written. */
static int
export_some(struct app *a, const struct school_row *const *s, size_t n, const char *dir, char **paths)
{
	struct progress pg;
	struct progress_term bar;
	sqlite3_int64 *ids = xcalloc(n ? n : 1, sizeof *ids);
	char **causes = xcalloc(n ? n : 1, sizeof *causes);
	char *label = n == 1 ? xasprintf("导出 %s", s[0]->code) : xasprintf("导出 %zu 所学校", n);
	int bad = 0;

	for (size_t i = 0; i < n; i++)
		ids[i] = s[i]->id;
	progress_term_init(&pg, &bar, label);
	xlsx_export_schools(a->st, ids, n, dir, &pg, paths, causes);
	progress_term_done(&bar);
	for (size_t i = 0; i < n; i++) {
		if (paths[i] == NULL) {
			cli_fail("导出学校 %s 失败：%s", s[i]->code, causes[i] ? causes[i] : "未知原因");
			bad = 1;
		}
		free(causes[i]);
	}
	free(causes);
	free(ids);
	free(label);
	return bad ? -1 : 0;
}

enum { EXPORT_SCHOOL, EXPORT_ALL, EXPORT_OUT, EXPORT_ZIP };

static int
export_exec(struct app *a, const struct cli_args *args)
{
	const char *out = cli_arg(args, EXPORT_OUT) ? cli_arg(args, EXPORT_OUT) : ".";
	char outbuf[4096];
	const char **want = cli_args_all(args, EXPORT_SCHOOL);
	int zip = cli_flag(args, EXPORT_ZIP), rc = EXIT_CLEAN;
	char *cause = NULL;
	size_t nwant = 0, n = 0;
	struct school_row *rows = NULL;
	struct stat sb;
	char today[11];

	while (want[nwant] != NULL)
		nwant++;
	if (cli_flag(args, EXPORT_ALL) && nwant > 0)
		return cli_usage(args);
	/* "dir/" prints as dir/name, not dir//name */
	if (snprintf(outbuf, sizeof outbuf, "%s", out) < (int)sizeof outbuf) {
		for (size_t l = strlen(outbuf); l > 1 && outbuf[l - 1] == '/'; l--)
			outbuf[l - 1] = '\0';
		out = outbuf;
	}
	/* a folder named for the occasion (--out 上报/第一批) is made */
	if ((stat(out, &sb) != 0 && paths_mkdir(out) != 0) || stat(out, &sb) != 0)
		return cli_fail("无法创建输出目录 %s：%s", out, strerror(errno));
	if (!S_ISDIR(sb.st_mode))
		return cli_fail("%s 不是目录", out);
	if (app_load_defs(a) < 0 || app_open_store(a, 0) < 0)
		return EXIT_FAIL;
	/* after log-in: a school bound operator who named none gets his school (cli_gate) */
	for (nwant = 0; want[nwant] != NULL; nwant++)
		;
	if (school_list(a->st, &rows, &n, &cause) != JZG_OK)
		return cli_fail_cause(cause, "无法读取学校");
	for (size_t i = 0; i < nwant; i++) {
		size_t k;

		for (k = 0; k < n && strcmp(rows[k].code, want[i]) != 0; k++)
			;
		if (k == n) {
			cli_fail("文件中没有学校标识码为 %s 的学校（用 jzg school list 查看）", want[i]);
			rc = EXIT_FAIL;
		}
	}
	if (n == 0) {
		cli_fail("文件中还没有学校，没有可导出的内容");
		rc = EXIT_FAIL;
	}
	sqlfn_today(today);
	/* One pass per template when zipping (a ZIP never mixes templates), one pass otherwise. */
	for (size_t t = 0; rc == EXIT_CLEAN && t < (zip ? a->defs->ntpl : 1); t++) {
		const struct template_def *tp = zip ? &a->defs->tpl[t] : NULL;
		const struct school_row **pick = xcalloc(n ? n : 1, sizeof *pick);
		char **paths = xcalloc(n ? n : 1, sizeof *paths), *tmpdir = NULL, *zpath = NULL;
		struct zipout *z = NULL;
		size_t np = 0;

		for (size_t i = 0; i < n; i++) {
			int chosen = nwant == 0;

			for (size_t k = 0; k < nwant; k++)
				chosen |= strcmp(want[k], rows[i].code) == 0;
			if (chosen && (tp == NULL || strcmp(rows[i].template, tp->v[TC_NAME]) == 0))
				pick[np++] = &rows[i];
		}
		if (zip && np > 0) {
			char *dc = xstrdup(today);

			memmove(dc + 4, dc + 5, 2);
			memmove(dc + 6, dc + 8, 3);
			zpath = xasprintf("%s/%s_%s.zip", out, tp->v[TC_TITLE], dc);
			free(dc);
			/* the workbooks wait under $TMPDIR, only the ZIP's
			 * .part is beside it (outfile.h) */
			if (outfile_tmpdir("export", &tmpdir, &cause) != JZG_OK) {
				cli_fail_cause(cause, "无法创建临时目录");
				cause = NULL;
				rc = EXIT_FAIL;
			} else if (zipout_open(zpath, today, &z, &cause) != JZG_OK) {
				cli_fail("%s", cause);
				free(cause);
				cause = NULL;
				rc = EXIT_FAIL;
			}
		}
		if (rc == EXIT_CLEAN && np > 0 && export_some(a, pick, np, zip ? tmpdir : out, paths) < 0)
			rc = EXIT_FAIL;
		/* in school order, as written one by one before: the paths, or the ZIP's members */
		for (size_t i = 0; i < np; i++) {
			if (paths[i] == NULL)
				continue;
			if (z != NULL && rc == EXIT_CLEAN) {
				if (zipout_add(z, strrchr(paths[i], '/') + 1, paths[i], &cause) != JZG_OK) {
					cli_fail("%s", cause);
					free(cause);
					cause = NULL;
					rc = EXIT_FAIL;
				}
			} else if (!zip)
				printf("%s\n", paths[i]);
			if (zip)
				unlink(paths[i]);
			free(paths[i]);
		}
		if (z != NULL) {
			if (zipout_close(z, rc == EXIT_CLEAN, &cause) != JZG_OK) {
				cli_fail("%s", cause);
				free(cause);
				cause = NULL;
				rc = EXIT_FAIL;
			} else if (rc == EXIT_CLEAN)
				printf("%s\n", zpath);
		}
		if (tmpdir != NULL)
			outfile_rmtree(tmpdir);
		free(tmpdir);
		free(zpath);
		free(paths);
		free(pick);
	}
	school_list_free(rows, n);
	return rc;
}

const struct cli_verb cli_export = {
	.name = "export", .usage = "export [--school 学校标识码 ...|--all] [--out 目录] [--zip]",
	.help = "导出官方 Excel 模板：每校一个 学校标识码_学校名称_模板名称.xlsx；--zip 按模板打包为 模板名称_YYYYMMDD.zip",
	.opts = (const struct cli_opt[]){ [EXPORT_SCHOOL] = { "school", CLI_STRS, CLI_T_SCHOOL },
	    [EXPORT_ALL] = { "all", CLI_FLAG, CLI_T_ALL }, [EXPORT_OUT] = { "out", CLI_STR },
	    [EXPORT_ZIP] = { "zip", CLI_FLAG }, { NULL, 0 } },
	.exec = export_exec, .needs_db = 1, .roles = CLI_ANYONE, .scope = CLI_SCHOOL,
};

static void
print_finding(void *arg, const char *file, int kind, const char *text)
{
	(void)arg;
	printf("%s：%s%s\n", file, kind == IMPORT_WARNING ? "（警告）" : kind == IMPORT_NOTE ? "（已改写）" : "", text);
}

enum { IMPORT_SCHOOL, IMPORT_KEEP_GOOD, IMPORT_MAX_PART };

static int
import_exec(struct app *a, const struct cli_args *args)
{
	struct import_opts o = { .finding = print_finding, .school = cli_arg(args, IMPORT_SCHOOL),
	    .keep_good = cli_flag(args, IMPORT_KEEP_GOOD) };
	const char *maxpart = cli_arg(args, IMPORT_MAX_PART);
	struct import_result res = { 0 };
	struct progress pg;
	struct progress_term bar;
	long mb = 0;
	int rc = EXIT_CLEAN;

	if (maxpart != NULL && str_count(maxpart, 1, 65536, &mb) < 0)
		return cli_fail("--max-part 应为 1 到 65536 之间的整数（MB）");
	o.max_part = (unsigned long long)mb << 20;   /* 0: import.c's default */
	if (args->argc == 0)
		return cli_usage(args);
	if (app_load_defs(a) < 0 || app_open_store(a, STORE_CREATE) < 0)
		return EXIT_FAIL;
	/* after log-in: a school bound operator who named none gets his school (cli_gate) */
	o.school = cli_arg(args, IMPORT_SCHOOL);
	/* One rules engine for every file: each imported row goes through it. */
	{
		char *cause = NULL;

		if ((o.rules = rules_new(a->st, &cause)) == NULL) {
			cli_fail("%s", cause ? cause : "无法编译检查规则");
			free(cause);
			return EXIT_FAIL;
		}
	}
	progress_term_init(&pg, &bar, "导入");
	o.pg = &pg;
	for (int i = 0; i < args->argc; i++) {
		char *cause = NULL;
		long refused = res.refused;
		enum jzg_status st = import_path(a->st, args->argv[i], &o, &res, &cause);

		progress_term_done(&bar);
		if (st == JZG_ERR_INVALID) {
			if (rc == EXIT_CLEAN)
				rc = EXIT_FOUND;
		} else if (st != JZG_OK) {
			cli_fail("%s", cause ? cause : jzg_strstatus(st));
			rc = EXIT_FAIL;
			if (res.refused == refused)   /* a file the import did not count itself */
				res.refused++;
		}
		free(cause);
	}
	rules_free(o.rules);
	printf("导入 %ld 个文件（人员 %ld 人，其他信息 %ld 条）", res.files, res.persons, res.records);
	if (res.refused)
		printf("；拒绝 %ld 个文件（其内容均未导入）", res.refused);
	if (res.skipped)
		printf("；跳过 %ld 名有错误的人员（保留原有数据）", res.skipped);
	if (res.errors || res.warnings)
		printf("；错误 %ld 处，警告 %ld 处", res.errors, res.warnings);
	if (res.notes)
		printf("；按录入规则改写 %ld 处", res.notes);
	printf("\n");
	return rc;
}

const struct cli_verb cli_import = {
	.name = "import", .usage = "import [--school 学校标识码] [--keep-good] [--max-part MB] 文件.xlsx|目录|文件.zip ...",
	.help = "导入填好的模板：整个文件要么全部导入要么不导入；--keep-good 只导入没有错误的人员",
	.opts = (const struct cli_opt[]){ [IMPORT_SCHOOL] = { "school", CLI_STR, CLI_T_SCHOOL },
	    [IMPORT_KEEP_GOOD] = { "keep-good", CLI_FLAG }, [IMPORT_MAX_PART] = { "max-part", CLI_STR }, { NULL, 0 } },
	.exec = import_exec, .max_args = -1, .needs_db = 1, .roles = CLI_ANYONE, .scope = CLI_SCHOOL,
};
