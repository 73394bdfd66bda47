/* cli_rekey.c — the verbs of double-entry verification (issue 20):
 * rekey start (mark people), rekey report (error rates), rekey compare (a
 * second keying in another file).  The verification itself is the
 * client's (scr_rekey.c).  Messages Chinese, one line each. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "cli_util.h"
#include "idcard.h"
#include "record.h"
#include "rekey.h"
#include "rekey_compare.h"
#include "report.h"
#include "rekey_report.h"
#include "school.h"
#include "util.h"

/* The school of code, or 0 after saying why. */
static sqlite3_int64
find_school(struct app *a, const char *code)
{
	sqlite3_int64 sid = 0;
	char *cause = NULL;

	if (school_find(a->st, code, &sid, &cause) != JZG_OK || sid == 0) {
		free(cause);
		cli_fail("文件中没有学校标识码为 %s 的学校", code);
		return 0;
	}
	return sid;
}

static void
print_sample(const struct rekey_sample_result *r, const char *code, double percent, unsigned long long seed)
{
	printf("学校 %s：抽样 %g%%（种子 %llu，用 --seed %llu 可重现），本次标记 %d 人待二次录入核对\n", code, percent,
	    seed, seed, r->marked);
	printf("录入员\t人数\t此前已标记\t本次标记\t已核对项\t差错率（每千项）\t抽样比例\n");
	for (size_t i = 0; i < r->n; i++) {
		const struct rekey_stratum *s = &r->s[i];
		char rate[32];

		if (s->fields > 0)
			snprintf(rate, sizeof rate, "%.1f", s->errors * 1000.0 / s->fields);
		else
			snprintf(rate, sizeof rate, "—");
		printf("%s\t%d\t%d\t%d\t%d\t%s\t%g%%%s\n", s->keyer ? s->keyer : "（未记名）", s->people, s->before,
		    s->marked, s->fields, rate, s->percent, s->raised ? "（差错率超过阈值，提高比例）" : "");
	}
}

enum { START_SCHOOL, START_SAMPLE, START_SEED, START_STAFF };

static int
start_exec(struct app *a, const struct cli_args *args)
{
	const char *school = cli_arg(args, START_SCHOOL), *sample = cli_arg(args, START_SAMPLE);
	const char *seeds = cli_arg(args, START_SEED), **staff = cli_args_all(args, START_STAFF);
	struct rekey_sample_result r;
	unsigned long long seed = (unsigned long long)time(NULL);
	double percent = 0;
	sqlite3_int64 sid;
	char *end = NULL, *cause = NULL;
	int rc = EXIT_CLEAN;

	if (school == NULL || (sample == NULL) == (staff[0] == NULL && args->argc == 0))
		return cli_usage(args);
	if (sample != NULL && (percent = strtod(sample, &end), end == sample || (*end != '\0' && strcmp(end, "%") != 0) ||
	    !(percent > 0 && percent <= 100)))
		return cli_fail("--sample 应为大于 0、不超过 100 的百分比，例如 10");
	if (seeds != NULL) {
		long v;

		if (str_count(seeds, 0, 2147483647, &v) < 0)
			return cli_fail("--seed 应为非负整数");
		seed = (unsigned long long)v;
	}
	if (app_load_defs(a) < 0 || app_open_store(a, 0) < 0 || (sid = find_school(a, school)) == 0)
		return EXIT_FAIL;
	if (sample != NULL) {
		if (rekey_sample(a->st, sid, percent, seed, &r, &cause) != JZG_OK)
			return cli_fail_cause(cause, "抽样失败");
		print_sample(&r, school, percent, seed);
		rekey_sample_result_free(&r);
		return EXIT_CLEAN;
	}
	/* --staff ID …: those given with --staff, then those given bare */
	for (int k = 0; k < 2; k++) {
		const char *const *ids = k == 0 ? staff : (const char *const *)args->argv;
		int n = k == 0 ? -1 : args->argc;

		for (int i = 0; n < 0 ? ids[i] != NULL : i < n; i++) {
			sqlite3_int64 id = 0, in_school = 0;
			char *label = NULL, *masked;
			int added = 0;
			sqlite3_stmt *q;

			if (record_find_staff(a->st, ids[i], &id, &label, &cause) != JZG_OK) {
				cli_fail_cause(cause, "无法查找人员");
				rc = EXIT_FAIL;
				continue;
			}
			if (store_prepare(a->st, "SELECT school_id FROM staff WHERE id = ?", &q, NULL) == JZG_OK) {
				sqlite3_bind_int64(q, 1, id);
				if (sqlite3_step(q) == SQLITE_ROW)
					in_school = sqlite3_column_int64(q, 0);
				sqlite3_finalize(q);
			}
			masked = idcard_mask(ids[i]);
			if (in_school != sid) {
				cli_fail("%s 不是学校 %s 的教职工", masked, school);
				rc = EXIT_FAIL;
			} else if (rekey_mark(a->st, id, &added, &cause) != JZG_OK) {
				rc = cli_fail_cause(cause, "标记失败");
			} else
				printf("%s：%s\n", label, added ? "已标记待二次录入核对" : "此前已标记");
			free(masked);
			free(label);
		}
	}
	return rc;
}

