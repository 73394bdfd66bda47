/* cli_workflow.c — the verbs of issue 7: user, submit/approve/reject/
 * unlock/confirm, log, stats, weekly, expect, pack, merge.  Messages are
 * Chinese, one line each; exit 0 done, 1 something was refused or left
 * for a decision, 2 error. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "audit.h"
#include "calendar.h"
#include "board_report.h"
#include "cli_session.h"
#include "changes.h"
#include "county.h"
#include "merge.h"
#include "operator.h"
#include "pack.h"
#include "progress.h"
#include "school.h"
#include "util.h"
#include "cli_util.h"
#include "record.h"
#include "workflow.h"


static int
open_all(struct app *a)
{
	return app_load_defs(a) < 0 || app_open_store(a, 0) < 0 ? -1 : 0;
}

/* ---------------------------------------------------------------- user */

static char *
new_password(void)
{
	char *p1 = cli_read_password("JZG_NEW_PASSWORD", "新密码："), *p2;

	if (p1 == NULL || getenv("JZG_NEW_PASSWORD") != NULL)
		return p1;
	p2 = cli_read_password(NULL, "再输入一次：");
	if (p2 == NULL || strcmp(p1, p2) != 0) {
		free(p1);
		free(p2);
		cli_fail("两次输入的密码不一致，未做修改");
		return NULL;
	}
	free(p2);
	return p1;
}

/* The options of user add; passwd and disable take --name only. */
enum { USER_NAME, USER_ROLE, USER_SCHOOL };

/* user add, list, passwd and disable: one exec, the sub-verb by name. */
static int
user_exec(struct app *a, const struct cli_args *args)
{
	const char *sub = strchr(args->verb->name, ' ') + 1, *name = NULL, *role = NULL, *school = NULL;
	const struct operator *me;
	char *cause = NULL, *pw;
	int n, r;

	if (strcmp(sub, "list") != 0)
		name = cli_arg(args, USER_NAME) ? cli_arg(args, USER_NAME) : args->argc > 0 ? args->argv[0] : NULL;
	if (strcmp(sub, "add") == 0)
		role = cli_arg(args, USER_ROLE);
	if (open_all(a) < 0)
		return EXIT_FAIL;
	if (strcmp(sub, "add") == 0)   /* after log-in: a school bound 管理员 adds to his school (cli_gate) */
		school = cli_arg(args, USER_SCHOOL);
	me = a->op;
	if (operator_count(a->st, &n, &cause) != JZG_OK)
		return cli_fail_cause(cause, "无法读取操作员");
	if (strcmp(sub, "list") == 0) {
		struct operator *ops;
		size_t k;

		if (operator_list(a->st, &ops, &k, &cause) != JZG_OK)
			return cli_fail_cause(cause, "无法读取操作员");
		if (k == 0)
			printf("文件中还没有操作员（用 user add --role 管理员 创建第一个管理员）\n");
		for (size_t i = 0; i < k; i++)
			printf("%s\t%s\t%s\t%s\n", ops[i].name, operator_role_label(ops[i].role),
			    ops[i].school_code ? ops[i].school_code : "县级", ops[i].disabled ? "已停用" : "正常");
		operator_list_free(ops, k);
		return EXIT_CLEAN;
	}
	if (name == NULL)
		return cli_fail("请用 --name 指定用户名");
	if (strcmp(sub, "add") == 0) {
		if (role == NULL || (r = operator_role_parse(role)) < 0)
			return cli_fail("--role 应为 录入员、审核员 或 管理员（keyer、reviewer、admin）");
		if (n > 0 && (me == NULL || me->role != ROLE_ADMIN))
			return cli_fail("只有管理员可以添加操作员；请用 --user 以管理员身份登录");
		if ((pw = new_password()) == NULL)
			return EXIT_FAIL;
		if (operator_add(a->st, name, (enum operator_role)r, pw, school, &cause) != JZG_OK) {
			free(pw);
			return cli_fail_cause(cause, "无法添加操作员");
		}
		free(pw);
		printf("已添加%s：%s\n", operator_role_label((enum operator_role)r), name);
		return EXIT_CLEAN;
	}
	if (me == NULL || (me->role != ROLE_ADMIN && (strcmp(sub, "disable") == 0 || strcmp(me->name, name) != 0)))
		return cli_fail(strcmp(sub, "disable") == 0 ? "只有管理员可以停用操作员" : "只能修改自己的密码；管理员可以修改任何人的密码");
	if (strcmp(sub, "passwd") == 0) {
		if ((pw = new_password()) == NULL)
			return EXIT_FAIL;
		if (operator_passwd(a->st, name, pw, &cause) != JZG_OK) {
			free(pw);
			return cli_fail_cause(cause, "无法修改密码");
		}
		free(pw);
		printf("已修改 %s 的密码\n", name);
		return EXIT_CLEAN;
	}
	if (operator_disable(a->st, name, &cause) != JZG_OK)
		return cli_fail_cause(cause, "无法停用");
	printf("已停用 %s（审计记录中仍保留此名字）\n", name);
	return EXIT_CLEAN;
}

