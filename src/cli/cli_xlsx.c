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
#include "progress.h"
#include "rules.h"
#include "school.h"
#include "sqlfn.h"
#include "util.h"
#include "cli_util.h"
#include "xlsx_export.h"
#include "zipout.h"

int verb_export(struct app *a, int argc, char **argv);
int verb_import(struct app *a, int argc, char **argv);


static int
export_one(struct app *a, const struct school_row *s, const char *dir, char **path)
{
	struct progress pg;
	struct progress_term bar;
	char *label = xasprintf("导出 %s", s->code), *cause = NULL;
	enum jzg_status rc;

	progress_term_init(&pg, &bar, label);
	rc = xlsx_export_school(a->st, s->id, dir, &pg, path, &cause);
	progress_term_done(&bar);
	free(label);
	if (rc != JZG_OK) {
		cli_fail("导出学校 %s 失败：%s", s->code, cause ? cause : jzg_strstatus(rc));
		free(cause);
		return -1;
	}
	return 0;
}

int
verb_export(struct app *a, int argc, char **argv)
{
	static const char usage[] = "jzg --db 文件 export [--school 学校标识码 ...|--all] [--out 目录] [--zip]";
	const char *out = ".", **want = xcalloc((size_t)argc + 1, sizeof *want);
	int first, zip = 0, all = 0, rc = EXIT_CLEAN;
	const struct cli_opt opts[] = {
		{ "school", CLI_STRS, want }, { "all", CLI_FLAG, &all }, { "out", CLI_STR, &out },
		{ "zip", CLI_FLAG, &zip }, { NULL, 0, NULL }
	};
	char *cause = NULL;
	size_t nwant = 0, n = 0;
	struct school_row *rows = NULL;
	struct stat sb;
	char today[11];

	if ((first = cli_opts(argc, argv, 1, "export", opts, usage)) < 0) {
		free(want);
		return EXIT_FAIL;
	}
	while (want[nwant] != NULL)
		nwant++;
	if (first < argc || (all && nwant > 0)) {
		cli_fail("用法：%s", usage);
		free(want);
		return EXIT_FAIL;
	}
	if (stat(out, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		cli_fail("输出目录 %s 不存在，请先创建", out);
		free(want);
		return EXIT_FAIL;
	}
	if (app_load_defs(a) < 0 || app_open_store(a, 0) < 0) {
		free(want);
		return EXIT_FAIL;
	}
	if (school_list(a->st, &rows, &n, &cause) != JZG_OK) {
		cli_fail("%s", cause);
		free(cause);
		free(want);
		return EXIT_FAIL;
	}
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
		char *tmpdir = NULL, *zpath = NULL;
		struct zipout *z = NULL;
		int any = 0;

		for (size_t i = 0; rc == EXIT_CLEAN && i < n; i++) {
			const struct school_row *s = &rows[i];
			int chosen = nwant == 0;
			char *path = NULL, *base;

			for (size_t k = 0; k < nwant; k++)
				chosen |= strcmp(want[k], s->code) == 0;
			if (!chosen || (tp && strcmp(s->template, tp->v[TC_NAME]) != 0))
				continue;
			if (zip && z == NULL) {
				char *dc = xstrdup(today);

				memmove(dc + 4, dc + 5, 2);
				memmove(dc + 6, dc + 8, 3);
				zpath = xasprintf("%s/%s_%s.zip", out, tp->v[TC_TITLE], dc);
				free(dc);
				tmpdir = xasprintf("%s/.jzg_export_XXXXXX", out);
				if (mkdtemp(tmpdir) == NULL) {
					cli_fail("无法在 %s 中创建临时目录：%s", out, strerror(errno));
					rc = EXIT_FAIL;
					break;
				}
				if (zipout_open(zpath, today, &z, &cause) != JZG_OK) {
					cli_fail("%s", cause);
					free(cause);
					cause = NULL;
					rc = EXIT_FAIL;
					break;
				}
			}
			if (export_one(a, s, zip ? tmpdir : out, &path) < 0) {
				rc = EXIT_FAIL;
				break;
			}
			if (zip) {
				base = strrchr(path, '/') + 1;
				if (zipout_add(z, base, path, &cause) != JZG_OK) {
					cli_fail("%s", cause);
					free(cause);
					cause = NULL;
					rc = EXIT_FAIL;
				}
				unlink(path);
			} else
				printf("%s\n", path);
			any = 1;
			free(path);
		}
		if (z != NULL) {
			if (zipout_close(z, rc == EXIT_CLEAN && any, &cause) != JZG_OK) {
				cli_fail("%s", cause);
				free(cause);
				cause = NULL;
				rc = EXIT_FAIL;
			} else if (rc == EXIT_CLEAN)
				printf("%s\n", zpath);
		}
		if (tmpdir != NULL)
			rmdir(tmpdir);
		free(tmpdir);
		free(zpath);
	}
	school_list_free(rows, n);
	free(want);
	return rc;
}

static void
print_finding(void *arg, const char *file, int warning, const char *text)
{
	(void)arg;
	printf("%s：%s%s\n", file, warning ? "（警告）" : "", text);
}

int
verb_import(struct app *a, int argc, char **argv)
{
	struct import_opts o = { .finding = print_finding };
	const char *maxpart = NULL;
	const struct cli_opt opts[] = {
		{ "school", CLI_STR, &o.school }, { "keep-good", CLI_FLAG, &o.keep_good },
		{ "max-part", CLI_STR, &maxpart }, { NULL, 0, NULL }
	};
	struct import_result res = { 0 };
	struct progress pg;
	struct progress_term bar;
	long mb = 0;
	int first, rc = EXIT_CLEAN;

	if ((first = cli_opts(argc, argv, 1, "import", opts,
	    "jzg --db 文件 import [--school 学校标识码] [--keep-good] [--max-part MB] 文件.xlsx|目录|文件.zip ...")) < 0)
		return EXIT_FAIL;
	if (maxpart != NULL && cli_count(maxpart, 1, 65536, &mb) < 0)
		return cli_fail("--max-part 应为 1 到 65536 之间的整数（MB）");
	o.max_part = (unsigned long long)mb << 20;   /* 0: import.c's default */
	if (first >= argc) {
		cli_fail("用法：jzg --db 文件 import [--school 学校标识码] [--keep-good] 文件.xlsx|目录|文件.zip ...");
		return EXIT_FAIL;
	}
	if (app_load_defs(a) < 0 || app_open_store(a, STORE_CREATE) < 0)
		return EXIT_FAIL;
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
	for (int i = first; i < argc; i++) {
		char *cause = NULL;
		enum jzg_status st = import_path(a->st, argv[i], &o, &res, &cause);

		progress_term_done(&bar);
		if (st == JZG_ERR_INVALID) {
			if (rc == EXIT_CLEAN)
				rc = EXIT_FOUND;
		} else if (st != JZG_OK) {
			cli_fail("%s", cause ? cause : jzg_strstatus(st));
			rc = EXIT_FAIL;
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
	printf("\n");
	return rc;
}