const struct cli_verb cli_rekey_start = {
	.name = "rekey start", .usage = "rekey start --school 学校标识码 (--sample 百分比 [--seed 数] | --staff 身份证件号…)",
	.help = "标记待二次录入核对的人：按录入员分层抽样（差错率高的录入员多抽），或逐个指定",
	.opts = (const struct cli_opt[]){ [START_SCHOOL] = { "school", CLI_STR, CLI_T_SCHOOL },
	    [START_SAMPLE] = { "sample", CLI_STR }, [START_SEED] = { "seed", CLI_STR },
	    [START_STAFF] = { "staff", CLI_STRS, CLI_T_PERSON }, { NULL, 0 } },
	/* drawing the sample is a supervisor's act (CSPro's); verifying is anyone's but the keyer's */
	.exec = start_exec, .max_args = -1, .needs_db = 1, .roles = CLI_REVIEWER | CLI_ADMIN, .scope = CLI_SCHOOL,
	.args_target = CLI_T_PERSON,
};

enum { REPORT_SCHOOL, REPORT_FORMAT, REPORT_OUT };

static int
report_exec(struct app *a, const struct cli_args *args)
{
	const char *school = cli_arg(args, REPORT_SCHOOL), *out = cli_arg(args, REPORT_OUT);
	const char *format = cli_arg(args, REPORT_FORMAT) ? cli_arg(args, REPORT_FORMAT) : "text";
	struct rekey_report r;
	sqlite3_int64 sid = 0;
	char *cause = NULL;

	if (strcmp(format, "text") != 0 && strcmp(format, "tsv") != 0 && strcmp(format, "xlsx") != 0)
		return cli_fail("--format 只能是 text、tsv 或 xlsx");
	if (strcmp(format, "xlsx") == 0 && out == NULL)
		return cli_fail("xlsx 格式需要 --out 文件.xlsx");
	if (app_load_defs(a) < 0 || app_open_store(a, 0) < 0 || (school != NULL && (sid = find_school(a, school)) == 0))
		return EXIT_FAIL;
	if (rekey_report_load(a->st, sid, &r, &cause) != JZG_OK)
		return cli_fail_cause(cause, "无法读取核对结果");
	if (strcmp(format, "xlsx") == 0) {
		enum jzg_status rc = rekey_report_xlsx(out, &r, &cause);

		rekey_report_free(&r);
		if (rc != JZG_OK)
			return cli_fail_cause(cause, "无法写出");
		printf("已写出 %s\n", out);
		return EXIT_CLEAN;
	}
	if (strcmp(format, "tsv") == 0)
		rekey_report_tsv(stdout, &r);
	else
		rekey_report_text(stdout, &r);
	rekey_report_free(&r);
	if (fflush(stdout) != 0)
		return cli_fail("无法写出：%s", strerror(errno));
	return EXIT_CLEAN;
}

const struct cli_verb cli_rekey_report = {
	.name = "rekey report", .usage = "rekey report [--school 学校标识码] [--format text|tsv|xlsx] [--out 文件.xlsx]",
	.help = "二次录入核对的差错率：每个录入员和核对人的核对项数、不一致、每千项差错，差错集中的指标和信息集，各校核对率",
	.opts = (const struct cli_opt[]){ [REPORT_SCHOOL] = { "school", CLI_STR, CLI_T_SCHOOL },
	    [REPORT_FORMAT] = { "format", CLI_STR }, [REPORT_OUT] = { "out", CLI_STR }, { NULL, 0 } },
	.exec = report_exec, .needs_db = 1, .roles = CLI_ANYONE, .scope = CLI_SCHOOL,
};

/* A discrepancy kept for printing after the comparison and for --take. */
struct found {
	struct rekey_diff d;     /* strings owned by the copy */
	int               take;  /* matches the --staff/--field filters */
};

struct compare_ctx {
	const char   **staff, **field;
	struct found  *f;
	size_t         n, cap;
};

static int
listed(const char **list, const char *a, const char *b)
{
	if (list == NULL || list[0] == NULL)
		return 1;
	for (size_t i = 0; list[i] != NULL; i++)
		if (str_eq(list[i], a) || str_eq(list[i], b))
			return 1;
	return 0;
}

