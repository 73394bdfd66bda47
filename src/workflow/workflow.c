/* workflow.c — see workflow.h. */
#include "workflow.h"

#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "signature.h"
#include "text.h"
#include "util.h"

static const char *const state_code[WF__COUNT] = { "draft", "submitted", "approved", "signed" };
static const char *const state_label[WF__COUNT] = { "录入中", "待审核", "已审核", "已签字确认" };
static const char *const action_verb[WF_ACTION__COUNT] = { "submit", "approve", "reject", "unlock", "confirm" };
static const char *const action_label[WF_ACTION__COUNT] = { "提交审核", "审核通过", "退回", "解锁", "签字确认" };

int
workflow_state_parse(const char *code)
{
	for (int i = 0; i < WF__COUNT; i++)
		if (str_eq(code, state_code[i]))
			return i;
	return -1;
}

const char *workflow_state_code(enum wf_state s) { return state_code[s]; }
const char *workflow_state_label(enum wf_state s) { return state_label[s]; }
const char *workflow_action_label(enum wf_action a) { return action_label[a]; }

int
workflow_action_parse(const char *verb)
{
	for (int i = 0; i < WF_ACTION__COUNT; i++)
		if (str_eq(verb, action_verb[i]))
			return i;
	return -1;
}

static enum jzg_status
staff_row(struct store *st, sqlite3_int64 staff_id, enum wf_state *state, sqlite3_int64 *school,
    char **cause)
{
	sqlite3_stmt *q;
	enum jzg_status rc = store_prepare(st, "SELECT state, school_id FROM staff WHERE id = ?1", &q, cause);
	int s = -2;

	if (rc != JZG_OK)
		return rc;
	sqlite3_bind_int64(q, 1, staff_id);
	if (sqlite3_step(q) == SQLITE_ROW) {
		s = workflow_state_parse((const char *)sqlite3_column_text(q, 0));
		if (school)
			*school = sqlite3_column_int64(q, 1);
	}
	sqlite3_finalize(q);
	if (s == -2)
		return jzg_fail(cause, JZG_ERR_NOTFOUND, "找不到该人员（可能已被删除）");
	/* An unknown stored code (a newer program, a hand edit) counts as
	 * draft: it can only be submitted again, never skip review. */
	*state = s < 0 ? WF_DRAFT : (enum wf_state)s;
	return JZG_OK;
}

enum jzg_status
workflow_state(struct store *st, sqlite3_int64 staff_id, enum wf_state *out, char **cause)
{
	return staff_row(st, staff_id, out, NULL, cause);
}

struct counts { int errors, warnings; };

static int
count_cb(const struct finding *f, void *arg)
{
	struct counts *c = arg;

	if (!f->warning)
		c->errors++;
	else if (f->explained == NULL)
		c->warnings++;
	return 0;
}

/* Run the rules on one person; keep the result for the board. */
static enum jzg_status
check_person(struct store *st, struct rules *rules, sqlite3_int64 staff_id, struct counts *c,
    char **cause)
{
	struct rules_scope scope = { 0, staff_id };
	sqlite3_stmt *q;
	enum jzg_status rc;

	c->errors = c->warnings = 0;
	if ((rc = rules_check(rules, &scope, count_cb, c, cause)) != JZG_OK)
		return rc;
	if (store_prepare(st, "INSERT OR REPLACE INTO check_cache VALUES(?1, ?2, ?3)", &q, NULL) == JZG_OK) {
		sqlite3_bind_int64(q, 1, staff_id);
		sqlite3_bind_int(q, 2, c->errors);
		sqlite3_bind_int(q, 3, c->warnings);
		sqlite3_step(q);
		sqlite3_finalize(q);
	}
	return JZG_OK;
}

