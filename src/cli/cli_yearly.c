/* cli_yearly.c — the verbs of the yearly 核对更新 (issue 19): baseline set,
 * baseline list, baseline drop, changes.  Thin: options, report lines, exit status;
 * the work is in baseline.c and changes.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "baseline.h"
#include "changes.h"
#include "record.h"
#include "report.h"
#include "cli_util.h"
#include "util.h"

static void
import_finding(void *arg, const char *file, int kind, const char *text)
{
	static const char *const what[] = { "错误", "警告", "说明" };

	(void)arg;
	if (kind != 2)
		fprintf(stderr, "%s：%s：%s\n", file, what[kind], text);
}

enum { BS_SCHOOL, BS_LABEL };

static int
baseline_set_exec(struct app *a, const struct cli_args *args)
{
	struct baseline_opts o = { .label = cli_arg(args, BS_LABEL), .finding = import_finding };
	struct baseline_result r;
	char *cause = NULL;

	if (args->argc != 1)
		return cli_usage(args);
	if (app_load_defs(a) < 0 || app_open_store(a, 0) < 0)
		return EXIT_FAIL;
	/* after log-in: a school bound operator who named none gets his school (cli_gate) */
	o.school = cli_arg(args, BS_SCHOOL);
	if (baseline_set(a->st, args->argv[0], &o, &r, &cause) != JZG_OK)
		return cli_fail_cause(cause, "设置基线失败，未做任何改动");
	printf("基线已设置：%d 所学校，去年 %ld 人，其中 %ld 人在本年数据中找到", r.schools, r.people, r.linked);
	if (r.absent > 0)
		printf("；%d 所学校本文件中还没有（录入或导入后即可比对）", r.absent);
	printf("\n");
	return EXIT_CLEAN;
}

const struct cli_verb cli_baseline_set = {
	.name = "baseline set", .usage = "baseline set [--school 学校标识码] [--label 2025年] 来源",
	.help = "以去年的数据为基线（来源：jzg 数据文件或打包文件，或填好的采集模板 .xlsx、文件夹、ZIP）；每校一份，重设即替换",
	.opts = (const struct cli_opt[]){ [BS_SCHOOL] = { "school", CLI_STR, CLI_T_SCHOOL },
	    [BS_LABEL] = { "label", CLI_STR }, { NULL, 0 } },
	.exec = baseline_set_exec, .max_args = 1, .needs_db = 1, .roles = CLI_REVIEWER | CLI_ADMIN, .scope = CLI_SCHOOL,
};

static int
baseline_list_exec(struct app *a, const struct cli_args *args)
{
	struct baseline_row *rows;
	size_t n;
	char *cause = NULL;

	(void)args;
	if (app_load_defs(a) < 0 || app_open_store(a, 0) < 0)
		return EXIT_FAIL;
	if (baseline_list(a->st, &rows, &n, &cause) != JZG_OK)
		return cli_fail_cause(cause, "读取基线失败");
	if (n == 0)
		printf("本文件没有基线（用 jzg baseline set 设置）\n");
	else
		printf("学校标识码\t学校名称\t标签\t去年人数\t今年找到\t来源\t设置时间\n");
	for (size_t i = 0; i < n; i++)
		printf("%s\t%s\t%s\t%ld\t%ld\t%s\t%s\n", rows[i].school_code, rows[i].school_name, rows[i].label,
		    rows[i].people, rows[i].linked, rows[i].source, rows[i].created);
	baseline_list_free(rows, n);
	return EXIT_CLEAN;
}

const struct cli_verb cli_baseline_list = {
	.name = "baseline list", .usage = "baseline list", .help = "列出本文件中的基线（每校一份）",
	.exec = baseline_list_exec, .needs_db = 1, .roles = CLI_ANYONE, .scope = CLI_FILE,
};

enum { BD_SCHOOL };

static int
baseline_drop_exec(struct app *a, const struct cli_args *args)
{
	char *cause = NULL, *code = NULL;

	if (app_load_defs(a) < 0 || app_open_store(a, 0) < 0)
		return EXIT_FAIL;
	if (baseline_drop(a->st, cli_arg(args, BD_SCHOOL), &code, &cause) != JZG_OK)
		return cli_fail_cause(cause, "删除基线失败");
	printf("已删除学校 %s 的基线\n", code);
	free(code);
	return EXIT_CLEAN;
}

const struct cli_verb cli_baseline_drop = {
	.name = "baseline drop", .usage = "baseline drop [--school 学校标识码]", .help = "删除一所学校的基线（本年数据不变）",
	.opts = (const struct cli_opt[]){ [BD_SCHOOL] = { "school", CLI_STR, CLI_T_SCHOOL }, { NULL, 0 } },
	.exec = baseline_drop_exec, .needs_db = 1, .roles = CLI_REVIEWER | CLI_ADMIN, .scope = CLI_SCHOOL,
};

/* ------------------------------------------------------------ changes */

enum { CH_SCHOOL, CH_STAFF, CH_FORMAT };
enum ch_format { CHF_TEXT, CHF_TSV, CHF_JSON };

struct ch_out {
	enum ch_format fmt;
	sqlite3_int64  last;     /* text: the person last headed */
	const char    *last_school;
	int            n;        /* json: items written */
};

static const char *const kind_word[] = { "新增人员", "减少人员", "新增记录", "删除记录", "修改" };

static void
json_pair(const char *k, const char *v, int comma)
{
	printf("%s\"%s\": ", comma ? ", " : "", k);
	report_json_str(stdout, v);
}