static int
collect_cb(const struct rekey_diff *d, void *arg)
{
	struct compare_ctx *c = arg;
	struct found *f;
	char *sf = d->field ? xasprintf("%s.%s", d->set->v[SC_NAME], d->field->v[FC_NAME]) : NULL;

	if (c->n == c->cap)
		c->f = xreallocarray(c->f, c->cap = c->cap ? 2 * c->cap : 256, sizeof *c->f);
	f = &c->f[c->n++];
	f->d = *d;
	f->d.idno = xstrdup(d->idno);
	f->d.name = xstrdup(d->name);
	f->d.key = xstrdup(d->key);
	f->d.mine = xstrdup(d->mine);
	f->d.theirs = xstrdup(d->theirs);
	f->take = listed(c->staff, d->idno, NULL) &&
	    (c->field == NULL || c->field[0] == NULL ||
	     (d->field && (listed(c->field, d->field->v[FC_NAME], d->field->v[FC_LABEL]) || listed(c->field, sf, NULL))));
	free(sf);
	return 0;
}

static void
found_free(struct compare_ctx *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free((char *)c->f[i].d.idno);
		free((char *)c->f[i].d.name);
		free((char *)c->f[i].d.key);
		free((char *)c->f[i].d.mine);
		free((char *)c->f[i].d.theirs);
	}
	free(c->f);
}

static const char *
what_of(const struct rekey_diff *d)
{
	if (d->kind == RD_FIELD)
		return d->field->v[FC_LABEL];
	if (d->set == NULL)
		return d->kind == RD_MINE_ONLY ? "此人只在本文件" : "此人只在对方文件";
	return d->kind == RD_MINE_ONLY ? "这条记录只在本文件" : "这条记录只在对方文件";
}

static void
print_found(const struct compare_ctx *c, const char *format)
{
	int json = strcmp(format, "json") == 0, tsv = strcmp(format, "tsv") == 0;

	if (tsv)
		printf("身份证件号\t姓名\t信息集\t记录\t指标\t本文件\t对方文件\t已判定\n");
	if (json)
		fputs("[", stdout);
	for (size_t i = 0; i < c->n; i++) {
		const struct rekey_diff *d = &c->f[i].d;
		const char *set = d->set ? d->set->v[SC_LABEL] : "";

		if (json) {
			fputs(i ? ",\n {\"idno\": " : "\n {\"idno\": ", stdout);
			report_json_str(stdout, d->idno);
			fputs(", \"name\": ", stdout);
			report_json_str(stdout, d->name);
			fputs(", \"set\": ", stdout);
			report_json_str(stdout, d->set ? d->set->v[SC_NAME] : NULL);
			fputs(", \"set_label\": ", stdout);
			report_json_str(stdout, d->set ? set : NULL);
			fputs(", \"record\": ", stdout);
			report_json_str(stdout, d->key);
			fputs(", \"field\": ", stdout);
			report_json_str(stdout, d->field ? d->field->v[FC_NAME] : NULL);
			fputs(", \"what\": ", stdout);
			report_json_str(stdout, what_of(d));
			fputs(", \"mine\": ", stdout);
			report_json_str(stdout, d->mine);
			fputs(", \"theirs\": ", stdout);
			report_json_str(stdout, d->theirs);
			printf(", \"kept\": %s}", d->kept ? "true" : "false");
		} else if (tsv)
			printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", d->idno ? d->idno : "", d->name ? d->name : "", set,
			    d->key ? d->key : "", what_of(d), d->mine ? d->mine : "", d->theirs ? d->theirs : "",
			    d->kept ? "保留本文件" : "");
		else if (d->kind == RD_FIELD)
			printf("%s %s\t%s%s%s%s\t%s：本文件「%s」，对方「%s」%s\n", d->name ? d->name : "", d->idno ? d->idno : "",
			    set, *d->key ? "［" : "", d->key, *d->key ? "］" : "", what_of(d), d->mine ? d->mine : "",
			    d->theirs ? d->theirs : "", d->kept ? "（已判定保留本文件的值）" : "");
		else
			printf("%s %s\t%s%s%s%s\t%s\n", d->name ? d->name : "", d->idno ? d->idno : "", set,
			    d->key && *d->key ? "［" : "", d->key ? d->key : "", d->key && *d->key ? "］" : "", what_of(d));
	}
	if (json)
		fputs(c->n ? "\n]\n" : "]\n", stdout);
}

enum { COMPARE_SCHOOL, COMPARE_FORMAT, COMPARE_TAKE, COMPARE_STAFF, COMPARE_FIELD };