static const struct cli_opt user_name_opt[] = { [USER_NAME] = { "name", CLI_STR, CLI_T_OPERATOR }, { NULL, 0 } };

const struct cli_verb cli_user_add = {
	.name = "user add", .usage = "user add --name 用户名 --role 录入员|审核员|管理员 [--school 学校标识码]",
	.help = "添加操作员（新密码取自 JZG_NEW_PASSWORD 或在终端输入；第一个必须是管理员）",
	.opts = (const struct cli_opt[]){ [USER_NAME] = { "name", CLI_STR }, [USER_ROLE] = { "role", CLI_STR },
	    [USER_SCHOOL] = { "school", CLI_STR, CLI_T_SCHOOL }, { NULL, 0 } },
	.exec = user_exec, .max_args = 1, .needs_db = 1, .roles = CLI_ADMIN, .scope = CLI_SCHOOL,
};
const struct cli_verb cli_user_list = {
	.name = "user list", .usage = "user list", .help = "列出操作员、角色、所属学校和状态",
	.exec = user_exec, .needs_db = 1, .roles = CLI_ANYONE, .scope = CLI_FILE,
};
const struct cli_verb cli_user_passwd = {
	.name = "user passwd", .usage = "user passwd 用户名", .opts = user_name_opt,
	.help = "修改密码（自己的；管理员可改任何人的）", .exec = user_exec, .max_args = 1, .needs_db = 1,
	.roles = CLI_ANYONE, .scope = CLI_SCHOOL, .args_target = CLI_T_OPERATOR,
};
const struct cli_verb cli_user_disable = {
	.name = "user disable", .usage = "user disable 用户名", .opts = user_name_opt,
	.help = "停用操作员（管理员；审计记录中仍保留此名字）", .exec = user_exec, .max_args = 1, .needs_db = 1,
	.roles = CLI_ADMIN, .scope = CLI_SCHOOL, .args_target = CLI_T_OPERATOR,
};

/* ---------------------------------------------------------- transitions */

struct target { sqlite3_int64 id; char *label; };

/* The person with this 身份证件号 (as typed or normalised), with a label. */
static int
find_person(struct app *a, const char *idno, struct target *t)
{
	char *cause = NULL;

	if (record_find_staff(a->st, idno, &t->id, &t->label, &cause) != JZG_OK) {
		cli_fail_cause(cause, "无法查找人员");
		return -1;
	}
	return 0;
}

enum { MOVE_STAFF, MOVE_SCHOOL, MOVE_REASON };