static void
print_change(const struct change *c, void *arg)
{
	struct ch_out *o = arg;
	const char *set = c->set ? c->set->v[SC_LABEL] : NULL, *field = c->field ? c->field->v[FC_LABEL] : NULL;

	if (o->fmt == CHF_TSV) {
		printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c->school, c->name ? c->name : "", c->idno ? c->idno : "",
		    kind_word[c->kind], set ? set : "", c->record ? c->record : "", field ? field : "",
		    c->old ? c->old : "", c->new ? c->new : "", c->why ? c->why : "");
		return;
	}
	if (o->fmt == CHF_JSON) {
		printf("%s\n    {", o->n++ ? "," : "");
		json_pair("school_code", c->school, 0);
		json_pair("name", c->name, 1);
		json_pair("id", c->idno, 1);
		json_pair("kind", kind_word[c->kind], 1);
		json_pair("set", set, 1);
		json_pair("record", c->record, 1);
		json_pair("field", field, 1);
		json_pair("old", c->old, 1);
		json_pair("new", c->new, 1);
		json_pair("why", c->why, 1);
		printf("}");
		return;
	}
	if (c->kind == CHANGE_ADDED || c->kind == CHANGE_GONE) {
		printf("  %s  %s %s%s%s\n", kind_word[c->kind], c->name ? c->name : "", c->idno ? c->idno : "",
		    c->why ? "  " : "", c->why ? c->why : "");
		return;
	}
	if (c->staff_id != o->last) {
		o->last = c->staff_id;
		printf("  有变化  %s %s\n", c->name ? c->name : "", c->idno ? c->idno : "");
	}
	printf("      %s", set);
	if (c->record)
		printf("〔%s〕", c->record);
	if (c->kind == CHANGE_VALUE)
		printf(" · %s：%s → %s\n", field, c->old ? c->old : "（空）", c->new ? c->new : "（空）");
	else
		printf("：%s\n", kind_word[c->kind]);
}

static int
changes_exec(struct app *a, const struct cli_args *args)
{
	const char *school, *staff = cli_arg(args, CH_STAFF);
	const char *format = cli_arg(args, CH_FORMAT) ? cli_arg(args, CH_FORMAT) : "text";
	struct ch_out o = { CHF_TEXT, 0, NULL, 0 };
	struct changes_school *sum;
	size_t n;
	sqlite3_int64 sid = 0;
	char *cause = NULL, *label = NULL;
	int any = 0;

	if (strcmp(format, "tsv") == 0)
		o.fmt = CHF_TSV;
	else if (strcmp(format, "json") == 0)
		o.fmt = CHF_JSON;
	else if (strcmp(format, "text") != 0)
		return cli_fail("--format 只能是 text、tsv 或 json");
	if (app_load_defs(a) < 0 || app_open_store(a, 0) < 0)
		return EXIT_FAIL;
	/* after log-in: a school bound operator who named none gets his school (cli_gate) */
	school = cli_arg(args, CH_SCHOOL);
	if (staff != NULL && record_find_staff(a->st, staff, &sid, &label, &cause) != JZG_OK)
		return cli_fail_cause(cause, "找不到该人员");
	free(label);
	if (baseline_count(a->st) == 0)
		return cli_fail("本文件没有基线：先用 jzg baseline set 去年的文件 设置基线");
	if (o.fmt == CHF_TSV)
		printf("学校标识码\t姓名\t身份证件号\t类别\t信息集\t记录\t指标\t去年\t今年\t说明\n");
	else if (o.fmt == CHF_JSON)
		printf("{\n  \"changes\": [");
	if (changes_run(a->st, school, sid, print_change, &o, &sum, &n, &cause) != JZG_OK)
		return cli_fail_cause(cause, "比对失败");
	if (o.fmt == CHF_JSON)
		printf("\n  ],\n  \"schools\": [");
	for (size_t i = 0; i < n; i++) {
		const struct changes_school *s = &sum[i];

		any |= s->added || s->gone || s->changed;
		if (o.fmt == CHF_JSON) {
			printf("%s\n    {", i ? "," : "");
			json_pair("school_code", s->code, 0);
			json_pair("school_name", s->name, 1);
			json_pair("baseline", s->label, 1);
			printf(", \"people\": %ld, \"baseline_people\": %ld, \"added\": %ld, \"gone\": %ld, \"changed\": %ld,"
			    " \"update_rate\": %.4f}", s->people, s->baseline, s->added, s->gone, s->changed, s->rate);
		} else if (o.fmt == CHF_TEXT)
			printf("%s %s（基线 %s）：今年 %ld 人，去年 %ld 人；新增 %ld 人，减少 %ld 人，有变化 %ld 人；更新率 %.1f%%\n",
			    s->code, s->name, s->label, s->people, s->baseline, s->added, s->gone, s->changed, 100.0 * s->rate);
	}
	if (o.fmt == CHF_JSON)
		printf("\n  ]\n}\n");
	if (n == 0 && school != NULL && o.fmt == CHF_TEXT)
		printf("学校 %s 没有基线\n", school);
	changes_free(sum, n);
	return any ? EXIT_FOUND : EXIT_CLEAN;
}

const struct cli_verb cli_changes = {
	.name = "changes", .usage = "changes [--school 学校标识码] [--staff 身份证件号] [--format text|tsv|json]",
	.help = "与基线（去年的数据）比对：新增、减少的人员，每人改了哪些信息（信息集、记录、指标、去年 → 今年），各校更新率",
	.opts = (const struct cli_opt[]){ [CH_SCHOOL] = { "school", CLI_STR, CLI_T_SCHOOL },
	    [CH_STAFF] = { "staff", CLI_STR, CLI_T_PERSON }, [CH_FORMAT] = { "format", CLI_STR }, { NULL, 0 } },
	.exec = changes_exec, .needs_db = 1, .roles = CLI_ANYONE, .scope = CLI_SCHOOL,
};
