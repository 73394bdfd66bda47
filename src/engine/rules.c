/* rules.c — see rules.h.  Making and freeing the rules, checking one
 * record, explaining a warning.  The phases of a check are in files of
 * their own (rules_int.h): rules_kind.c (what each kind of rule is),
 * rules_compile.c, rules_static.c, rules_person.c, rules_prior.c,
 * rules_run.c and rules_sched.c (rules_check).
 *
 * Each rule is one result column (a CASE that is NULL while the rule
 * holds) or, when it needs no SQL, a static rule checked in C by
 * rules_static(). */
#include "rules.h"

#include <stdlib.h>
#include <string.h>

#include "entry.h"
#include "rules_int.h"
#include "text.h"

/* The SQL functions the compiled statements call, on db (the store's
 * connection, or the second one of a two-thread check). */
int
rules_register_functions(struct rules *r, sqlite3 *db)
{
	static const struct {
		const char *name;
		int         nargs;
		void      (*fn)(sqlite3_context *, int, sqlite3_value **);
	} fns[] = {
		{ "rules_static", -1, rules_fn_static },
		{ "rules_today", 0, rules_fn_today },
		{ "rules_code_pick", 2, rules_fn_code_pick },
		{ "rules_code_filter", 2, rules_fn_code_filter },
		{ "rules_multi_nth", 3, rules_fn_multi_nth },
		{ "rules_baseline", 0, rules_fn_baseline },
		{ "rules_rset", 2, rules_fn_rset },
		{ "rules_person", 2, rules_fn_person },
	};
	int rc = SQLITE_OK;

	for (size_t i = 0; i < sizeof fns / sizeof *fns && rc == SQLITE_OK; i++)
		rc = sqlite3_create_function(db, fns[i].name, fns[i].nargs, SQLITE_UTF8 | SQLITE_DETERMINISTIC, r,
		    fns[i].fn, NULL, NULL);
	return rc;
}