/* submit, approve, reject, unlock, confirm: the action by the verb's name. */
static int
transition_exec(struct app *a, const struct cli_args *args)
{
	static const char *const from_states[WF_ACTION__COUNT] = {
		"'draft'", "'submitted'", "'submitted','approved'", "'approved','signed'", "'approved'" };
	int action = workflow_action_parse(args->verb->name);
	const char *school = cli_arg(args, MOVE_SCHOOL), *reason = cli_arg(args, MOVE_REASON);
	const char **staff = cli_args_all(args, MOVE_STAFF), **ids;
	struct target *t = NULL;
	size_t nid = 0, nt = 0;
	struct rules *rules = NULL;
	char *cause = NULL;
	int done = 0, refused = 0, rc = EXIT_FAIL;

	while (staff[nid] != NULL)
		nid++;
	/* those of --staff, then those given bare */
	ids = xcalloc(nid + (size_t)args->argc + 1, sizeof *ids);
	memcpy(ids, staff, nid * sizeof *ids);
	for (int i = 0; i < args->argc; i++)
		ids[nid++] = args->argv[i];
	if (nid == 0 && school == NULL) {
		rc = cli_usage(args);
		goto out;
	}
	if (open_all(a) < 0)
		goto out;
	t = xcalloc(nid + 1, sizeof *t);
	for (size_t i = 0; i < nid; i++) {
		if (find_person(a, ids[i], &t[nt]) < 0)
			goto out;
		nt++;
	}
	if (school != NULL) {
		sqlite3_int64 sid = 0;
		sqlite3_stmt *q;
		char *sql;

		if (school_find(a->st, school, &sid, &cause) != JZG_OK || sid == 0) {
			free(cause);
			cli_fail("文件中没有学校标识码为 %s 的学校", school);
			goto out;
		}
		sql = xasprintf("SELECT s.id, p.\"%s\" || ' ' || ifnull(p.\"%s\", '') FROM staff s LEFT JOIN \"s_%s\" p "
		    "ON p.staff_id = s.id WHERE s.school_id = ?1 AND s.state IN (%s) ORDER BY s.id",
		    a->defs->setting[SK_PERSON_NAME], a->defs->setting[SK_PERSON_ID], a->defs->setting[SK_PERSON_SET],
		    from_states[action]);
		if (store_prepare(a->st, sql, &q, &cause) != JZG_OK) {
			free(sql);
			rc = cli_fail_cause(cause, "");
			goto out;
		}
		free(sql);
		sqlite3_bind_int64(q, 1, sid);
		while (sqlite3_step(q) == SQLITE_ROW) {
			t = xreallocarray(t, nt + 1, sizeof *t);
			t[nt].id = sqlite3_column_int64(q, 0);
			t[nt++].label = xstrdup((const char *)sqlite3_column_text(q, 1));
		}
		sqlite3_finalize(q);
	}
	if (action == WF_SUBMIT && (rules = rules_new(a->st, &cause)) == NULL) {
		rc = cli_fail_cause(cause, "无法编译校验规则");
		goto out;
	}
	/* One transaction for the batch (each person is its own savepoint). */
	store_exec(a->st, "BEGIN IMMEDIATE", NULL);
	for (size_t i = 0; i < nt; i++) {
		if (workflow_apply(a->st, rules, a->op, t[i].id, (enum wf_action)action, reason,
		    &cause) == JZG_OK) {
			printf("已%s：%s\n", workflow_action_label((enum wf_action)action), t[i].label);
			done++;
		} else {
			printf("未能%s：%s：%s\n", workflow_action_label((enum wf_action)action), t[i].label,
			    cause ? cause : "");
			free(cause);
			cause = NULL;
			refused++;
		}
	}
	if (store_exec(a->st, "COMMIT", &cause) != JZG_OK) {
		sqlite3_exec(a->st->db, "ROLLBACK", NULL, NULL, NULL);
		rc = cli_fail_cause(cause, "无法保存");
		goto out;
	}
	printf("共 %d 人%s，%d 人未能%s\n", done, workflow_action_label((enum wf_action)action), refused,
	    workflow_action_label((enum wf_action)action));
	rc = refused ? EXIT_FOUND : EXIT_CLEAN;
out:
	rules_free(rules);
	for (size_t i = 0; i < nt; i++)
		free(t[i].label);
	free(t);
	free(ids);
	return rc;
}

