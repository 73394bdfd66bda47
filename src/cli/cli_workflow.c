/* cli_workflow.c — the verbs of issue 7: user, submit/approve/reject/
 * unlock/confirm, log, stats, weekly, expect, pack, merge.  Messages are
 * Chinese, one line each; exit 0 done, 1 something was refused or left
 * for a decision, 2 error. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "audit.h"
#include "calendar.h"
#include "board_report.h"
#include "cli_session.h"
#include "county.h"
#include "merge.h"
#include "operator.h"
#include "pack.h"
#include "school.h"
#include "util.h"
#include "cli_util.h"
#include "record.h"
#include "workflow.h"

int verb_user(struct app *a, int argc, char **argv);
int verb_transition(struct app *a, int argc, char **argv);
int verb_log(struct app *a, int argc, char **argv);
int verb_stats(struct app *a, int argc, char **argv);
int verb_weekly(struct app *a, int argc, char **argv);
int verb_expect(struct app *a, int argc, char **argv);
int verb_pack(struct app *a, int argc, char **argv);
int verb_merge(struct app *a, int argc, char **argv);


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

int
verb_user(struct app *a, int argc, char **argv)
{
	const char *name = NULL, *role = NULL, *school = NULL, *sub = argc > 1 ? argv[1] : "";
	const struct cli_opt opts[] = {
		{ "name", CLI_STR, &name }, { "role", CLI_STR, &role }, { "school", CLI_STR, &school }, { NULL, 0, NULL }
	};
	const struct operator *me;
	char *cause = NULL, *pw;
	int first, n, r;

	if ((first = cli_opts(argc, argv, 2, "user", opts, NULL)) < 0)
		return EXIT_FAIL;
	if (name == NULL && first < argc)
		name = argv[first];
	if (strcmp(sub, "add") != 0 && strcmp(sub, "list") != 0 && strcmp(sub, "passwd") != 0 &&
	    strcmp(sub, "disable") != 0)
		return cli_fail("用法：jzg --db 文件 user add --name 用户名 --role 录入员|审核员|管理员 [--school 学校标识码]，"
		    "或 user list、user passwd 用户名、user disable 用户名");
	if (open_all(a) < 0)
		return EXIT_FAIL;
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

int
verb_transition(struct app *a, int argc, char **argv)
{
	static const char *const from_states[WF_ACTION__COUNT] = {
		"'draft'", "'submitted'", "'submitted','approved'", "'approved','signed'", "'approved'" };
	int action = workflow_action_parse(argv[0]);
	const char *school = NULL, *reason = NULL;
	const char **ids = xcalloc((size_t)argc + 1, sizeof *ids);
	const struct cli_opt opts[] = {
		{ "staff", CLI_STRS, ids }, { "school", CLI_STR, &school }, { "reason", CLI_STR, &reason },
		{ NULL, 0, NULL }
	};
	struct target *t = NULL;
	size_t nid = 0, nt = 0;
	struct rules *rules = NULL;
	char *cause = NULL;
	int first, done = 0, refused = 0, rc = EXIT_FAIL;

	if ((first = cli_opts(argc, argv, 1, argv[0], opts, NULL)) < 0)
		goto out;
	while (ids[nid] != NULL)   /* those of --staff, then those given bare */
		nid++;
	while (first < argc)
		ids[nid++] = argv[first++];
	if (nid == 0 && school == NULL) {
		cli_fail("用法：jzg --db 文件 --user 用户名 %s --staff 身份证件号 … | --school 学校标识码%s", argv[0],
		    action == WF_REJECT || action == WF_UNLOCK ? " --reason 理由" : " [--reason 说明]");
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
	    str_eq(r->set_name, "operator") ? "操作员" : r->set_name ? r->set_name : "";

	printf("%s\t%s\t%s\t%s\t%s\t%s\t", r->at, r->actor ? r->actor : "（未登录）", audit_path_label(r->path),
	    r->behalf ? r->behalf : "", r->person ? r->person : r->staff_id ? "（已删除）" : "", what);
	if (str_eq(r->op, "insert")) {
		char *t = audit_insert_text(r);

		printf("%s\n", t);
		free(t);
	} else if (str_eq(r->op, "delete"))
		printf("删除\n");
	else if (str_eq(r->set_name, "staff") && str_eq(r->field, "state")) {
		int o = workflow_state_parse(r->old_value), n = workflow_state_parse(r->new_value);

		printf("状态：%s → %s\n", o >= 0 ? workflow_state_label((enum wf_state)o) : r->old_value,
		    n >= 0 ? workflow_state_label((enum wf_state)n) : r->new_value);
	} else
		printf("%s：%s → %s\n", f ? f->v[FC_LABEL] : r->field ? r->field : "",
		    r->old_value ? r->old_value : "（空）", r->new_value ? r->new_value : "（空）");
	x->n++;
	return 0;
}