/* Template name of a school (new string or NULL). */
char *
rules_template_of(struct rules *r, const char *sql, sqlite3_int64 id)
{
	sqlite3_stmt *ps;
	char *out = NULL;

	if (sqlite3_prepare_v2(r->st->db, sql, -1, &ps, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_int64(ps, 1, id);
	if (sqlite3_step(ps) == SQLITE_ROW)
		out = xstrdup((const char *)sqlite3_column_text(ps, 0));
	sqlite3_finalize(ps);
	return out;
}

/* Template name of a person's school (new string or NULL), by the one
 * look-up every path shares (entry_template). */
char *
rules_staff_template(struct rules *r, sqlite3_int64 staff_id)
{
	const struct template_def *t = entry_template(r->st, staff_id);

	return t ? xstrdup(t->v[TC_NAME]) : NULL;
}

struct rules *
rules_new(struct store *st, char **cause)
{
	const struct defs *defs = st->defs;
	struct rules *r = xcalloc(1, sizeof *r);

	r->st = st;
	if (rules_register_functions(r, st->db) != SQLITE_OK) {
		jzg_fail(cause, JZG_ERR_DB, "注册 SQL 函数失败");
		rules_free(r);
		return NULL;
	}
	for (size_t i = 0; i < defs->ntpl; i++)
		r->nrs += defs->tpl[i].nset;
	r->rs = xcalloc(r->nrs ? r->nrs : 1, sizeof *r->rs);
	r->nrs = 0;
	for (size_t i = 0; i < defs->ntpl; i++)
		for (size_t k = 0; k < defs->tpl[i].nset; k++) {
			struct rset *rs = &r->rs[r->nrs++];

			rs->tpl = &defs->tpl[i];
			rs->set = &defs->tpl[i].set[k];
			if (rules_compile_set(r, rs, cause) != JZG_OK) {
				rules_free(r);
				return NULL;
			}
		}
	rules_group_scans(r);
	if (store_prepare(st, rules_explained_sql, &r->explained[0], cause) != JZG_OK) {
		rules_free(r);
		return NULL;
	}
	return r;
}

void
rules_free(struct rules *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nrs; i++) {
		struct rset *rs = &r->rs[i];

		for (size_t j = 0; j < rs->nrule; j++) {
			free(rs->rule[j].name);
			free(rs->rule[j].extra);
			free(rs->rule[j].calc);
		}
		free(rs->rule);
		free(rs->sf);
		for (size_t j = 0; j < rs->nexpr; j++)
			free(rs->expr[j]);
		free(rs->expr);
		free(rs->badfmt);
		free(rs->select);
		free(rs->select_record);
		free(rs->select_bulk);
		free(rs->select_scan);
		free(rs->by_tpl);
		for (int c = 0; c < NCONN; c++) {
			for (int m = 0; m < SM__COUNT; m++)
				sqlite3_finalize(rs->stmt[c][m]);
			sqlite3_finalize(rs->rownum[c]);
		}
	}
	free(r->rs);
	for (int c = 0; c < NCONN; c++)
		sqlite3_finalize(r->explained[c]);
	rules_person_unload(r);
	for (size_t k = 0; k < r->npc; k++) {
		free(r->pc[k].set);
		free(r->pc[k].expr);
		free(r->pc[k].where);
		free(r->pc[k].tail);
	}
	free(r->pc);

	free(r);
}

static struct rset *
find_rset(struct rules *r, const char *tpl, const char *set)
{
	for (size_t i = 0; i < r->nrs; i++)
		if (strcmp(r->rs[i].tpl->v[TC_NAME], tpl) == 0 && strcmp(r->rs[i].set->v[SC_NAME], set) == 0)
			return &r->rs[i];
	return NULL;
}

enum jzg_status
rules_check_record(struct rules *r, const struct template_def *t, const struct set_def *s,
    sqlite3_int64 key, rules_cb cb, void *arg, char **cause)
{
	struct rset *rs = find_rset(r, t->v[TC_NAME], s->v[SC_NAME]);
	struct runner ru;

	if (rs == NULL)
		return jzg_fail(cause, JZG_ERR_NOTFOUND, "模板 %s 没有信息集 %s", t->v[TC_LABEL], s->v[SC_LABEL]);
	memset(&ru, 0, sizeof ru);
	ru.r = r;
	ru.db = r->st->db;
	ru.cb = cb;
	ru.arg = arg;
	ru.any_explained = 1;   /* one record: a look-up per warning costs less than asking */
	return rules_run(&ru, rs, SM_RECORD, key, cause);
}

/* ---------------------------------------------------------- explaining */

enum jzg_status
rules_explain(struct rules *r, sqlite3_int64 staff_id, const char *rule, const char *set_name,
    int row, const char *reason, char **cause)
{
	char *tpl = rules_staff_template(r, staff_id);
	const struct rset *hit = NULL;
	const struct rule *ru = NULL;
	struct strbuf sets = { 0 };
	sqlite3_int64 key = staff_id;
	sqlite3_stmt *ps;
	enum jzg_status rc;
	int nhit = 0;

	if (tpl == NULL)
		return jzg_fail(cause, JZG_ERR_NOTFOUND, "文件中没有这名人员");
	for (size_t i = 0; i < r->nrs; i++) {
		const struct rset *rs = &r->rs[i];

		if (strcmp(rs->tpl->v[TC_NAME], tpl) != 0 || (set_name && strcmp(rs->set->v[SC_NAME], set_name) != 0))
			continue;
		for (size_t j = 0; j < rs->nrule; j++)
			if (strcmp(rs->rule[j].name, rule) == 0) {
				strbuf_addf(&sets, "%s%s", nhit ? "、" : "", rs->set->v[SC_NAME]);
				hit = rs;
				ru = &rs->rule[j];
				nhit++;
			}
	}
	free(tpl);
	if (nhit != 1) {
		rc = nhit == 0 ? jzg_fail(cause, JZG_ERR_NOTFOUND, "该人员所在模板%s没有规则 “%s”",
		    set_name ? "的此信息集中" : "中", rule) :
		    jzg_fail(cause, JZG_ERR_USAGE, "规则 “%s” 属于多个信息集（%s），请用 --set 指定", rule, sets.s);
		strbuf_free(&sets);
		return rc;
	}
	strbuf_free(&sets);
	if (!ru->warning)
		return jzg_fail(cause, JZG_ERR_INVALID, "规则 “%s” 是错误，不能说明，只能改正", rule);
	if (str_empty(reason))
		return jzg_fail(cause, JZG_ERR_USAGE, "请写明说明理由");
	if (text_fault(reason, TEXT_NAME) != NULL)
		return jzg_fail(cause, JZG_ERR_INVALID, "说明理由%s", text_fault(reason, TEXT_NAME));
	if (hit->set->many) {
		char *sql = xasprintf("SELECT id, (SELECT count(*) FROM \"s_%s\" WHERE staff_id = ?1) FROM \"s_%s\""
		    " WHERE staff_id = ?1 ORDER BY seq, id LIMIT 1 OFFSET ?2", hit->set->v[SC_NAME], hit->set->v[SC_NAME]);

		rc = store_prepare(r->st, sql, &ps, cause);
		free(sql);
		if (rc != JZG_OK)
			return rc;
		sqlite3_bind_int64(ps, 1, staff_id);
		sqlite3_bind_int(ps, 2, row > 0 ? row - 1 : 0);
		key = 0;
		if (sqlite3_step(ps) == SQLITE_ROW && (row > 0 || sqlite3_column_int(ps, 1) == 1))
			key = sqlite3_column_int64(ps, 0);
		else if (row == 0 && sqlite3_column_int(ps, 1) > 1)
			rc = jzg_fail(cause, JZG_ERR_USAGE, "该人员的%s有多条，请用 --row 指定第几条",
			    hit->set->v[SC_LABEL]);
		sqlite3_finalize(ps);
		if (rc != JZG_OK)
			return rc;
		if (key == 0)
			return jzg_fail(cause, JZG_ERR_NOTFOUND, "该人员的%s没有第 %d 条", hit->set->v[SC_LABEL],
			    row > 0 ? row : 1);
	} else if (row > 1)
		return jzg_fail(cause, JZG_ERR_NOTFOUND, "%s每人只有一条", hit->set->v[SC_LABEL]);
	if ((rc = store_prepare(r->st, "INSERT OR REPLACE INTO explanation(staff_id, rule, set_name, row_key, reason)"
	    " VALUES(?1, ?2, ?3, ?4, ?5)", &ps, cause)) != JZG_OK)
		return rc;
	sqlite3_bind_int64(ps, 1, staff_id);
	sqlite3_bind_text(ps, 2, rule, -1, SQLITE_STATIC);
	sqlite3_bind_text(ps, 3, hit->set->v[SC_NAME], -1, SQLITE_STATIC);
	sqlite3_bind_int64(ps, 4, key);
	sqlite3_bind_text(ps, 5, reason, -1, SQLITE_STATIC);
	if (sqlite3_step(ps) != SQLITE_DONE)
		rc = jzg_fail(cause, JZG_ERR_DB, "保存说明失败：%s", store_errstr(sqlite3_errcode(r->st->db)));
	sqlite3_finalize(ps);
	return rc;
}
