/* rules_run.c — running one rset's statement on one connection (struct
 * runner): each violated rule of each row becomes a finding, handed to
 * the callback or held for a later replay (rules_sched.c). */
#include "rules.h"

#include <stdlib.h>
#include <string.h>

#include "rules_int.h"

const char rules_explained_sql[] =
	"SELECT reason FROM explanation WHERE staff_id = ?1 AND rule = ?2 AND set_name = ?3 AND row_key = ?4";

static enum jzg_status
prepare(sqlite3 *db, const char *sql, sqlite3_stmt **out, char **cause)
{
	if (sqlite3_prepare_v2(db, sql, -1, out, NULL) != SQLITE_OK) {
		*out = NULL;
		return jzg_fail(cause, JZG_ERR_DB, "数据库语句出错：%s", sqlite3_errmsg(db));
	}
	return JZG_OK;
}

static enum jzg_status
rset_stmt(struct runner *ru, struct rset *rs, enum scope_mode m, sqlite3_stmt **out, char **cause)
{
	static const char *const where[SM__COUNT] = {
		"", " AND staff.school_id = ?1", " AND staff.id = ?1", NULL, "",
		" AND staff.school_id = ?1 AND staff.id BETWEEN ?2 AND ?3"
	};
	sqlite3_stmt **slot = &rs->stmt[ru->conn][m];
	char *sql;
	enum jzg_status rc;

	if (*slot == NULL) {
		int bulk = m == SM_ALL || m == SM_SCHOOL || m == SM_SLICE;

		sql = xasprintf("%s%s", m == SM_SCAN ? rs->select_scan : m == SM_RECORD && rs->select_record ?
		    rs->select_record : bulk && rs->select_bulk ? rs->select_bulk : rs->select,
		    m == SM_RECORD ? (rs->set->many ? " AND cur.id = ?1" : " AND staff.id = ?1") : where[m]);
		rc = prepare(ru->db, sql, slot, cause);
		free(sql);
		if (rc != JZG_OK)
			return rc;
	}
	*out = *slot;
	return JZG_OK;
}

static int
row_number(struct runner *ru, struct rset *rs, sqlite3_int64 staff, sqlite3_int64 id, sqlite3_int64 seq)
{
	sqlite3_stmt **ps = &rs->rownum[ru->conn];
	int n = 1;

	if (!rs->set->many)
		return 1;
	if (*ps == NULL) {
		char *sql = xasprintf("SELECT count(*) FROM \"s_%s\" WHERE staff_id = ?1 AND"
		    " (seq < ?2 OR (seq = ?2 AND id <= ?3))", rs->set->v[SC_NAME]);

		sqlite3_prepare_v2(ru->db, sql, -1, ps, NULL);
		free(sql);
		if (*ps == NULL)
			return 0;
	}
	sqlite3_bind_int64(*ps, 1, staff);
	sqlite3_bind_int64(*ps, 2, seq);
	sqlite3_bind_int64(*ps, 3, id);
	if (sqlite3_step(*ps) == SQLITE_ROW)
		n = sqlite3_column_int(*ps, 0);
	sqlite3_reset(*ps);
	return n;
}