int
verb_log(struct app *a, int argc, char **argv)
{
	const char *staff = NULL, *since = NULL, *field = NULL;
	const struct cli_opt opts[] = {
		{ "staff", CLI_STR, &staff }, { "since", CLI_STR, &since }, { "field", CLI_STR, &field }, { NULL, 0, NULL }
	};
	struct target t = { 0 };
	struct log_ctx x = { 0 };
	char *cause = NULL;
	int first;

	if ((first = cli_opts(argc, argv, 1, "log", opts, NULL)) < 0)
		return EXIT_FAIL;
	if (first < argc)
		return cli_fail("用法：jzg --db 文件 log [--staff 身份证件号] [--since 年-月-日] [--field 指标]");
	if (since != NULL && !valid_date(since))
		return cli_fail("--since 应为 年-月-日，例如 2026-11-01");
	if (open_all(a) < 0 || (staff != NULL && find_person(a, staff, &t) < 0))
		return EXIT_FAIL;
	free(t.label);
	x.defs = a->defs;
	if (audit_log(a->st, t.id, since, NULL, field, log_cb, &x, &cause) != JZG_OK)
		return cli_fail_cause(cause, "无法读取审计记录");
	if (x.n == 0)
		printf("没有符合条件的修改记录\n");
	return EXIT_CLEAN;
}

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

int
verb_stats(struct app *a, int argc, char **argv)
{
	const char *format = "text", *out = NULL, *sort = "notice";
	const struct cli_opt opts[] = {
		{ "format", CLI_STR, &format }, { "out", CLI_STR, &out }, { "sort", CLI_STR, &sort }, { NULL, 0, NULL }
	};
	int first;

	if ((first = cli_opts(argc, argv, 1, "stats", opts, NULL)) < 0)
		return EXIT_FAIL;
	if (first < argc)
		return cli_fail("用法：jzg --db 文件 stats [--format text|tsv|xlsx] [--out 文件.xlsx] [--sort notice|code|entry|done]");
	return board_out(a, format, out, sort, 0);
}

int
verb_weekly(struct app *a, int argc, char **argv)
{
	const char *out = NULL;
	const struct cli_opt opts[] = { { "out", CLI_STR, &out }, { NULL, 0, NULL } };
	int first;

	if ((first = cli_opts(argc, argv, 1, "weekly", opts, NULL)) < 0)
		return EXIT_FAIL;
	if (out == NULL || first < argc)
		return cli_fail("用法：jzg --db 文件 weekly --out 周报表.xlsx");
	return board_out(a, "xlsx", out, "notice", 1);
}