static const struct cli_opt transition_opts[] = {
	[MOVE_STAFF] = { "staff", CLI_STRS, CLI_T_PERSON }, [MOVE_SCHOOL] = { "school", CLI_STR, CLI_T_SCHOOL },
	[MOVE_REASON] = { "reason", CLI_STR },
	{ NULL, 0 }
};
#define TRANSITION(n, u, h, r) { .name = n, .usage = n " " u, .help = h, .opts = transition_opts, \
	.exec = transition_exec, .max_args = -1, .needs_db = 1, .roles = r, .scope = CLI_SCHOOL, \
	.args_target = CLI_T_PERSON }
const struct cli_verb cli_submit = TRANSITION("submit", "--staff 身份证件号 … | --school 学校标识码",
    "提交审核（须无错误、警告均已说明）", CLI_ANYONE);
const struct cli_verb cli_approve = TRANSITION("approve", "--staff 身份证件号 … | --school 学校标识码",
    "审核通过并锁定（审核员或管理员，不能审核自己录入或修改过的人员）", CLI_REVIEWER | CLI_ADMIN);
const struct cli_verb cli_reject = TRANSITION("reject", "--staff 身份证件号 … | --school 学校标识码 --reason 理由",
    "退回录入员修改（理由会显示给录入员）", CLI_REVIEWER | CLI_ADMIN);
const struct cli_verb cli_unlock = TRANSITION("unlock", "--staff 身份证件号 … --reason 理由",
    "管理员解锁已审核的人员（审核和签字确认随之作废）", CLI_ADMIN);
const struct cli_verb cli_confirm = TRANSITION("confirm", "--staff 身份证件号 … | --school 学校标识码",
    "已审核且确认表已签字返回（jzg sign）的人员标记为已签字确认", CLI_ANYONE);
#undef TRANSITION

/* ---------------------------------------------------------------- log */

/* --since: a real day (2024-02-30 is refused, not read as March). */
static int
valid_date(const char *s)
{
	return s != NULL && date_read(s, strlen(s), 1, NULL, NULL, NULL);
}

struct log_ctx { const struct defs *defs; int n; };

static int
log_cb(const struct audit_row *r, void *arg)
{
	struct log_ctx *x = arg;
	const struct set_def *s = r->set_name ? defs_set(x->defs->all, x->defs->nall, r->set_name) : NULL;
	const struct field_def *f = s && r->field ? set_field(s, r->field) : NULL;
	const char *what = s ? s->v[SC_LABEL] : str_eq(r->set_name, "staff") ? "人员" :
	    str_eq(r->set_name, "explanation") ? "警告说明" : str_eq(r->set_name, "signature") ? "签字登记" :
	    str_eq(r->set_name, "photo") ? "照片" :
	    str_eq(r->set_name, "operator") ? "操作员" : str_eq(r->set_name, "trust") ? "防篡改检查" :
	    r->set_name ? r->set_name : "";

	printf("%s\t%s\t%s\t%s\t%s\t%s\t", r->at, r->actor ? r->actor : "（未登录）", audit_path_label(r->path),
	    r->behalf ? r->behalf : "", r->person ? r->person : r->staff_id ? "（已删除）" : "", what);
	if (str_eq(r->op, "insert")) {
		char *t = audit_insert_text(r);

		printf("%s\n", t);
		free(t);
	} else if (str_eq(r->op, "delete"))
		printf("删除\n");
	else if (str_eq(r->op, "alarm"))   /* what jzg found on opening the file (trust.h) */
		printf("%s\n", r->new_value ? r->new_value : "");
	else if (str_eq(r->op, "rekey")) {
		char *t = audit_rekey_text(r);

		printf("%s：%s\n", f ? f->v[FC_LABEL] : r->field ? r->field : "", t);
		free(t);
	}
	else if (str_eq(r->set_name, "staff") && str_eq(r->field, "state")) {
		int o = workflow_state_parse(r->old_value), n = workflow_state_parse(r->new_value);

		printf("状态：%s → %s\n", o >= 0 ? workflow_state_label((enum wf_state)o) : r->old_value,
		    n >= 0 ? workflow_state_label((enum wf_state)n) : r->new_value);
	} else
		printf("%s：%s → %s\n", f ? f->v[FC_LABEL] : str_eq(r->set_name, "photo") ? "照片" : r->field ? r->field : "",
		    r->old_value ? r->old_value : "（空）", r->new_value ? r->new_value : "（空）");
	x->n++;
	return 0;
}