static int
compare_exec(struct app *a, const struct cli_args *args)
{
	const char *school = cli_arg(args, COMPARE_SCHOOL), *take = cli_arg(args, COMPARE_TAKE);
	const char *format = cli_arg(args, COMPARE_FORMAT) ? cli_arg(args, COMPARE_FORMAT) : "text";
	struct compare_ctx c = { cli_args_all(args, COMPARE_STAFF), cli_args_all(args, COMPARE_FIELD), NULL, 0, 0 };
	sqlite3_int64 sid = 0;
	char *cause = NULL;
	int theirs = take && strcmp(take, "theirs") == 0, taken = 0, rc = EXIT_CLEAN;

	if (args->argc != 1)
		return cli_usage(args);
	if (strcmp(format, "text") != 0 && strcmp(format, "tsv") != 0 && strcmp(format, "json") != 0)
		return cli_fail("--format 只能是 text、tsv 或 json");
	if (take != NULL && strcmp(take, "mine") != 0 && !theirs)
		return cli_fail("--take 只能是 mine（保留本文件的值）或 theirs（采用对方文件的值）");
	if (app_load_defs(a) < 0 || app_open_store(a, 0) < 0 || (school != NULL && (sid = find_school(a, school)) == 0))
		return EXIT_FAIL;
	if (rekey_compare(a->st, args->argv[0], sid, collect_cb, &c, &cause) != JZG_OK) {
		found_free(&c);
		return cli_fail_cause(cause, "比对失败");
	}
	print_found(&c, format);
	{
		const struct rekey_diff **all = xcalloc(c.n + 1, sizeof *all);

		for (size_t i = 0; i < c.n; i++)
			all[i] = &c.f[i].d;
		/* one transaction: the open discrepancies kept for the client and
		 * every decision taken, or nothing */
		if (store_exec(a->st, "BEGIN IMMEDIATE", &cause) != JZG_OK ||
		    rekey_open_store(a->st, args->argv[0], all, c.n, &cause) != JZG_OK)
			rc = cli_fail_cause(cause, "无法写入");
		free(all);
	}
	if (take != NULL) {
		for (size_t i = 0; i < c.n && rc == EXIT_CLEAN; i++)
			if (c.f[i].take && c.f[i].d.kind == RD_FIELD) {
				if (rekey_take(a->st, args->argv[0], &c.f[i].d, theirs, &cause) != JZG_OK)
					rc = cli_fail_cause(cause, "取舍失败");
				else
					taken++;
			}
		if (rc == EXIT_CLEAN && store_exec(a->st, "COMMIT", &cause) != JZG_OK)
			rc = cli_fail_cause(cause, "无法写入");
		if (rc != EXIT_CLEAN) {
			sqlite3_exec(a->st->db, "ROLLBACK", NULL, NULL, NULL);
			fprintf(stderr, "jzg: 未做任何取舍\n");
		} else
			fprintf(stderr, "已%s %d 项（记入修改记录）\n", theirs ? "采用对方文件的值" : "保留本文件的值", taken);
	} else if (rc == EXIT_CLEAN) {
		size_t open = 0, fields = 0;

		for (size_t i = 0; i < c.n; i++) {
			open += !c.f[i].d.kept;
			fields += !c.f[i].d.kept && c.f[i].d.kind == RD_FIELD;
		}
		if (store_exec(a->st, "COMMIT", &cause) != JZG_OK)
			rc = cli_fail_cause(cause, "无法写入");
		fprintf(stderr, "共 %zu 处不一致，其中 %zu 处已判定保留本文件的值", c.n, c.n - open);
		if (fields > 0)
			fprintf(stderr, "；其余 %zu 项也可在录入界面逐项判定（教职工列表“核对”栏为“比对”的人，按 ^R）", fields);
		fputc('\n', stderr);
		if (rc == EXIT_CLEAN)
			rc = open > 0 ? EXIT_FOUND : EXIT_CLEAN;
	} else
		sqlite3_exec(a->st->db, "ROLLBACK", NULL, NULL, NULL);
	found_free(&c);
	return rc;
}

const struct cli_verb cli_rekey_compare = {
	.name = "rekey compare",
	.usage = "rekey compare 文件.db [--school 学校标识码] [--format text|tsv|json] [--take mine|theirs "
	    "[--staff 身份证件号…] [--field 指标…]]",
	.help = "与另一文件中的第二次录入逐人逐项比对（按身份证件号、记录按自然键），列出不一致；--take 取舍并记入修改记录",
	.opts = (const struct cli_opt[]){ [COMPARE_SCHOOL] = { "school", CLI_STR, CLI_T_SCHOOL },
	    [COMPARE_FORMAT] = { "format", CLI_STR }, [COMPARE_TAKE] = { "take", CLI_STR },
	    [COMPARE_STAFF] = { "staff", CLI_STRS, CLI_T_PERSON }, [COMPARE_FIELD] = { "field", CLI_STRS }, { NULL, 0 } },
	.exec = compare_exec, .max_args = 1, .needs_db = 1, .roles = CLI_ANYONE, .scope = CLI_SCHOOL,
};