/* The reason a warning was explained (a new string) or NULL. */
static char *
explanation(struct runner *ru, const struct finding *fd)
{
	sqlite3_stmt **ps = &ru->r->explained[ru->conn];
	char *out = NULL;

	if (!ru->any_explained)
		return NULL;
	if (*ps == NULL && sqlite3_prepare_v2(ru->db, rules_explained_sql, -1, ps, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_int64(*ps, 1, fd->staff_id);
	sqlite3_bind_text(*ps, 2, fd->rule, -1, SQLITE_STATIC);
	sqlite3_bind_text(*ps, 3, fd->set->v[SC_NAME], -1, SQLITE_STATIC);
	sqlite3_bind_int64(*ps, 4, fd->key);
	if (sqlite3_step(*ps) == SQLITE_ROW)
		out = xstrdup((const char *)sqlite3_column_text(*ps, 0));
	sqlite3_reset(*ps);
	return out;
}

/* Whether the explanation table holds any row: a file without explanations
 * (most) then needs no look-up per warning. */
int
rules_any_explained(sqlite3 *db)
{
	sqlite3_stmt *ps;
	int any = 1;

	if (sqlite3_prepare_v2(db, "SELECT EXISTS (SELECT 1 FROM explanation)", -1, &ps, NULL) == SQLITE_OK) {
		if (sqlite3_step(ps) == SQLITE_ROW)
			any = sqlite3_column_int(ps, 0);
		sqlite3_finalize(ps);
	}
	return any;
}

void
rules_finding_of(const struct rset *rs, const struct rule *rule, struct finding *fd)
{
	fd->rule = rule->name;
	fd->tpl = rs->tpl;
	fd->set = rule->target ? rule->target : rs->set;
	fd->field = rule->field;
	fd->warning = rule->warning;
}

static void
report(struct runner *ru, struct rset *rs, sqlite3_stmt *ps, const struct rule *rule, const char *detail,
    struct strbuf *msg)
{
	const struct rule_kind_def *kd = &rule_kinds[rule->kind];
	struct finding fd;
	char *why;

	rules_finding_of(rs, rule, &fd);
	fd.staff_id = sqlite3_column_int64(ps, 1);
	fd.key = sqlite3_column_int64(ps, 2);
	fd.row = rule->target ? 0 : row_number(ru, rs, fd.staff_id, fd.key, sqlite3_column_int64(ps, 3));
	msg->len = 0;
	if (kd->message != NULL)
		kd->message(&(struct rmsg){ ru->db, rs, rule, detail ? detail : "", fd.key }, msg);
	else
		strbuf_adds(msg, kd->says);
	fd.message = msg->s;
	why = rule->warning ? explanation(ru, &fd) : NULL;
	if (ru->hold != NULL) {
		struct held_list *l = ru->hold;
		struct held *h;

		if (l->n == l->cap) {
			l->cap = l->cap ? l->cap * 2 : 16;
			l->h = xreallocarray(l->h, l->cap, sizeof *l->h);
		}
		h = &l->h[l->n++];
		h->rs = rs;
		h->ru = rule;
		h->staff_id = fd.staff_id;
		h->key = fd.key;
		h->row = fd.row;
		h->message = xstrdup(fd.message);
		h->explained = why;
		return;
	}
	fd.explained = why;
	ru->stop = ru->cb(&fd, ru->arg) != 0;
	free(why);
}

/* Findings of the static rules of this row (column RS_FIXED - 1); marks
 * the fields with an RKF_MOOTS finding (wrong format, not relevant) in
 * rs->badfmt. */
static void
report_static(struct runner *ru, struct rset *rs, sqlite3_stmt *ps, struct strbuf *msg)
{
	const char *p = (const char *)sqlite3_column_text(ps, RS_FIXED - 1);
	char *copy, *line, *save = NULL;

	if (p == NULL)
		return;
	copy = xstrdup(p);   /* the callback may run SQL, which may move the column text */
	for (line = strtok_r(copy, "\n", &save); line != NULL && !ru->stop; line = strtok_r(NULL, "\n", &save)) {
		char *tab = strchr(line, '\t');
		long k = strtol(line, NULL, 10);
		const struct rule *rule;

		if (tab == NULL || k < 0 || (size_t)k >= rs->nrule)
			continue;
		rule = &rs->rule[k];
		if (rule_kinds[rule->kind].flags & RKF_MOOTS)
			rs->badfmt[rule->field - rs->set->field] = 1;
		report(ru, rs, ps, rule, tab + 1, msg);
	}
	free(copy);
}

enum jzg_status
rules_run(struct runner *ru, struct rset *rs0, enum scope_mode m, sqlite3_int64 arg1, char **cause)
{
	sqlite3_stmt *ps;
	enum jzg_status rc;
	struct strbuf msg = { 0 };
	int step = SQLITE_DONE;

	if (rs0->nrule == 0)
		return JZG_OK;
	if ((rc = rset_stmt(ru, rs0, m, &ps, cause)) != JZG_OK)
		return rc;
	if (m != SM_ALL && m != SM_SCAN)
		sqlite3_bind_int64(ps, 1, arg1);
	if (m == SM_SLICE) {
		sqlite3_bind_int64(ps, 2, ru->r->slice_lo);
		sqlite3_bind_int64(ps, 3, ru->r->slice_hi);
	}
	while (!ru->stop && (step = sqlite3_step(ps)) == SQLITE_ROW) {
		/* the row's own rset: rs0 but in a scan of a group */
		sqlite3_int64 k = sqlite3_column_int64(ps, 0);
		struct rset *rs = k >= 0 && (size_t)k < ru->r->nrs ? &ru->r->rs[k] : NULL;
		int stat;

		if (rs == NULL)
			continue;   /* a person of no school, or of a template not checked */
		stat = sqlite3_column_type(ps, RS_FIXED - 1) != SQLITE_NULL;

		if (stat)
			report_static(ru, rs, ps, &msg);
		for (size_t i = 0; i < rs->nrule && !ru->stop; i++) {
			const struct rule *rule = &rs->rule[i];

			if (rule->col < 0 || sqlite3_column_type(ps, RS_FIXED + rule->col) == SQLITE_NULL)
				continue;
			if ((rule_kinds[rule->kind].flags & RKF_MOOTED) && rs->badfmt[rule->field - rs->set->field])
				continue;
			report(ru, rs, ps, rule, (const char *)sqlite3_column_text(ps, RS_FIXED + rule->col), &msg);
		}
		if (stat)
			memset(rs->badfmt, 0, rs->set->nfield);
	}
	if (!ru->stop && step != SQLITE_DONE)
		rc = jzg_fail(cause, JZG_ERR_DB, "检查 %s 时出错：%s", rs0->set->v[SC_LABEL], sqlite3_errmsg(ru->db));
	sqlite3_reset(ps);
	strbuf_free(&msg);
	return rc;
}