/* May op take action on a person in state s of school? */
static enum jzg_status
allowed(struct store *st, const struct operator *op, enum wf_action a, enum wf_state s,
    sqlite3_int64 school, sqlite3_int64 staff_id, const char *reason, char **cause)
{
	static const unsigned from[WF_ACTION__COUNT] = {
		[WF_SUBMIT] = 1u << WF_DRAFT,
		[WF_APPROVE] = 1u << WF_SUBMITTED,
		[WF_REJECT] = 1u << WF_SUBMITTED | 1u << WF_APPROVED,
		[WF_UNLOCK] = 1u << WF_APPROVED | 1u << WF_SIGNED,
		[WF_CONFIRM] = 1u << WF_APPROVED,
	};
	enum jzg_status rc;
	int touched;

	if (op == NULL && a != WF_SUBMIT && a != WF_CONFIRM)
		return jzg_fail(cause, JZG_ERR_INVALID,
		    "审核、退回和解锁须由登录的操作员进行：请先用 jzg user add 创建管理员和审核员，再用 --user 登录");
	if (!(from[a] & (1u << s))) {
		if (a == WF_REJECT && s == WF_SIGNED)
			return jzg_fail(cause, JZG_ERR_INVALID, "已签字确认，不能直接退回；请由管理员解锁（unlock）");
		if (a != WF_UNLOCK && (s == WF_APPROVED || s == WF_SIGNED))
			return jzg_fail(cause, JZG_ERR_INVALID, "当前状态为“%s”，不能%s", state_label[s], action_label[a]);
		return jzg_fail(cause, JZG_ERR_INVALID, "当前状态为“%s”，不能%s%s", state_label[s], action_label[a],
		    a == WF_UNLOCK ? "（只有已审核或已签字确认的人员需要解锁）" :
		    a == WF_APPROVE || a == WF_REJECT ? "（须先提交审核）" :
		    a == WF_CONFIRM ? "（须先审核通过）" : "");
	}
	if ((a == WF_REJECT || a == WF_UNLOCK) && str_empty(reason))
		return jzg_fail(cause, JZG_ERR_INVALID, "%s必须写明理由（--reason 理由），录入员会看到它", action_label[a]);
	if (op == NULL)
		return JZG_OK;
	if (op->school_id != 0 && op->school_id != school)
		return jzg_fail(cause, JZG_ERR_INVALID, "%s 属于学校 %s，只能处理本校人员", op->name,
		    op->school_code ? op->school_code : "");
	if ((a == WF_APPROVE || a == WF_REJECT) && op->role == ROLE_KEYER)
		return jzg_fail(cause, JZG_ERR_INVALID, "录入员不能%s；请由审核员或管理员操作", action_label[a]);
	if (a == WF_UNLOCK && op->role != ROLE_ADMIN)
		return jzg_fail(cause, JZG_ERR_INVALID, "只有管理员可以解锁已审核的数据");
	if (a == WF_APPROVE) {
		if ((rc = audit_touched_by(st, staff_id, op->name, &touched, cause)) != JZG_OK)
			return rc;
		if (touched)
			return jzg_fail(cause, JZG_ERR_INVALID,
			    "%s 录入或修改过此人的数据，不能审核自己的录入（录入与审核须由不同的人进行）", op->name);
	}
	return JZG_OK;
}

enum jzg_status
workflow_apply(struct store *st, struct rules *rules, const struct operator *op, sqlite3_int64 staff_id,
    enum wf_action a, const char *reason, char **cause)
{
	static const enum wf_state to[WF_ACTION__COUNT] = {
		[WF_SUBMIT] = WF_SUBMITTED, [WF_APPROVE] = WF_APPROVED, [WF_REJECT] = WF_DRAFT,
		[WF_UNLOCK] = WF_DRAFT, [WF_CONFIRM] = WF_SIGNED,
	};
	enum wf_state s = WF_DRAFT;   /* set by staff_row; -O3 cannot see it */
	sqlite3_int64 school = 0;
	sqlite3_stmt *q;
	enum jzg_status rc;
	int r;