enum { LOG_STAFF, LOG_SINCE, LOG_FIELD, LOG_SCHOOL };

static int
log_exec(struct app *a, const struct cli_args *args)
{
	const char *staff = cli_arg(args, LOG_STAFF), *since = cli_arg(args, LOG_SINCE);
	const char *field = cli_arg(args, LOG_FIELD), *school;
	struct target t = { 0 };
	struct log_ctx x = { 0 };
	struct audit_filter f = { .since = since, .field = field };
	char *cause = NULL;

	if (since != NULL && !valid_date(since))
		return cli_fail("--since 应为 年-月-日，例如 2026-11-01");
	if (open_all(a) < 0 || (staff != NULL && find_person(a, staff, &t) < 0))
		return EXIT_FAIL;
	free(t.label);
	f.staff_id = t.id;
	/* read after log-in: a school bound operator's school is filled in (cli_gate) */
	if ((school = cli_arg(args, LOG_SCHOOL)) != NULL &&
	    (school_find(a->st, school, &f.school_id, &cause) != JZG_OK || f.school_id == 0)) {
		free(cause);
		return cli_fail("文件中没有学校标识码为 %s 的学校", school);
	}
	x.defs = a->defs;
	if (audit_log(a->st, &f, log_cb, &x, &cause) != JZG_OK)
		return cli_fail_cause(cause, "无法读取审计记录");
	if (x.n == 0)
		printf("没有符合条件的修改记录\n");
	return EXIT_CLEAN;
}

const struct cli_verb cli_log = {
	.name = "log", .usage = "log [--school 学校标识码] [--staff 身份证件号] [--since 年-月-日] [--field 指标]",
	.help = "修改记录：谁、何时、经由何处、哪一项由什么改成什么",
	.opts = (const struct cli_opt[]){ [LOG_STAFF] = { "staff", CLI_STR, CLI_T_PERSON },
	    [LOG_SINCE] = { "since", CLI_STR }, [LOG_FIELD] = { "field", CLI_STR },
	    [LOG_SCHOOL] = { "school", CLI_STR, CLI_T_SCHOOL }, { NULL, 0 } },
	.exec = log_exec, .needs_db = 1, .roles = CLI_ANYONE, .scope = CLI_SCHOOL,
};

/* ---------------------------------------------------------------- stats */

static int
refresh_all(struct app *a)
{
	struct rules *r = NULL;
	sqlite3_int64 sid, last = -1;
	char *cause = NULL;

	for (;;) {
		if (county_next_stale(a->st, &sid, &cause) != JZG_OK)
			return cli_fail_cause(cause, "无法读取进度"), -1;
		if (sid == 0 || sid == last)
			break;
		if (r == NULL && (r = rules_new(a->st, &cause)) == NULL)
			return cli_fail_cause(cause, "无法编译校验规则"), -1;
		if (county_refresh_school(a->st, r, sid, &cause) != JZG_OK) {
			rules_free(r);
			return cli_fail_cause(cause, "无法检查"), -1;
		}
		last = sid;
	}
	rules_free(r);
	return 0;
}

