/* test_workflow.c — issue 7 through the library: operators, the review
 * states with every transition and refusal, the separation rule, the lock,
 * audit rows for each change path, the board, pack → merge round trip,
 * merge conflicts and refused files. */
#include "helpers.h"

#include "audit.h"
#include "county.h"
#include "demo.h"
#include "merge.h"
#include "operator.h"
#include "pack.h"
#include "record.h"
#include "rules.h"
#include "school.h"
#include "signature.h"
#include "workflow.h"

static struct defs *defs;
static struct store *st;
static struct rules *rules;
static struct operator *admin, *keyer, *reviewer, *reviewer2;
static char dir[] = "/tmp/jzg_wf_XXXXXX";
static sqlite3_int64 sid;

static struct operator *
login(const char *name, const char *pw)
{
	struct operator *op = NULL;
	char *cause = NULL;

	assert_int_equal(operator_login(st, name, pw, &op, &cause), JZG_OK);
	return op;
}

/* Act as op (NULL: nobody) through path. */
static void
act(const struct operator *op, const char *path)
{
	audit_set(st, op ? op->name : NULL, op ? op->school_id == 0 : 0, path);
}

static char *
db_path(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

static int
setup(void **state)
{
	char *cause = NULL, *p;

	(void)state;
	setenv("JZG_PWHASH_FAST", "1", 1);
	assert_non_null(mkdtemp(dir));
	defs = load_shipped_defs();
	p = db_path("county.db");
	assert_int_equal(audit_open(p, defs, STORE_CREATE, &st, &cause), JZG_OK);
	free(p);
	assert_int_equal(school_add(st, "2143012345", "测试县第一小学", "zxx", &sid, &cause), JZG_OK);
	audit_enable(st, 0);
	assert_int_equal(demo_fill(st, sid, 6, 11, &cause), JZG_OK);
	audit_enable(st, 1);
	assert_non_null(rules = rules_new(st, &cause));
	/* first operator must be an admin */
	assert_int_equal(operator_add(st, "lu", ROLE_KEYER, "secret1", NULL, &cause), JZG_ERR_INVALID);
	assert_non_null(strstr(cause, "管理员"));
	free(cause);
	cause = NULL;
	assert_int_equal(operator_add(st, "root", ROLE_ADMIN, "secret0", NULL, &cause), JZG_OK);
	assert_int_equal(operator_add(st, "lu", ROLE_KEYER, "secret1", "2143012345", &cause), JZG_OK);
	assert_int_equal(operator_add(st, "shen", ROLE_REVIEWER, "secret2", NULL, &cause), JZG_OK);
	assert_int_equal(operator_add(st, "shen2", ROLE_REVIEWER, "secret3", NULL, &cause), JZG_OK);
	admin = login("root", "secret0");
	keyer = login("lu", "secret1");
	reviewer = login("shen", "secret2");
	reviewer2 = login("shen2", "secret3");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	operator_free(admin);
	operator_free(keyer);
	operator_free(reviewer);
	operator_free(reviewer2);
	rules_free(rules);
	store_close(st);
	defs_free(defs);
	rm_tree(dir);
	return 0;
}

static const struct set_def *
jbxx(void)
{
	return defs_set(defs->all, defs->nall, "jbxx");
}

static enum jzg_status
set_value(sqlite3_int64 id, const char *field, const char *value)
{
	char *cause = NULL;
	enum jzg_status rc = record_set(st, jbxx(), id, set_field(jbxx(), field), value, &cause);

	free(cause);
	return rc;
}

/* Apply and return the status; *msg (may be NULL) gets the cause. */
static enum jzg_status
apply(const struct operator *op, sqlite3_int64 id, enum wf_action a, const char *reason, char **msg)
{
	char *cause = NULL;
	enum jzg_status rc;

	act(op, AUDIT_PATH_CLI);
	rc = workflow_apply(st, rules, op, id, a, reason, &cause);
	if (msg != NULL)
		*msg = cause;
	else
		free(cause);
	return rc;
}

static const char *
state_code_of(sqlite3_int64 id)
{
	enum wf_state s;
	char *cause = NULL;

	assert_int_equal(workflow_state(st, id, &s, &cause), JZG_OK);
	return workflow_state_code(s);
}

static void
test_login(void **state)
{
	struct operator *op = NULL;
	char *cause = NULL;
	int n;

	(void)state;
	assert_int_equal(operator_login(st, "root", "wrong!!", &op, &cause), JZG_ERR_INVALID);
	assert_null(op);
	assert_string_equal(cause, "用户名或密码不正确，请重新输入");
	free(cause);
	cause = NULL;
	assert_int_equal(operator_login(st, "nobody", "secret0", &op, &cause), JZG_ERR_INVALID);
	assert_string_equal(cause, "用户名或密码不正确，请重新输入");
	free(cause);
	cause = NULL;
	assert_int_equal(operator_add(st, "x", ROLE_KEYER, "short", NULL, &cause), JZG_ERR_INVALID);
	free(cause);
	cause = NULL;
	assert_int_equal(operator_add(st, "lu", ROLE_KEYER, "secret9", NULL, &cause), JZG_ERR_EXISTS);
	free(cause);
	cause = NULL;
	/* the hash is a real Argon2id string, not the password */
	assert_int_equal(q_int(st, "SELECT count(*) FROM operator WHERE pwhash LIKE '$argon2id$%' "
	    "AND pwhash NOT LIKE '%secret%'"), 4);
	assert_int_equal(operator_disable(st, "root", &cause), JZG_ERR_INVALID);   /* last admin */
	free(cause);
	cause = NULL;
	assert_int_equal(operator_add(st, "tmp", ROLE_KEYER, "secret7", NULL, &cause), JZG_OK);
	assert_int_equal(operator_disable(st, "tmp", &cause), JZG_OK);
	assert_int_equal(operator_login(st, "tmp", "secret7", &op, &cause), JZG_ERR_INVALID);
	assert_non_null(strstr(cause, "已停用"));
	free(cause);
	cause = NULL;
	assert_int_equal(operator_passwd(st, "shen2", "secret33", &cause), JZG_OK);
	operator_free(login("shen2", "secret33"));
	assert_int_equal(operator_count(st, &n, &cause), JZG_OK);
	assert_int_equal(n, 4);
}

static void
test_transitions(void **state)
{
	char *msg = NULL;
	sqlite3_int64 id = 1;

	(void)state;
	/* the keyer changes person 1 (path client) */
	act(keyer, AUDIT_PATH_CLIENT);
	assert_int_equal(set_value(id, "CYM", "曾用名甲"), JZG_OK);

	/* approve before submit; reject before submit */
	assert_int_equal(apply(reviewer, id, WF_APPROVE, NULL, &msg), JZG_ERR_INVALID);
	assert_non_null(strstr(msg, "须先提交审核"));
	free(msg);
	assert_int_equal(apply(reviewer, id, WF_REJECT, "x", NULL), JZG_ERR_INVALID);
	assert_int_equal(apply(admin, id, WF_UNLOCK, "x", NULL), JZG_ERR_INVALID);
	assert_int_equal(apply(keyer, id, WF_CONFIRM, NULL, NULL), JZG_ERR_INVALID);

	/* submit: refused with an error, accepted once fixed */
	act(keyer, AUDIT_PATH_CLIENT);
	assert_int_equal(set_value(id, "XM", NULL), JZG_OK);
	assert_int_equal(apply(keyer, id, WF_SUBMIT, NULL, &msg), JZG_ERR_INVALID);
	assert_non_null(strstr(msg, "个错误"));
	free(msg);
	assert_string_equal(state_code_of(id), "draft");
	act(keyer, AUDIT_PATH_CLIENT);
	assert_int_equal(set_value(id, "XM", "张三"), JZG_OK);
	assert_int_equal(apply(keyer, id, WF_SUBMIT, NULL, NULL), JZG_OK);
	assert_string_equal(state_code_of(id), "submitted");
	assert_int_equal(apply(keyer, id, WF_SUBMIT, NULL, NULL), JZG_ERR_INVALID);

	/* a keyer cannot approve; neither can an admin who changed the data */
	assert_int_equal(apply(keyer, id, WF_APPROVE, NULL, &msg), JZG_ERR_INVALID);
	assert_non_null(strstr(msg, "录入员不能"));
	free(msg);

	/* reject needs a reason, which the keyer sees */
	assert_int_equal(apply(reviewer, id, WF_REJECT, "", &msg), JZG_ERR_INVALID);
	assert_non_null(strstr(msg, "理由"));
	free(msg);
	assert_int_equal(apply(reviewer, id, WF_REJECT, "姓名与身份证不符，请核对", NULL), JZG_OK);
	assert_string_equal(state_code_of(id), "draft");
	{
		char *reason, *by, *at, *cause = NULL;

		assert_int_equal(workflow_last_return(st, id, &reason, &by, &at, &cause), JZG_OK);
		assert_string_equal(reason, "姓名与身份证不符，请核对");
		assert_string_equal(by, "shen");
		free(reason);
		free(by);
		free(at);
	}
	/* the reviewer who fixes the data may not approve it afterwards */
	act(reviewer, AUDIT_PATH_CLIENT);
	assert_int_equal(set_value(id, "CYM", "曾用名乙"), JZG_OK);
	assert_int_equal(apply(keyer, id, WF_SUBMIT, NULL, NULL), JZG_OK);
	assert_int_equal(apply(reviewer, id, WF_APPROVE, NULL, &msg), JZG_ERR_INVALID);
	assert_non_null(strstr(msg, "不能审核自己的录入"));
	free(msg);
	assert_int_equal(apply(reviewer2, id, WF_APPROVE, NULL, NULL), JZG_OK);
	assert_string_equal(state_code_of(id), "approved");

	/* approved = locked, for every change path */
	act(keyer, AUDIT_PATH_CLIENT);
	assert_int_equal(set_value(id, "CYM", "再改"), JZG_ERR_DB);
	act(admin, AUDIT_PATH_IMPORT);
	assert_int_equal(set_value(id, "CYM", "再改"), JZG_ERR_DB);
	assert_int_equal(store_exec(st, "DELETE FROM staff WHERE id = 1", NULL), JZG_ERR_DB);
	assert_int_equal(q_int(st, "SELECT count(*) FROM s_jbxx WHERE staff_id = 1 AND CYM = '曾用名乙'"), 1);
	/* writing the same value again is not a change */
	act(keyer, AUDIT_PATH_CLIENT);
	assert_int_equal(set_value(id, "CYM", "曾用名乙"), JZG_OK);

	/* confirm needs the signed sheet */
	assert_int_equal(apply(keyer, id, WF_CONFIRM, NULL, &msg), JZG_ERR_INVALID);
	assert_non_null(strstr(msg, "尚未登记签字"));
	free(msg);
	{
		char *cause = NULL;

		assert_int_equal(signature_mark(st, id, "2026-11-20", NULL, NULL, &cause), JZG_OK);
	}
	assert_int_equal(apply(keyer, id, WF_CONFIRM, NULL, NULL), JZG_OK);
	assert_string_equal(state_code_of(id), "signed");
	assert_int_equal(apply(reviewer2, id, WF_REJECT, "x", &msg), JZG_ERR_INVALID);
	assert_non_null(strstr(msg, "解锁"));
	free(msg);

	/* unlock: admin only, with a reason; then editable again */
	assert_int_equal(apply(reviewer2, id, WF_UNLOCK, "改错", NULL), JZG_ERR_INVALID);
	assert_int_equal(apply(admin, id, WF_UNLOCK, NULL, NULL), JZG_ERR_INVALID);
	assert_int_equal(apply(admin, id, WF_UNLOCK, "身份证号录错", NULL), JZG_OK);
	assert_string_equal(state_code_of(id), "draft");
	act(keyer, AUDIT_PATH_CLIENT);
	assert_int_equal(set_value(id, "CYM", "解锁后修改"), JZG_OK);

	/* reject from approved as well */
	assert_int_equal(apply(keyer, 2, WF_SUBMIT, NULL, NULL), JZG_OK);
	assert_int_equal(apply(reviewer, 2, WF_APPROVE, NULL, NULL), JZG_OK);
	assert_int_equal(apply(reviewer, 2, WF_REJECT, "学历待核", NULL), JZG_OK);
	assert_string_equal(state_code_of(2), "draft");

	/* a school's keyer cannot act on another school; no operator cannot review */
	{
		sqlite3_int64 other;
		char *cause = NULL;

		assert_int_equal(school_add(st, "2143012346", "测试县第二小学", "zxx", &other, &cause), JZG_OK);
		assert_int_equal(store_exec(st, "UPDATE staff SET school_id = (SELECT id FROM school WHERE code = "
		    "'2143012346') WHERE id = 6", NULL), JZG_OK);
		assert_int_equal(apply(keyer, 6, WF_SUBMIT, NULL, &msg), JZG_ERR_INVALID);
		assert_non_null(strstr(msg, "只能处理本校人员"));
		free(msg);
		assert_int_equal(apply(NULL, 3, WF_SUBMIT, NULL, NULL), JZG_OK);
		assert_int_equal(apply(NULL, 3, WF_APPROVE, NULL, NULL), JZG_ERR_INVALID);
	}
	/* every transition is in review and in the trail */
	/* submit, reject, submit, approve, confirm, unlock */
	assert_int_equal(q_int(st, "SELECT count(*) FROM review WHERE staff_id = 1"), 6);
	assert_int_equal(q_int(st, "SELECT count(*) FROM audit WHERE staff_id = 1 AND set_name = 'staff' "
	    "AND field = 'state'"), 6);
}

static void
test_audit_paths(void **state)
{
	char *cause = NULL;

	(void)state;
	/* who, path, old → new; county staff get the school they keyed for */
	assert_int_equal(q_int(st, "SELECT count(*) FROM audit WHERE staff_id = 1 AND set_name = 'jbxx' AND field = 'CYM' "
	    "AND new = '曾用名甲' AND actor = 'lu' AND path = 'client' AND behalf IS NULL"), 1);
	assert_int_equal(q_int(st, "SELECT count(*) FROM audit WHERE staff_id = 1 AND field = 'CYM' "
	    "AND old = '曾用名甲' AND new = '曾用名乙' AND actor = 'shen' AND behalf = '2143012345'"), 1);
	/* refused changes left no row */
	assert_int_equal(q_int(st, "SELECT count(*) FROM audit WHERE new = '再改'"), 0);
	/* no row for writing the same value */
	assert_int_equal(q_int(st, "SELECT count(*) FROM audit WHERE staff_id = 1 AND field = 'CYM' AND new = '曾用名乙'"), 1);
	/* import path, a many-record set insert and delete */
	act(admin, AUDIT_PATH_IMPORT);
	{
		const struct set_def *s = NULL;
		sqlite3_int64 rid;

		for (size_t i = 0; i < defs->nall; i++)
			if (defs->all[i].many)
				s = &defs->all[i];
		assert_non_null(s);
		assert_int_equal(record_add(st, s, 4, &rid, &cause), JZG_OK);
		assert_int_equal(q_int(st, "SELECT count(*) FROM audit WHERE staff_id = 4 AND op = 'insert' "
		    "AND path = 'import' AND actor = 'root'"), 1);
		{
			char *sql = xasprintf("DELETE FROM \"s_%s\" WHERE id = %lld", s->v[SC_NAME], (long long)rid);

			assert_int_equal(store_exec(st, sql, &cause), JZG_OK);
			free(sql);
		}
		assert_int_equal(q_int(st, "SELECT count(*) FROM audit WHERE staff_id = 4 AND op = 'delete' "
		    "AND path = 'import'"), 1);
	}
	/* explanations are audited */
	act(keyer, AUDIT_PATH_CLI);
	assert_int_equal(store_exec(st, "INSERT INTO explanation(staff_id, rule, set_name, row_key, reason) "
	    "VALUES(5, 'r', 'jbxx', 5, '确有其事')", &cause), JZG_OK);
	assert_int_equal(q_int(st, "SELECT count(*) FROM audit WHERE set_name = 'explanation' AND new = '确有其事' "
	    "AND actor = 'lu' AND path = 'cli'"), 1);
	/* append-only */
	assert_int_equal(store_exec(st, "UPDATE audit SET actor = 'x'", NULL), JZG_ERR_DB);
	assert_int_equal(store_exec(st, "DELETE FROM audit", NULL), JZG_ERR_DB);
}

static int
count_rows(const struct audit_row *r, void *arg)
{
	(void)r;
	(*(int *)arg)++;
	return 0;
}

static void
test_log(void **state)
{
	char *cause = NULL;
	int n = 0;

	(void)state;
	assert_int_equal(audit_log(st, &(struct audit_filter){ .staff_id = 1, .set_name = "jbxx", .field = "CYM" }, count_rows, &n, &cause), JZG_OK);
	assert_int_equal(n, 3);   /* 甲, 乙, 解锁后修改 */
	n = 0;
	assert_int_equal(audit_log(st, &(struct audit_filter){ .staff_id = 0, .since = "2999-01-01" }, count_rows, &n, &cause), JZG_OK);
	assert_int_equal(n, 0);
	/* every filter combined (the statement has only the filters given) */
	n = 0;
	assert_int_equal(audit_log(st, &(struct audit_filter){ .staff_id = 1, .since = "2000-01-01", .set_name = "jbxx", .field = "CYM" }, count_rows, &n, &cause), JZG_OK);
	assert_int_equal(n, 3);
	n = 0;
	assert_int_equal(audit_log(st, &(struct audit_filter){ .staff_id = 1, .since = "2999-01-01", .set_name = "jbxx", .field = "CYM" }, count_rows, &n, &cause), JZG_OK);
	assert_int_equal(n, 0);
	n = 0;
	assert_int_equal(audit_log(st, &(struct audit_filter){ .staff_id = 0, .field = "CYM" }, count_rows, &n, &cause), JZG_OK);
	assert_int_equal(n, q_int(st, "SELECT count(*) FROM audit WHERE field = 'CYM'"));
	assert_true(n >= 3);
}

static int
explanation_text(const struct audit_row *r, void *arg)
{
	char **t = arg;

	if (str_eq(r->op, "insert")) {
		free(*t);
		*t = audit_insert_text(r);
	}
	return 0;
}

/* How an insert reads in the log and the client's history: an explanation
 * with its reason, a merge with its file, a signature with its code. */
static void
test_insert_text(void **state)
{
	char *cause = NULL, *t = NULL;
	struct audit_row merged = { .set_name = "staff", .op = "insert", .field = "file", .new_value = "usb.db" };
	struct audit_row signed_row = { .set_name = "signature", .op = "insert", .field = "code", .new_value = "AB12CD34" };
	struct audit_row plain = { .set_name = "jbxx", .op = "insert" };

	(void)state;
	assert_int_equal(audit_log(st, &(struct audit_filter){ .staff_id = 0, .set_name = "explanation" }, explanation_text, &t, &cause), JZG_OK);
	assert_non_null(t);
	assert_non_null(strstr(t, "：确有其事"));
	assert_memory_equal(t, "新增 ", strlen("新增 "));
	free(t);
	t = audit_insert_text(&merged);
	assert_string_equal(t, "新增（合并自 usb.db）");
	free(t);
	t = audit_insert_text(&signed_row);
	assert_string_equal(t, "新增（校验码 AB12CD34）");
	free(t);
	t = audit_insert_text(&plain);
	assert_string_equal(t, "新增");
	free(t);
}

static void
test_board(void **state)
{
	struct board_row *rows, total;
	size_t n;
	char *cause = NULL;
	sqlite3_int64 next;

	(void)state;
	assert_int_equal(county_set_expected(st, "2143012345", 10, &cause), JZG_OK);
	assert_int_equal(county_set_expected(st, "9999999999", 10, &cause), JZG_ERR_NOTFOUND);
	free(cause);
	cause = NULL;
	while (county_next_stale(st, &next, &cause) == JZG_OK && next != 0)
		assert_int_equal(county_refresh_school(st, rules, next, &cause), JZG_OK);
	assert_int_equal(county_board(st, BOARD_SORT_NOTICE, &rows, &n, &total, &cause), JZG_OK);
	assert_int_equal(n, 2);
	/* the school with 5 people … and the one with 1 (id 6 moved there) */
	assert_string_equal(rows[0].code, "2143012346");   /* lower 录入率 (no expected) first */
	assert_string_equal(rows[1].code, "2143012345");
	assert_int_equal(rows[1].entered, 5);
	assert_int_equal(rows[1].expected, 10);
	assert_true(rows[1].entry_rate > 0.49 && rows[1].entry_rate < 0.51);
	assert_int_equal(rows[1].checked, 5);
	assert_int_equal(rows[1].submitted, 1);            /* person 3 */
	assert_int_equal(total.entered, 6);
	/* a change drops the cached result */
	act(keyer, AUDIT_PATH_CLIENT);
	assert_int_equal(set_value(2, "XM", NULL), JZG_OK);
	assert_int_equal(q_int(st, "SELECT count(*) FROM check_cache WHERE staff_id = 2"), 0);
	assert_int_equal(county_refresh_school(st, rules, sid, &cause), JZG_OK);
	assert_true(q_int(st, "SELECT errors FROM check_cache WHERE staff_id = 2") > 0);
	board_free(rows, n);
	board_row_clear(&total);
	assert_int_equal(county_board(st, BOARD_SORT_DONE, &rows, &n, &total, &cause), JZG_OK);
	assert_string_equal(rows[0].code, "2143012345");   /* now the lower 完整率 */
	assert_true(rows[0].complete < rows[0].entered);
	board_free(rows, n);
	board_row_clear(&total);
	act(keyer, AUDIT_PATH_CLIENT);
	assert_int_equal(set_value(2, "XM", "李四"), JZG_OK);
}

static struct store *
open_file(const char *name)
{
	struct store *s = NULL;
	char *p = db_path(name), *cause = NULL;

	assert_int_equal(audit_open(p, defs, STORE_CREATE, &s, &cause), JZG_OK);
	free(p);
	return s;
}

static int nconf;

static void
on_conflict(const struct merge_conflict *c, void *arg)
{
	(void)arg;
	if (c->field_label != NULL && strcmp(c->field_label, "曾用名") == 0)
		nconf++;
}

static void
test_pack_merge(void **state)
{
	char *cause = NULL, *pk = db_path("pack.db");
	struct store *county;
	struct merge_result r = { 0 };
	int people, xseq;
	char *xrxny;

	(void)state;
	/* explanations: a 学习经历 record's (row_key: its id, found again in
	 * the county by position) and one whose record is gone (not merged) */
	{
		char *sql = xasprintf("SELECT x.staff_id, x.id, x.seq, x.RXNY FROM s_xxjl x JOIN staff s ON s.id = x.staff_id "
		    "WHERE s.school_id = %lld ORDER BY x.seq DESC, x.id DESC LIMIT 1", (long long)sid);
		sqlite3_stmt *q;

		assert_int_equal(sqlite3_prepare_v2(st->db, sql, -1, &q, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(q), SQLITE_ROW);
		assert_true(sqlite3_column_int(q, 2) > 0);   /* not the person's first record */
		xseq = sqlite3_column_int(q, 2);
		xrxny = xstrdup(sqlite3_column_text(q, 3) ? (const char *)sqlite3_column_text(q, 3) : "");
		free(sql);
		sql = xasprintf("INSERT INTO explanation(staff_id, rule, set_name, row_key, reason) VALUES(%1$lld, 'W-MERGE-X', "
		    "'xxjl', %2$lld, '学历已核'), (%1$lld, 'W-MERGE-GONE', 'xxjl', 999999, '记录已删')",
		    (long long)sqlite3_column_int64(q, 0), (long long)sqlite3_column_int64(q, 1));
		sqlite3_finalize(q);
		assert_int_equal(store_exec(st, sql, &cause), JZG_OK);
		free(sql);
	}
	assert_int_equal(pack_school(st, "2143012345", pk, &people, &cause), JZG_OK);
	assert_int_equal(people, 5);
	/* round trip into an empty county file */
	county = open_file("new_county.db");
	audit_set(county, "county", 1, AUDIT_PATH_MERGE);
	assert_int_equal(merge_file(county, pk, MERGE_TAKE_NONE, on_conflict, NULL, &r, &cause), JZG_OK);
	assert_int_equal(r.added, 5);
	assert_int_equal(r.schools_added, 1);
	assert_int_equal(q_int(county, "SELECT count(*) FROM staff"), 5);
	/* the data, states, history and reasons travelled */
	assert_int_equal(q_int(county, "SELECT count(*) FROM s_jbxx WHERE CYM = '解锁后修改'"), 1);
	assert_int_equal(q_int(county, "SELECT count(*) FROM staff WHERE state = 'submitted'"), 1);
	assert_int_equal(q_int(county, "SELECT count(*) FROM review WHERE reason = '身份证号录错'"), 1);
	/* the school's keying trail stays in the school's file (and the pack) */
	assert_int_equal(q_int(county, "SELECT count(*) FROM audit WHERE new = '曾用名甲' AND actor = 'lu'"), 0);
	{
		struct store *packed = open_file("pack.db");

		assert_int_equal(q_int(packed, "SELECT count(*) FROM audit WHERE new = '曾用名甲' AND actor = 'lu'"), 1);
		store_close(packed);
	}
	assert_int_equal(q_int(county, "SELECT count(*) FROM audit WHERE path = 'merge' AND actor = 'county' "
	    "AND behalf = '2143012345' AND op = 'insert'"), 5);
	assert_int_equal(q_int(county, "SELECT count(*) FROM signature"), 1);
	{
		char *sql = xasprintf("SELECT count(*) FROM explanation e JOIN s_xxjl x ON x.id = e.row_key AND "
		    "x.staff_id = e.staff_id WHERE e.rule = 'W-MERGE-X' AND x.seq = %d AND ifnull(x.RXNY, '') = '%s'", xseq, xrxny);

		assert_int_equal(q_int(county, sql), 1);
		assert_int_equal(q_int(county, "SELECT count(*) FROM explanation WHERE rule = 'W-MERGE-GONE'"), 0);
		assert_int_equal(q_int(county, "SELECT count(*) FROM explanation WHERE rule = 'r' AND row_key = staff_id"), 1);
		free(sql);
		free(xrxny);
	}
	/* every set identical, row for row */
	for (size_t i = 0; i < defs->nall; i++) {
		char *sql = xasprintf("SELECT count(*) FROM \"s_%s\"", defs->all[i].v[SC_NAME]);
		char *mine = xasprintf("%s WHERE staff_id IN (SELECT id FROM staff WHERE school_id = %lld)", sql,
		    (long long)sid);

		assert_int_equal(q_int(county, sql), q_int(st, mine));
		free(sql);
		free(mine);
	}
	/* again: all identical, nothing changes — skipped by the digest the
	 * clean merge recorded (merge_digest.h); the county's change below
	 * must still be seen through it */
	assert_int_equal(q_int(county, "SELECT count(*) FROM meta WHERE key = 'merge_digest 2143012345' "
	    "AND length(value) = 129"), 1);
	memset(&r, 0, sizeof r);
	assert_int_equal(merge_file(county, pk, MERGE_TAKE_NONE, on_conflict, NULL, &r, &cause), JZG_OK);
	assert_int_equal(r.added, 0);
	assert_int_equal(r.same, 5);
	assert_int_equal(q_int(county, "SELECT count(*) FROM staff"), 5);

	/* the same person changed on both sides: reported, nothing changed */
	audit_set(county, "county", 1, AUDIT_PATH_CLIENT);
	assert_int_equal(store_exec(county, "UPDATE s_jbxx SET CYM = '县里改的' WHERE CYM = '解锁后修改'", &cause), JZG_OK);
	memset(&r, 0, sizeof r);
	nconf = 0;
	audit_set(county, "county", 1, AUDIT_PATH_MERGE);
	assert_int_equal(merge_file(county, pk, MERGE_TAKE_NONE, on_conflict, NULL, &r, &cause), JZG_OK);
	assert_int_equal(r.conflicts, 1);
	assert_int_equal(r.same, 4);
	assert_int_equal(nconf, 1);
	assert_int_equal(q_int(county, "SELECT count(*) FROM s_jbxx WHERE CYM = '县里改的'"), 1);
	/* take mine: nothing; take theirs: the school's value, audited as merge */
	memset(&r, 0, sizeof r);
	assert_int_equal(merge_file(county, pk, MERGE_TAKE_THEIRS, NULL, NULL, &r, &cause), JZG_OK);
	assert_int_equal(r.replaced, 1);
	assert_int_equal(q_int(county, "SELECT count(*) FROM s_jbxx WHERE CYM = '解锁后修改'"), 1);
	assert_int_equal(q_int(county, "SELECT count(*) FROM audit WHERE path = 'merge' AND field = 'CYM' "
	    "AND old = '县里改的' AND new = '解锁后修改'"), 1);
	/* a many-record set: one value changed, then a record missing, on the
	 * school's side only — both are conflicts */
	{
		sqlite3 *db;
		const char *edits[] = {
			"UPDATE s_xxjl SET SXZY = 'x' || ifnull(SXZY, '') WHERE id = (SELECT max(id) FROM s_xxjl)",
			"DELETE FROM s_xxjl WHERE id = (SELECT max(id) FROM s_xxjl)",
		};

		for (int k = 0; k < 2; k++) {
			assert_int_equal(sqlite3_open(pk, &db), SQLITE_OK);
			assert_int_equal(sqlite3_exec(db, edits[k], NULL, NULL, NULL), SQLITE_OK);
			sqlite3_close(db);
			memset(&r, 0, sizeof r);
			assert_int_equal(merge_file(county, pk, MERGE_TAKE_NONE, NULL, NULL, &r, &cause), JZG_OK);
			assert_int_equal(r.conflicts, 1);
			assert_int_equal(r.same, 4);
		}
	}
	store_close(county);
	free(pk);
}

static void
expect_refused(struct store *county, const char *path, enum jzg_status want, const char *words)
{
	struct merge_result r = { 0 };
	char *cause = NULL;
	long long before = q_int(county, "SELECT count(*) FROM staff");

	assert_int_equal(merge_file(county, path, MERGE_TAKE_THEIRS, NULL, NULL, &r, &cause), want);
	assert_non_null(cause);
	if (strstr(cause, words) == NULL)
		fail_msg("cause «%s» lacks «%s»", cause, words);
	free(cause);
	assert_int_equal(q_int(county, "SELECT count(*) FROM staff"), before);
}

static void
test_refused_files(void **state)
{
	struct store *county = open_file("refuse.db");
	char *pk = db_path("pack.db"), *p, *cmd, *cause = NULL;
	FILE *fp;
	int people;

	(void)state;
	/* not SQLite */
	p = db_path("junk.db");
	fp = fopen(p, "w");
	fputs("姓名,身份证件号\n", fp);
	fclose(fp);
	expect_refused(county, p, JZG_ERR_FOREIGN, "不是 jzg 数据文件");
	free(p);
	/* SQLite of another program */
	p = db_path("other.db");
	cmd = xasprintf("sqlite3 %s 'CREATE TABLE t(x)'", p);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	expect_refused(county, p, JZG_ERR_FOREIGN, "其他程序");
	free(p);
	/* newer version */
	p = db_path("newer.db");
	cmd = xasprintf("cp %s %s && sqlite3 %s 'PRAGMA user_version = 99'", pk, p, p);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	expect_refused(county, p, JZG_ERR_NEWER, "更新版本");
	free(p);
	/* damaged: pages overwritten in the middle (seen when rows are read),
	 * and the schema's page (seen when the file is opened) */
	p = db_path("damaged.db");
	cmd = xasprintf("cp %s %s && dd if=/dev/urandom of=%s bs=$(sqlite3 %s 'PRAGMA page_size') seek=3 count=6 "
	    "conv=notrunc 2>/dev/null", pk, p, p, pk);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	expect_refused(county, p, JZG_ERR_FOREIGN, "损坏");
	cmd = xasprintf("cp %s %s && dd if=/dev/urandom of=%s bs=1 seek=$(($(sqlite3 %s 'PRAGMA page_size') - 2000)) "
	    "count=2000 conv=notrunc 2>/dev/null", pk, p, p, pk);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	expect_refused(county, p, JZG_ERR_FOREIGN, "损坏");
	free(p);
	/* pack into a missing directory: a clear message, nothing left */
	assert_int_equal(pack_school(st, "2143012345", "/nonexistent/dir/x.db", &people, &cause), JZG_ERR_IO);
	free(cause);
	store_close(county);
	free(pk);
}

/* merge_files: what each file's hook was told, and how often. */
struct told {
	enum jzg_status rc[8];
	int             calls[8], added;
};

static void
on_done(int i, const char *path, enum jzg_status rc, const struct merge_result *r, const char *cause, void *arg)
{
	struct told *t = arg;

	(void)path;
	(void)cause;
	t->rc[i] = rc;
	t->calls[i]++;
	if (rc == JZG_OK)
		t->added += r->added;
}

/* The names of st's indexes, comma-separated, in order (caller frees). */
static char *
index_names(struct store *s)
{
	sqlite3_stmt *q;
	struct strbuf b = { 0 };

	assert_int_equal(sqlite3_prepare_v2(s->db, "SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name",
	    -1, &q, NULL), SQLITE_OK);
	while (sqlite3_step(q) == SQLITE_ROW)
		strbuf_addf(&b, "%s%s", b.len ? "," : "", (const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	return strbuf_take(&b);
}

static void
assert_integrity(struct store *s)
{
	sqlite3_stmt *q;

	assert_int_equal(sqlite3_prepare_v2(s->db, "PRAGMA integrity_check", -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(q, 0), "ok");
	sqlite3_finalize(q);
}

/* One transaction for several files (two a batch here, so that batches
 * commit with the INSERT triggers dropped): file 3 of 5 damaged changes
 * nothing, the others merge, each file is told once, every merged row has
 * its one link in the hash chain, and the audit triggers the batches
 * dropped are back afterwards, also when the last batch fails whole. */
static void
test_merge_batch(void **state)
{
	struct store *county = open_file("batch_county.db");
	char *pk = db_path("batch.db"), *p[5], *cmd, *cause = NULL;
	struct told t = { { 0 }, { 0 }, 0 };
	struct merge_hooks h = { NULL, on_done, &t };
	int people, triggers;
	long long draft;
	char *idx, *after;

	(void)state;
	assert_int_equal(pack_school(st, "2143012345", pk, &people, &cause), JZG_OK);
	for (int i = 0; i < 5; i++) {
		p[i] = xasprintf("%s/batch%d.db", dir, i + 1);
		cmd = xasprintf("cp %1$s %2$s && sqlite3 %2$s \"UPDATE school SET code = '21430177%3$02d'\" && %4$s"
		    "dd if=/dev/urandom of=%2$s bs=$(sqlite3 %1$s 'PRAGMA page_size') seek=3 count=6 conv=notrunc 2>/dev/null",
		    pk, p[i], i, i == 2 ? "" : "true || ");
		assert_int_equal(system(cmd), 0);
		free(cmd);
	}
	audit_set(county, "county", 1, AUDIT_PATH_MERGE);
	triggers = (int)q_int(county, "SELECT count(*) FROM temp.sqlite_master WHERE type = 'trigger'");
	assert_true(triggers > 0);
	idx = index_names(county);
	sqlite3_limit(county->db, SQLITE_LIMIT_ATTACHED, 2);
	assert_int_equal(merge_files(county, 5, p, MERGE_TAKE_NONE, &h), JZG_ERR_FOREIGN);
	/* the batch rolled back for the damaged file and redone leaves a whole
	 * file with every index */
	assert_integrity(county);
	after = index_names(county);
	assert_string_equal(after, idx);
	free(after);
	free(idx);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(t.calls[i], 1);
		assert_int_equal(t.rc[i], i == 2 ? JZG_ERR_FOREIGN : JZG_OK);
	}
	assert_int_equal(t.added, 4 * people);
	assert_int_equal(q_int(county, "SELECT count(*) FROM staff"), 4 * people);
	assert_int_equal(q_int(county, "SELECT count(*) FROM school WHERE code = '2143017702'"), 0);
	assert_int_equal(q_int(county, "SELECT count(*) FROM audit WHERE path = 'merge' AND field = 'file'"), 4 * people);
	assert_true(q_int(county, "SELECT count(*) FROM review") > 0);
	assert_int_equal(q_int(county, "SELECT (SELECT count(*) FROM audit a WHERE (SELECT count(*) FROM chain c WHERE "
	    "c.tbl = 1 AND c.row_id = a.id) <> 1) + (SELECT count(*) FROM review r WHERE (SELECT count(*) FROM chain c "
	    "WHERE c.tbl = 2 AND c.row_id = r.id) <> 1) + (SELECT count(*) FROM signature g WHERE (SELECT count(*) "
	    "FROM chain c WHERE c.tbl = 3 AND c.row_id = g.id) <> 1)"), 0);
	/* the last batch, the damaged file alone, fails whole */
	{
		char *q[3] = { p[0], p[1], p[2] };
		struct told t2 = { { 0 }, { 0 }, 0 };
		struct merge_hooks h2 = { NULL, on_done, &t2 };

		assert_int_equal(merge_files(county, 3, q, MERGE_TAKE_NONE, &h2), JZG_ERR_FOREIGN);
		assert_int_equal(t2.rc[2], JZG_ERR_FOREIGN);
		assert_int_equal(q_int(county, "SELECT count(*) FROM temp.sqlite_master WHERE type = 'trigger'"), triggers);
	}
	/* the trail and the foreign keys are on again: a record added after
	 * the merge is audited */
	assert_int_equal(q_int(county, "PRAGMA foreign_keys"), 1);
	assert_int_equal(q_int(county, "SELECT count(*) FROM temp.sqlite_master WHERE type = 'trigger'"), triggers);
	draft = q_int(county, "SELECT min(id) FROM staff WHERE state NOT IN ('approved', 'signed')");
	cmd = xasprintf("INSERT INTO s_xxjl(staff_id, seq) VALUES(%lld, 99)", draft);
	assert_int_equal(store_exec(county, cmd, &cause), JZG_OK);
	free(cmd);
	assert_int_equal(q_int(county, "SELECT count(*) FROM audit WHERE set_name = 'xxjl' AND op = 'insert' "
	    "AND path = 'merge'"), 1);

	/* again, the damaged file left out: the four are identical; two
	 * records of one person in the other order are a conflict */
	memset(&t, 0, sizeof t);
	cmd = xasprintf("sqlite3 %s \"UPDATE s_xxjl SET seq = 3 - seq WHERE staff_id = (SELECT staff_id FROM s_xxjl "
	    "GROUP BY staff_id HAVING count(*) = 2 AND min(seq) = 1 AND max(seq) = 2 LIMIT 1)\"", p[4]);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	{
		char *q[4] = { p[0], p[1], p[3], p[4] };
		struct merge_result r = { 0 };

		assert_int_equal(merge_files(county, 4, q, MERGE_TAKE_NONE, &h), JZG_OK);
		assert_int_equal(t.added, 0);
		assert_int_equal(merge_file(county, p[4], MERGE_TAKE_NONE, NULL, NULL, &r, &cause), JZG_OK);
		assert_int_equal(r.conflicts, 1);
		assert_int_equal(r.same, people - 1);
	}
	for (int i = 0; i < 5; i++)
		free(p[i]);
	store_close(county);
	free(pk);
}

/* A refusal found after the batch has begun (the school's template
 * differs from the county's) rolls the batch back: the file before it is
 * merged again, the one after it merges, each is told once, and the
 * refused file changes nothing. */
static void
test_merge_batch_refusal(void **state)
{
	struct store *county = open_file("batch_refusal_county.db");
	char *pk = db_path("refusal.db"), *p[3], *cmd, *cause = NULL;
	struct told t = { { 0 }, { 0 }, 0 };
	struct merge_hooks h = { NULL, on_done, &t };
	int people;

	(void)state;
	assert_int_equal(pack_school(st, "2143012345", pk, &people, &cause), JZG_OK);
	for (int i = 0; i < 3; i++) {
		p[i] = xasprintf("%s/refusal%d.db", dir, i + 1);
		cmd = xasprintf("cp %s %s && sqlite3 %s \"UPDATE school SET code = '21430188%02d'\"", pk, p[i], p[i], i);
		assert_int_equal(system(cmd), 0);
		free(cmd);
	}
	assert_int_equal(store_exec(county, "INSERT INTO school(code, name, template) VALUES('2143018801', '某幼儿园', 'yey')",
	    &cause), JZG_OK);
	audit_set(county, "county", 1, AUDIT_PATH_MERGE);
	assert_int_equal(merge_files(county, 3, p, MERGE_TAKE_NONE, &h), JZG_ERR_INVALID);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(t.calls[i], 1);
		assert_int_equal(t.rc[i], i == 1 ? JZG_ERR_INVALID : JZG_OK);
	}
	assert_int_equal(t.added, 2 * people);
	assert_int_equal(q_int(county, "SELECT count(*) FROM staff"), 2 * people);
	assert_int_equal(q_int(county, "SELECT count(*) FROM staff s JOIN school c ON c.id = s.school_id "
	    "WHERE c.code = '2143018801'"), 0);
	assert_int_equal(q_int(county, "SELECT count(*) FROM school WHERE code = '2143018801' AND template = 'yey'"), 1);
	assert_int_equal(q_int(county, "SELECT count(*) FROM audit WHERE path = 'merge' AND field = 'file'"), 2 * people);
	assert_integrity(county);
	for (int i = 0; i < 3; i++)
		free(p[i]);
	store_close(county);
	free(pk);
}

/* Records of set in the file at path (opened on its own). */
static long long
file_records(const char *path, const char *set)
{
	sqlite3 *db;
	sqlite3_stmt *q;
	char *sql = xasprintf("SELECT count(*) FROM \"s_%s\"", set);
	long long n;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	n = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	sqlite3_close(db);
	free(sql);
	return n;
}

/* Files of one run whose set tables differ (an older jzg lacked a field):
 * each file's records come with the columns it has, though the run reuses
 * the previous file's columns when its tables are the same.  The last
 * file has a gap in its staff ids (a person deleted), so it is mapped
 * person by person, the others by an offset: either way every record
 * arrives. */
static void
test_merge_schemas(void **state)
{
	struct store *county = open_file("schemas_county.db");
	char *pk = db_path("schemas.db"), *p[4], *cmd, *cause = NULL;
	struct told t = { { 0 }, { 0 }, 0 };
	struct merge_hooks h = { NULL, on_done, &t };
	int people;

	(void)state;
	assert_int_equal(pack_school(st, "2143012345", pk, &people, &cause), JZG_OK);
	for (int i = 0; i < 4; i++) {
		p[i] = xasprintf("%s/schemas%d.db", dir, i);
		cmd = xasprintf("cp %s %s && sqlite3 %s \"UPDATE school SET code = '214301660%d'; "
		    "UPDATE s_jbxx SET CYM = '曾用' || staff_id%s\"", pk, p[i], p[i], i,
		    i == 1 || i == 2 ? "; ALTER TABLE s_jbxx DROP COLUMN CYM" :
		    i == 3 ? "; PRAGMA foreign_keys = ON; DELETE FROM staff WHERE id = (SELECT min(id) + 1 FROM staff)" : "");
		assert_int_equal(system(cmd), 0);
		free(cmd);
	}
	assert_int_equal(merge_files(county, 4, p, MERGE_TAKE_NONE, &h), JZG_OK);
	assert_int_equal(t.added, 4 * people - 1);
	for (int i = 0; i < 4; i++) {
		cmd = xasprintf("SELECT count(*) FROM s_xxjl x JOIN staff s ON s.id = x.staff_id JOIN school c ON "
		    "c.id = s.school_id WHERE c.code = '214301660%d'", i);
		assert_int_equal(q_int(county, cmd), file_records(p[i], "xxjl"));
		free(cmd);
		/* count(CYM), not a LIKE: a column named but missing would read
		 * as the string 'CYM' (SQLite's double-quoted identifiers) */
		cmd = xasprintf("SELECT count(j.CYM) + 1000 * count(*) FILTER (WHERE j.CYM NOT LIKE '曾用%%') FROM s_jbxx j "
		    "JOIN staff s ON s.id = j.staff_id JOIN school c ON c.id = s.school_id WHERE c.code = '214301660%d'", i);
		assert_int_equal(q_int(county, cmd), i == 1 || i == 2 ? 0 : i == 3 ? people - 1 : people);
		free(cmd);
		free(p[i]);
	}
	assert_integrity(county);
	store_close(county);
	free(pk);
}

/* Every index the store makes is made again on open when missing (the
 * indexes of the definitions' sets, the person list's, the fixed tables'),
 * so whatever dropped one (by hand, a tool) the next open repairs it. */
static void
test_indexes_reopen(void **state)
{
	struct store *s = open_file("reindex.db");
	char *all = index_names(s), *cause = NULL, *now;
	sqlite3_stmt *q;
	struct strbuf b = { 0 };

	(void)state;
	assert_non_null(strstr(all, "staff_school,"));
	assert_non_null(strstr(all, "s_xxjl_staff"));
	assert_int_equal(sqlite3_prepare_v2(s->db, "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL",
	    -1, &q, NULL), SQLITE_OK);
	while (sqlite3_step(q) == SQLITE_ROW)
		strbuf_addf(&b, "DROP INDEX \"%s\";", (const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	assert_int_equal(store_exec(s, b.s, &cause), JZG_OK);
	strbuf_free(&b);
	now = index_names(s);
	assert_string_not_equal(now, all);
	free(now);
	store_close(s);
	s = open_file("reindex.db");
	now = index_names(s);
	assert_string_equal(now, all);
	assert_integrity(s);
	free(now);
	free(all);
	store_close(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_login),
		cmocka_unit_test(test_transitions),
		cmocka_unit_test(test_audit_paths),
		cmocka_unit_test(test_log),
		cmocka_unit_test(test_insert_text),
		cmocka_unit_test(test_board),
		cmocka_unit_test(test_pack_merge),
		cmocka_unit_test(test_refused_files),
		cmocka_unit_test(test_merge_batch),
		cmocka_unit_test(test_merge_batch_refusal),
		cmocka_unit_test(test_indexes_reopen),
		cmocka_unit_test(test_merge_schemas),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