int
verb_expect(struct app *a, int argc, char **argv)
{
	const char *school = NULL, *staff = NULL;
	const struct cli_opt opts[] = { { "school", CLI_STR, &school }, { "staff", CLI_STR, &staff }, { NULL, 0, NULL } };
	long n = -1;
	char *cause = NULL;
	int first;

	if ((first = cli_opts(argc, argv, 1, "expect", opts, NULL)) < 0)
		return EXIT_FAIL;
	if (staff != NULL && cli_count(staff, 0, 1000000, &n) < 0)
		return cli_fail("--staff 应为 0 到 1000000 的整数（年报中的教职工数）");
	if (school == NULL || n < 0 || first < argc)
		return cli_fail("用法：jzg --db 文件 expect --school 学校标识码 --staff 年报教职工数");
	if (open_all(a) < 0)
		return EXIT_FAIL;
	if (county_set_expected(a->st, school, (int)n, &cause) != JZG_OK)
		return cli_fail_cause(cause, "无法保存");
	printf("已设置 %s 的应有人数：%ld\n", school, n);
	return EXIT_CLEAN;
}

/* ---------------------------------------------------------- pack, merge */

int
verb_pack(struct app *a, int argc, char **argv)
{
	const char *school = NULL, *out = NULL;
	const struct cli_opt opts[] = { { "school", CLI_STR, &school }, { "out", CLI_STR, &out }, { NULL, 0, NULL } };
	char *cause = NULL;
	int first, n;

	if ((first = cli_opts(argc, argv, 1, "pack", opts, NULL)) < 0)
		return EXIT_FAIL;
	if (school == NULL || out == NULL || first < argc)
		return cli_fail("用法：jzg --db 文件 pack --school 学校标识码 --out U盘上的文件.db");
	if (open_all(a) < 0)
		return EXIT_FAIL;
	if (str_eq(out, a->db_path))
		return cli_fail("--out 不能是正在使用的数据文件");
	if (pack_school(a->st, school, out, &n, &cause) != JZG_OK)
		return cli_fail_cause(cause, "无法写出");
	printf("已写出 %s：学校 %s，%d 人；文件已校验，可以安全拔出 U 盘\n", out, school, n);
	return EXIT_CLEAN;
}

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

/* The running totals of a merge, one line per file as it is merged. */
struct merge_tally {
	struct merge_result all;
	int                 bad;
};

static void
merge_done(int i, const char *path, enum jzg_status rc, const struct merge_result *r, const char *cause, void *arg)
{
	struct merge_tally *t = arg;
	int sign = rc == JZG_OK ? 1 : -1;

	(void)i;
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
}

int
verb_merge(struct app *a, int argc, char **argv)
{
	static const char takes[] = "merge 的参数：--take mine（冲突时保留本文件）或 --take theirs（冲突时采用来源文件）";
	const char *takearg = NULL;
	const struct cli_opt opts[] = { { "take", CLI_STR, &takearg }, { NULL, 0, NULL } };
	enum merge_take take = MERGE_TAKE_NONE;
	struct merge_tally t = { { 0 }, 0 };
	struct merge_hooks h = { conflict_cb, merge_done, &t };
	int first;

	if ((first = cli_opts(argc, argv, 1, NULL, opts, takes)) < 0)
		return EXIT_FAIL;
	if (str_eq(takearg, "mine"))
		take = MERGE_TAKE_MINE;
	else if (str_eq(takearg, "theirs"))
		take = MERGE_TAKE_THEIRS;
	else if (takearg != NULL)
		return cli_fail("%s", takes);
	if (first >= argc)
		return cli_fail("用法：jzg --db 县汇总文件 merge [--take mine|theirs] 学校文件.db …");
	if (open_all(a) < 0)
		return EXIT_FAIL;
	merge_files(a->st, argc - first, argv + first, take, &h);
	printf("合计：新增 %d 人，相同跳过 %d 人，冲突 %d 人，出错文件 %d 个\n", t.all.added, t.all.same, t.all.conflicts,
	    t.bad);
	if (t.all.conflicts && take == MERGE_TAKE_NONE)
		printf("冲突的人员未做改动：请逐项核对后用 --take mine 或 --take theirs 重新合并\n");
	return t.bad ? EXIT_FAIL : t.all.conflicts && take != MERGE_TAKE_MINE ? EXIT_FOUND : EXIT_CLEAN;
}