static int
board_out(struct app *a, const char *format, const char *out, const char *sort, int weekly)
{
	static const char *const sorts[BOARD_SORT__COUNT] = { "notice", "code", "entry", "done" };
	struct board_row *rows, total;
	size_t n;
	char *cause = NULL;
	int s = -1;

	for (int i = 0; i < BOARD_SORT__COUNT; i++)
		if (str_eq(sort, sorts[i]))
			s = i;
	if (s < 0)
		return cli_fail("--sort 只能是 notice（未录入在前）、code、entry（录入率）或 done（完整率）");
	if (strcmp(format, "text") != 0 && strcmp(format, "tsv") != 0 && strcmp(format, "xlsx") != 0)
		return cli_fail("--format 只能是 text、tsv 或 xlsx");
	if (strcmp(format, "xlsx") == 0 && out == NULL)
		return cli_fail("xlsx 格式需要 --out 文件.xlsx");
	if (open_all(a) < 0 || refresh_all(a) < 0)
		return EXIT_FAIL;
	if (county_board(a->st, (enum board_sort)s, &rows, &n, &total, &cause) != JZG_OK)
		return cli_fail_cause(cause, "无法读取进度");
	if (changes_board(a->st, rows, n, &total, &cause) != JZG_OK) {
		board_free(rows, n);
		board_row_clear(&total);
		return cli_fail_cause(cause, "无法与基线比对（更新率）");
	}
	if (strcmp(format, "xlsx") == 0) {
		if (board_write_xlsx(out, a->defs, rows, n, &total, weekly, &cause) != JZG_OK) {
			board_free(rows, n);
			board_row_clear(&total);
			return cli_fail_cause(cause, "无法写出");
		}
		printf("已写出 %s：%zu 所学校\n", out, n);
	} else if (strcmp(format, "tsv") == 0)
		board_write_tsv(stdout, rows, n, &total);
	else
		board_write_text(stdout, a->defs, rows, n, &total);
	board_free(rows, n);
	board_row_clear(&total);
	if (fflush(stdout) != 0)
		return cli_fail("无法写出：%s", strerror(errno));
	return EXIT_CLEAN;
}

enum { STATS_FORMAT, STATS_OUT, STATS_SORT };

static int
stats_exec(struct app *a, const struct cli_args *args)
{
	const char *format = cli_arg(args, STATS_FORMAT), *sort = cli_arg(args, STATS_SORT);

	return board_out(a, format ? format : "text", cli_arg(args, STATS_OUT), sort ? sort : "notice", 0);
}

const struct cli_verb cli_stats = {
	.name = "stats", .usage = "stats [--format text|tsv|xlsx] [--out 文件.xlsx] [--sort notice|code|entry|done]",
	.help = "各校录入进度：应有、已录、录入率、完整率、待审核、已审核、已签字",
	.opts = (const struct cli_opt[]){ [STATS_FORMAT] = { "format", CLI_STR }, [STATS_OUT] = { "out", CLI_STR },
	    [STATS_SORT] = { "sort", CLI_STR }, { NULL, 0 } },
	.exec = stats_exec, .needs_db = 1, .roles = CLI_ANYONE, .scope = CLI_COUNTY,
};

enum { WEEKLY_OUT };

static int
weekly_exec(struct app *a, const struct cli_args *args)
{
	if (cli_arg(args, WEEKLY_OUT) == NULL)
		return cli_usage(args);
	return board_out(a, "xlsx", cli_arg(args, WEEKLY_OUT), "notice", 1);
}

const struct cli_verb cli_weekly = {
	.name = "weekly", .usage = "weekly --out 周报表.xlsx", .help = "生成进度周报表（Excel）",
	.opts = (const struct cli_opt[]){ [WEEKLY_OUT] = { "out", CLI_STR }, { NULL, 0 } },
	.exec = weekly_exec, .needs_db = 1, .roles = CLI_ANYONE, .scope = CLI_COUNTY,
};

enum { EXPECT_SCHOOL, EXPECT_STAFF };