	if (!str_empty(reason) && text_fault(reason, TEXT_ANY) != NULL)
		return jzg_fail(cause, JZG_ERR_INVALID, "理由%s", text_fault(reason, TEXT_ANY));
	if ((rc = staff_row(st, staff_id, &s, &school, cause)) != JZG_OK ||
	    (rc = allowed(st, op, a, s, school, staff_id, reason, cause)) != JZG_OK)
		return rc;
	if (a == WF_SUBMIT) {
		struct counts c;

		if (rules == NULL)
			return jzg_fail(cause, JZG_ERR_DB, "校验规则不可用，无法提交");
		if ((rc = check_person(st, rules, staff_id, &c, cause)) != JZG_OK)
			return rc;
		if (c.errors || c.warnings)
			return jzg_fail(cause, JZG_ERR_INVALID,
			    "还有 %d 个错误、%d 个未说明的警告，不能提交审核；请修改错误、说明警告（jzg check --staff 身份证件号）",
			    c.errors, c.warnings);
	}
	if (a == WF_CONFIRM) {
		enum signature_state sig;

		if ((rc = signature_state(st, staff_id, &sig, cause)) != JZG_OK)
			return rc;
		if (sig != SIGNATURE_SIGNED)
			return jzg_fail(cause, JZG_ERR_INVALID, "%s；请打印确认表签字后用 jzg sign 登记，再确认",
			    sig == SIGNATURE_NONE ? "确认表尚未登记签字返回" : signature_state_text(sig));
	}
	if ((rc = store_exec(st, "SAVEPOINT workflow", cause)) != JZG_OK)
		return rc;
	if ((rc = store_prepare(st, "UPDATE staff SET state = ?2, updated = datetime('now','localtime') "
	    "WHERE id = ?1", &q, cause)) != JZG_OK)
		goto fail;
	sqlite3_bind_int64(q, 1, staff_id);
	sqlite3_bind_text(q, 2, state_code[to[a]], -1, SQLITE_STATIC);
	r = sqlite3_step(q);
	sqlite3_finalize(q);
	if (r != SQLITE_DONE) {
		rc = jzg_fail(cause, JZG_ERR_DB, "无法保存状态：%s", store_errstr(r));
		goto fail;
	}
	if ((rc = store_prepare(st, "INSERT INTO review(staff_id, actor, from_state, to_state, reason) "
	    "VALUES(?1, ?2, ?3, ?4, ?5)", &q, cause)) != JZG_OK)
		goto fail;
	sqlite3_bind_int64(q, 1, staff_id);
	if (op != NULL)
		sqlite3_bind_text(q, 2, op->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, state_code[s], -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, state_code[to[a]], -1, SQLITE_STATIC);
	if (!str_empty(reason))
		sqlite3_bind_text(q, 5, reason, -1, SQLITE_STATIC);
	r = sqlite3_step(q);
	sqlite3_finalize(q);
	if (r != SQLITE_DONE) {
		rc = jzg_fail(cause, JZG_ERR_DB, "无法保存审核记录：%s", store_errstr(r));
		goto fail;
	}
	return store_exec(st, "RELEASE workflow", cause);
fail:
	sqlite3_exec(st->db, "ROLLBACK TO workflow; RELEASE workflow", NULL, NULL, NULL);
	return rc;
}

enum jzg_status
workflow_last_return(struct store *st, sqlite3_int64 staff_id, char **reason, char **by, char **at,
    char **cause)
{
	sqlite3_stmt *q;
	enum jzg_status rc;

	*reason = *by = *at = NULL;
	if ((rc = store_prepare(st, "SELECT r.reason, r.actor, r.at FROM review r JOIN staff s ON s.id = r.staff_id "
	    "WHERE r.staff_id = ?1 AND s.state = 'draft' ORDER BY r.id DESC LIMIT 1", &q, cause)) != JZG_OK)
		return rc;
	sqlite3_bind_int64(q, 1, staff_id);
	if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL) {
		*reason = xstrdup((const char *)sqlite3_column_text(q, 0));
		*by = xstrdup((const char *)sqlite3_column_text(q, 1));
		*at = xstrdup((const char *)sqlite3_column_text(q, 2));
	}
	sqlite3_finalize(q);
	return JZG_OK;
}
