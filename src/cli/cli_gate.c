/* cli_gate.c — the one check of who may run a verb (issue 18 item 3).
 * Each verb declares in its entry the roles that may run it and its scope
 * (cli_util.h), and each option what its values name; this file reads
 * that data, so that no verb carries its own role test and none can be
 * added without saying who may run it.  The table in docs/workflow.md is
 * printed from the same entries (jzg help --roles) and a test runs every
 * verb as every role against it (tests/e2e/roles.sh). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "idcard.h"
#include "record.h"
#include "util.h"

/* Say "无权操作：…" and return -1.  Every refusal starts so: the test
 * tells a refusal by the gate from a verb's own failure by it. */
static int deny(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
deny(const char *fmt, ...)
{
	va_list ap;
	char *why;

	va_start(ap, fmt);
	why = xvasprintf(fmt, ap);
	va_end(ap);
	cli_fail("无权操作：%s", why);
	free(why);
	return -1;
}

/* "录入员、审核员或管理员" for a mask of roles; static storage. */
static const char *
roles_text(unsigned roles)
{
	static char buf[64];
	int n = 0, k = 0;

	for (int r = ROLE_KEYER; r <= ROLE_ADMIN; r++)
		n += (roles >> r) & 1;
	buf[0] = '\0';
	for (int r = ROLE_KEYER; r <= ROLE_ADMIN; r++)
		if (roles & (1u << r)) {
			k++;
			strcat(buf, k == 1 ? "" : k == n ? "或" : "、");
			strcat(buf, operator_role_label((enum operator_role)r));
		}
	return buf;
}

/* The school of a person or an operator named by value: *sid (0 county
 * operator); 0 found, 1 unknown (the verb says so itself). */
static int
target_school(struct store *st, enum cli_target t, const char *value, sqlite3_int64 *sid)
{
	sqlite3_stmt *q;
	sqlite3_int64 id = 0;
	char *cause = NULL;
	int found = 0;

	if (t == CLI_T_PERSON) {
		if (record_find_staff(st, value, &id, NULL, &cause) != JZG_OK || id == 0) {
			free(cause);
			return 1;
		}
		if (store_prepare(st, "SELECT school_id FROM staff WHERE id = ?1", &q, NULL) != JZG_OK)
			return 1;
		sqlite3_bind_int64(q, 1, id);
	} else {
		if (store_prepare(st, "SELECT ifnull(school_id, 0) FROM operator WHERE name = ?1", &q, NULL) != JZG_OK)
			return 1;
		sqlite3_bind_text(q, 1, value, -1, SQLITE_STATIC);
	}
	if (sqlite3_step(q) == SQLITE_ROW) {
		*sid = sqlite3_column_int64(q, 0);
		found = 1;
	}
	sqlite3_finalize(q);
	return found ? 0 : 1;
}

/* May a school bound op name this value (of kind t)? */
static int
target_ok(struct app *a, enum cli_target t, const char *value)
{
	const struct operator *op = a->op;
	sqlite3_int64 sid = 0;

	switch (t) {
	case CLI_T_SCHOOL:
		if (str_eq(value, op->school_code))
			return 0;
		return deny("%s %s 属于学校 %s，不能处理学校 %s 的数据", operator_role_label(op->role), op->name,
		    op->school_code, value);
	case CLI_T_PERSON:
	case CLI_T_OPERATOR:
		if (target_school(a->st, t, value, &sid) != 0 || sid == op->school_id)
			return 0;
		if (t == CLI_T_OPERATOR)
			return deny("%s %s 属于学校 %s，不能修改%s操作员 %s", operator_role_label(op->role), op->name,
			    op->school_code, sid ? "其他学校的" : "县级", value);
		{
			char *masked = idcard_mask(value);
			int rc = deny("%s %s 属于学校 %s，不能处理其他学校的人员 %s", operator_role_label(op->role),
			    op->name, op->school_code, masked);

			free(masked);
			return rc;
		}
	case CLI_T_ALL:
		return deny("%s %s 属于学校 %s，只能处理本校（不能用 --all）", operator_role_label(op->role), op->name,
		    op->school_code);
	case CLI_T_NONE:
		break;
	}
	return 0;
}

int
cli_gate(struct app *a, struct cli_args *args)
{
	const struct cli_verb *v = args->verb;
	const struct operator *op = a->op;
	int school_opt = -1, named = 0;

	/* no operator: a file without operators (cli_session_login refuses a
	 * file with operators to anyone not logged in) */
	if (v->scope == CLI_NOFILE || op == NULL)
		return 0;
	if (v->roles == 0)
		return deny("%s 只能用于没有操作员的文件；此文件已设置操作员", v->name);
	if (!(v->roles & (1u << op->role)))
		return deny("只有%s可以执行 %s；%s 是%s", roles_text(v->roles), v->name, op->name,
		    operator_role_label(op->role));
	if (op->school_id == 0 || v->scope == CLI_FILE)
		return 0;
	if (v->scope == CLI_COUNTY)
		return deny("%s %s 属于学校 %s，不能执行 %s（须由县级操作员执行）", operator_role_label(op->role), op->name,
		    op->school_code, v->name);
	for (int i = 0; v->opts != NULL && v->opts[i].name != NULL; i++) {
		if (v->opts[i].target == CLI_T_SCHOOL)
			school_opt = i;
		for (const char **p = args->val[i]; v->opts[i].target != CLI_T_NONE && *p != NULL; p++, named = 1)
			if (target_ok(a, v->opts[i].target, *p) < 0)
				return -1;
	}
	for (int i = 0; v->args_target != CLI_T_NONE && i < args->argc; i++, named = 1)
		if (target_ok(a, v->args_target, args->argv[i]) < 0)
			return -1;
	/* nothing named: the verb works on his school, as on a school's own file */
	if (!named && school_opt >= 0)
		args->val[school_opt][0] = op->school_code;
	return 0;
}

void
cli_gate_table(const struct cli_verb *const *verbs, size_t n, FILE *fp)
{
	static const char *const scope[] = {
		[CLI_NOFILE] = "不打开数据文件，不需登录",
		[CLI_SCHOOL] = "只能本校：学校、人员、操作员须属本校；未指定学校即为本校",
		[CLI_COUNTY] = "不能（限县级操作员）",
		[CLI_FILE] = "可以（不涉及人员数据）",
	};

	fputs("| 命令 | 录入员 | 审核员 | 管理员 | 属于某校的操作员 |\n|---|---|---|---|---|\n", fp);
	for (size_t i = 0; i < n; i++) {
		const struct cli_verb *v = verbs[i];

		fprintf(fp, "| %s |", v->name);
		for (int r = ROLE_KEYER; r <= ROLE_ADMIN; r++)
			fputs(v->scope == CLI_NOFILE ? " ✓ |" : v->roles & (1u << r) ? " ✓ |" : " — |", fp);
		fprintf(fp, " %s |\n", v->scope != CLI_NOFILE && v->roles == 0 ?
		    "仅限没有操作员的文件" : scope[v->scope]);
	}
}