static int
expect_exec(struct app *a, const struct cli_args *args)
{
	const char *school = cli_arg(args, EXPECT_SCHOOL), *staff = cli_arg(args, EXPECT_STAFF);
	long n = -1;
	char *cause = NULL;

	if (staff != NULL && str_count(staff, 0, 1000000, &n) < 0)
		return cli_fail("--staff 应为 0 到 1000000 的整数（年报中的教职工数）");
	if (school == NULL || n < 0)
		return cli_usage(args);
	if (open_all(a) < 0)
		return EXIT_FAIL;
	if (county_set_expected(a->st, school, (int)n, &cause) != JZG_OK)
		return cli_fail_cause(cause, "无法保存");
	printf("已设置 %s 的应有人数：%ld\n", school, n);
	return EXIT_CLEAN;
}

const struct cli_verb cli_expect = {
	.name = "expect", .usage = "expect --school 学校标识码 --staff 人数", .help = "登记学校年报中的教职工数（计算录入率用）",
	.opts = (const struct cli_opt[]){ [EXPECT_SCHOOL] = { "school", CLI_STR }, [EXPECT_STAFF] = { "staff", CLI_STR },
	    { NULL, 0 } },
	.exec = expect_exec, .needs_db = 1, .roles = CLI_ANYONE, .scope = CLI_COUNTY,
};

/* ---------------------------------------------------------- pack, merge */

enum { PACK_SCHOOL, PACK_OUT };

static int
pack_exec(struct app *a, const struct cli_args *args)
{
	const char *school = cli_arg(args, PACK_SCHOOL), *out = cli_arg(args, PACK_OUT);
	char *cause = NULL;
	struct progress pg;
	struct progress_term bar;
	enum jzg_status st;
	int n;

	if (school == NULL || out == NULL)
		return cli_usage(args);
	if (open_all(a) < 0)
		return EXIT_FAIL;
	if (str_eq(out, a->db_path))
		return cli_fail("--out 不能是正在使用的数据文件");
	progress_term_init(&pg, &bar, "写出");
	st = pack_school_progress(a->st, school, out, &n, &pg, &cause);
	progress_term_done(&bar);
	if (st != JZG_OK)
		return cli_fail_cause(cause, "无法写出");
	printf("已写出 %s：学校 %s，%d 人；文件已校验，可以安全拔出 U 盘\n", out, school, n);
	return EXIT_CLEAN;
}

const struct cli_verb cli_pack = {
	.name = "pack", .usage = "pack --school 学校标识码 --out 文件.db",
	.help = "把一所学校的数据写到 U 盘上的单独文件（写完校验，提示可以拔出）",
	.opts = (const struct cli_opt[]){ [PACK_SCHOOL] = { "school", CLI_STR, CLI_T_SCHOOL }, [PACK_OUT] = { "out", CLI_STR },
	    { NULL, 0 } },
	.exec = pack_exec, .needs_db = 1, .roles = CLI_ANYONE, .scope = CLI_SCHOOL,
};

static void
conflict_cb(const struct merge_conflict *c, void *arg)
{
	(void)arg;
	if (c->field_label == NULL)
		printf("冲突\t%s\t%s\t记录数\t本文件 %s\t来源文件 %s\n", c->person, c->set_label, c->mine, c->theirs);
	else if (c->set_label[0] == '\0')
		printf("冲突\t%s\t%s\n", c->person, c->field_label);
	else if (c->row > 0)
		printf("冲突\t%s\t%s 第 %d 条\t%s\t本文件 «%s»\t来源文件 «%s»\n", c->person, c->set_label, c->row,
		    c->field_label, c->mine, c->theirs);
	else
		printf("冲突\t%s\t%s\t%s\t本文件 «%s»\t来源文件 «%s»\n", c->person, c->set_label, c->field_label,
		    c->mine, c->theirs);
}

/* The running totals of a merge, one line per file as it is merged, under
 * a bar of the files done (cleared for each line, drawn again after it). */
struct merge_tally {
	struct merge_result  all;
	int                  bad;
	int                  n;      /* files */
	struct progress      pg;
	struct progress_term bar;
};

static void
merge_done(int i, const char *path, enum jzg_status rc, const struct merge_result *r, const char *cause, void *arg)
{
	struct merge_tally *t = arg;
	int sign = rc == JZG_OK ? 1 : -1;

	progress_term_done(&t->bar);
	if (rc != JZG_OK) {
		cli_fail("%s", cause ? cause : "合并失败");
		t->bad++;
	} else {
		printf("%s：新增 %d 人，相同跳过 %d 人，冲突 %d 人", path, r->added, r->same, r->conflicts);
		if (r->replaced)
			printf("，冲突中采用来源文件的值 %d 人", r->replaced);
		putchar('\n');
	}
	/* a file reported merged and then undone with its batch: out again */
	if (r != NULL) {
		t->all.added += sign * r->added;
		t->all.same += sign * r->same;
		t->all.conflicts += sign * r->conflicts;
		t->all.replaced += sign * r->replaced;
	}
	fflush(stdout);
	progress_report(&t->pg, (unsigned long long)i + 1, (unsigned long long)t->n);
}

enum { MERGE_OPT_TAKE };

static int
merge_exec(struct app *a, const struct cli_args *args)
{
	static const char takes[] = "merge 的参数：--take mine（冲突时保留本文件）或 --take theirs（冲突时采用来源文件）";
	const char *takearg = cli_arg(args, MERGE_OPT_TAKE);
	enum merge_take take = MERGE_TAKE_NONE;
	struct merge_tally t = { .n = args->argc };
	struct merge_hooks h = { conflict_cb, merge_done, &t };
	int created;

	if (str_eq(takearg, "mine"))
		take = MERGE_TAKE_MINE;
	else if (str_eq(takearg, "theirs"))
		take = MERGE_TAKE_THEIRS;
	else if (takearg != NULL)
		return cli_fail("%s", takes);
	if (args->argc == 0)
		return cli_usage(args);
	/* The county file is made by its first merge, as school add makes a
	 * school's (an empty file would only be one more step to explain). */
	if (app_load_defs(a) < 0)
		return EXIT_FAIL;
	created = a->db_path != NULL && access(a->db_path, F_OK) != 0 && errno == ENOENT;
	if (app_open_store(a, created ? STORE_CREATE : 0) < 0)
		return EXIT_FAIL;
	if (created)
		printf("数据文件 %s 还不存在，已新建（县级汇总文件）\n", a->db_path);
	progress_term_init(&t.pg, &t.bar, "合并");
	merge_files(a->st, args->argc, args->argv, take, &h);
	progress_term_done(&t.bar);
	printf("合计：新增 %d 人，相同跳过 %d 人，冲突 %d 人，出错文件 %d 个\n", t.all.added, t.all.same, t.all.conflicts,
	    t.bad);
	if (t.all.conflicts && take == MERGE_TAKE_NONE)
		printf("冲突的人员未做改动：请逐项核对后用 --take mine 或 --take theirs 重新合并\n");
	return t.bad ? EXIT_FAIL : t.all.conflicts && take != MERGE_TAKE_MINE ? EXIT_FOUND : EXIT_CLEAN;
}

const struct cli_verb cli_merge = {
	.name = "merge", .usage = "merge [--take mine|theirs] 文件.db …",
	.help = "把学校的文件合并到本文件（本文件还不存在时新建）：新增的加入，相同的跳过，冲突的逐项列出",
	.opts = (const struct cli_opt[]){ [MERGE_OPT_TAKE] = { "take", CLI_STR }, { NULL, 0 } },
	.exec = merge_exec, .max_args = -1, .needs_db = 1, .roles = CLI_REVIEWER | CLI_ADMIN, .scope = CLI_COUNTY,
};
